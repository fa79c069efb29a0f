"""The lstm assignment's checks: one step forward and backward, a sequence, and the count of
parameters; the course's version of the step; and the catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .cells import parameter_count_case, step_backward_case, step_forward_case
from .framework import CheckFailed, Part, compare_all, graded_on_its_own, learner, reference
from .problems import expected_outputs, sequence_problem, weights_of

__all__ = ["Part", "step_forward_case", "step_backward_case", "lstm_forward_case",
           "parameter_count_case"]


def course_lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    outputs, _ = reference.lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh,
                                             bias_ih, bias_hh)
    return outputs, None


def _lstm_loop(x, h0, c0, weights, carry_h=True, carry_c=True):
    """The reference step run over a sequence, optionally forgetting to carry h or c."""
    h, c, hs = h0, c0, []
    for x_t in x:
        (h_new, c_new), _ = reference.lstm_step_forward(x_t, h if carry_h else h0,
                                                        c if carry_c else c0, **weights)
        h, c = h_new, c_new
        hs.append(h)
    return np.stack(hs)


def lstm_forward_case(fn, seed, **shape):
    layer, x = sequence_problem("lstm", seed, **shape)
    rng = np.random.default_rng(seed + 9)
    h0, c0 = (rng.normal(size=(x.shape[1], layer.hidden_size)) for _ in range(2))
    weights = weights_of(layer)
    want, (h_n, c_n) = expected_outputs(layer, x, (h0[None], c0[None]))
    causes = [("the cell state is not carried from step to step (each step starts from c0)",
               _lstm_loop(x, h0, c0, weights, carry_c=False)),
              ("the hidden state is not carried from step to step (each step starts from h0)",
               _lstm_loop(x, h0, c0, weights, carry_h=False)),
              ("h0 is ignored: the first step starts from h0, not from zeros",
               _lstm_loop(x, np.zeros_like(h0), c0, weights)),
              ("c0 is ignored: the first step starts from c0, not from zeros",
               _lstm_loop(x, h0, np.zeros_like(c0), weights))]

    def run():
        result = learner(fn, x=x, h0=h0, c0=c0, **weights)
        if type(result) not in (tuple, list) or len(result) != 2 or \
                type(result[1]) not in (tuple, list) or len(result[1]) != 2:
            raise CheckFailed("expected lstm_forward to return the pair (hs, (h_T, c_T)), a "
                              f"tuple; got {type(result).__name__}")
        hs, (h_T, c_T) = result
        compare_all([("hs", hs, want, causes), ("h_T", h_T, h_n[0], ()),
                     ("c_T", c_T, c_n[0], ())])
    graded_on_its_own(fn, run, {"lstm_step_forward": lambda f: step_forward_case(
        f, "lstm", 13)}, {"lstm_step_forward": course_lstm_step_forward})


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("gate order f, i", "lstm_step_forward", "i, f = sigmoid", "f, i = sigmoid",
      ("test_lstm_step_forward",)),
    M("gates read in the order i, f, o, g", "lstm_step_forward",
      "g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
      "o, g = sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])",
      ("test_lstm_step_forward",)),
    M("sigmoid for the candidate", "lstm_step_forward", "g, o = np.tanh(", "g, o = sigmoid(",
      ("test_lstm_step_forward",)),
    M("old cell state dropped", "lstm_step_forward", "c = f * c_prev + i * g", "c = i * g",
      ("test_lstm_step_forward",)),
    M("h without tanh", "lstm_step_forward", "h = o * np.tanh(c)", "h = o * c",
      ("test_lstm_step_forward",)),
    M("bias_hh dropped", "lstm_step_forward", " + bias_hh\n", "\n",
      ("test_lstm_step_forward",)),
    M("input weight not transposed", "lstm_step_forward", "x @ weight_ih.T",
      "x @ weight_ih", ("test_lstm_step_forward",)),
    M("c computed in c_prev's array", "lstm_step_forward", "    c = f * c_prev + i * g",
      "    c = c_prev\n    c *= f\n    c += i * g", ("test_lstm_step_forward",)),
    M("tanh and sigmoid swapped for i and g", "lstm_step_forward",
      "i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])\n"
      "    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
      "i, f = np.tanh(a[:, :H]), sigmoid(a[:, H:2 * H])\n"
      "    g, o = sigmoid(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
      ("test_lstm_step_forward",)),
    M("the upstream dc left out", "lstm_step_backward",
      "dc_total = dc + dh * o * (1.0 - tanh_c ** 2)", "dc_total = dh * o * (1.0 - tanh_c ** 2)",
      ("test_lstm_step_backward",)),
    M("c_prev gradient without the forget gate", "lstm_step_backward",
      '"c_prev": dc_total * f', '"c_prev": dc_total', ("test_lstm_step_backward",)),
    M("no gradient from h into c", "lstm_step_backward",
      "dc_total = dc + dh * o * (1.0 - tanh_c ** 2)", "dc_total = dc",
      ("test_lstm_step_backward",)),
    M("output gate gradient without tanh(c)", "lstm_step_backward",
      "dh * tanh_c * o * (1.0 - o)", "dh * o * (1.0 - o)", ("test_lstm_step_backward",)),
    M("cell state not carried", "lstm_forward", "lstm_step_forward(x_t, h, c,",
      "lstm_step_forward(x_t, h, c0,", ("test_lstm_forward",)),
    M("initial state returned as final", "lstm_forward", "return np.stack(hs), (h, c)",
      "return np.stack(hs), (h0, c0)", ("test_lstm_forward",)),
    M("biases not counted", "count", "4 * (H * D + H * H + 2 * H)",
      "4 * (H * D + H * H)", ("test_count",)),
]

HONEST = [
    M("updates dc in place", "lstm_step_backward",
      "    dc_total = dc + dh * o * (1.0 - tanh_c ** 2)",
      "    dc += dh * o * (1.0 - tanh_c ** 2)\n    dc_total = dc",
      "changed its argument `dc` in place"),
    M("returns (h, c) as a list", "lstm_step_forward", "return (h, c), cache",
      "return [h, c], cache", ""),
    M("computes in float32", "lstm_step_forward", "    H = h_prev.shape[1]",
      "    H = h_prev.shape[1]\n    x, h_prev, c_prev = (v.astype(np.float32) for v in "
      "(x, h_prev, c_prev))", ""),
]
