"""The rnn assignment's checks: one step, a sequence, both directions, two stacked layers and
an N-to-1 readout; the course's versions of the earlier parts; and the catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .cells import step_forward_case
from .framework import Part, compare, graded_on_its_own, learner, reference
from .problems import expected_outputs, sequence_problem, weights_of

__all__ = ["Part", "step_forward_case", "rnn_forward_case", "bidirectional_case",
           "stacked_case", "readout_case"]


# The course's versions of the earlier parts, put in place of a learner's wrong ones.

def course_rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    h, _ = reference.rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh)
    return h, None


def course_rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    h, hs = h0, []
    for x_t in x:
        h, _ = reference.rnn_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh)
        hs.append(h)
    return np.stack(hs)


def _step_is_right(fn):
    """Raises unless the learner's step is right, a square input weight included (a stacked
    layer's weight_ih is (H, H))."""
    step_forward_case(fn, "rnn", 11)
    step_forward_case(fn, "rnn", 13, D=5, H=5)


RNN_EARLIER = {"rnn_step_forward": _step_is_right,
               "rnn_forward": lambda f: rnn_forward_case(f, 12)}
RNN_STAND_INS = {"rnn_step_forward": course_rnn_step_forward,
                 "rnn_forward": course_rnn_forward}


def rnn_forward_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, **shape)
    h0 = np.random.default_rng(seed + 7).normal(size=(x.shape[1], layer.hidden_size))
    want, _ = expected_outputs(layer, x, h0[None])
    stale, _ = expected_outputs(layer, x[:1].repeat(x.shape[0], axis=0), h0[None])
    shifted = np.concatenate([h0[None], want[:-1]])
    restarted = np.stack([expected_outputs(layer, x[t:t + 1], h0[None])[0][0]
                          for t in range(x.shape[0])])
    from_zeros, _ = expected_outputs(layer, x)

    def run():
        hs = learner(fn, x=x, h0=h0, **weights_of(layer))
        if type(hs) is tuple:
            hs = hs[0]
        compare("hs", hs, want, likely_causes=[
            ("every step reads the first input x[0]", stale),
            ("the outputs are shifted by one step (hs[t] should be h_t, not h_{t-1})",
             shifted),
            ("the hidden state is not carried from one step to the next", restarted),
            ("h0 is ignored: the first step starts from h0, not from zeros", from_zeros)])
    graded_on_its_own(fn, run, {"rnn_step_forward": RNN_EARLIER["rnn_step_forward"]},
                      RNN_STAND_INS)


def bidirectional_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, directions=2, **shape)
    want, _ = expected_outputs(layer, x)
    H = layer.hidden_size
    unflipped = np.concatenate([want[:, :, :H], want[::-1, :, H:]], axis=-1)
    swapped = np.concatenate([want[:, :, H:], want[:, :, :H]], axis=-1)

    def run():
        out = learner(fn, x=x, forward_weights=weights_of(layer),
                      backward_weights=weights_of(layer, reverse=True))
        compare("output", out, want, likely_causes=[
            ("the backward direction's outputs are not put back in time order", unflipped),
            ("the two directions are concatenated in the wrong order (forward first)",
             swapped)])
    graded_on_its_own(fn, run, RNN_EARLIER, RNN_STAND_INS)


def stacked_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, layers=2, **shape)
    want, _ = expected_outputs(layer, x)
    first = reference.RNN(layer.input_size, layer.hidden_size, fast=False)
    first.load_state_dict({k + "_l0": v for k, v in weights_of(layer, 0).items()})
    first_only, _ = expected_outputs(first, x)

    def run():
        out = learner(fn, x=x, layers=[weights_of(layer, 0), weights_of(layer, 1)])
        compare("output", out, want, likely_causes=[
            ("the output is layer 1's, not the top layer's", first_only)])
    graded_on_its_own(fn, run, RNN_EARLIER, RNN_STAND_INS)


def readout_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, **shape)
    rng = np.random.default_rng(seed + 3)
    weight, bias = rng.normal(size=(3, layer.hidden_size)), rng.normal(size=3)
    hs, h_n = expected_outputs(layer, x)

    def run():
        logits = learner(fn, x=x, rnn_weights=weights_of(layer), readout_weight=weight,
                         readout_bias=bias)
        compare("logits", logits, h_n[0] @ weight.T + bias, likely_causes=[
            ("the readout uses the first hidden state, not the last", hs[0] @ weight.T + bias),
            ("the bias of the readout is missing", h_n[0] @ weight.T)])
    graded_on_its_own(fn, run, RNN_EARLIER, RNN_STAND_INS)


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("ReLU instead of tanh", "rnn_step_forward", "h = np.tanh(", "h = np.maximum(0, ",
      ("test_rnn_step_forward",)),
    M("bias_hh dropped", "rnn_step_forward", " + bias_hh)", ")", ("test_rnn_step_forward",)),
    M("bias_ih dropped", "rnn_step_forward", " + bias_ih", "", ("test_rnn_step_forward",)),
    M("input weight not transposed", "rnn_step_forward", "x @ weight_ih.T", "x @ weight_ih",
      ("test_rnn_step_forward",)),
    M("input weight transposed only when the shapes demand it", "rnn_step_forward",
      "x @ weight_ih.T", "x @ (weight_ih if weight_ih.shape[0] == x.shape[1] else weight_ih.T)",
      ("test_rnn_step_forward",)),
    M("recurrent weight not transposed", "rnn_step_forward", "h_prev @ weight_hh.T",
      "h_prev @ weight_hh", ("test_rnn_step_forward",)),
    M("tanh written with exp (overflows)", "rnn_step_forward",
      "    h = np.tanh(x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh)",
      "    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh\n"
      "    h = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))",
      ("test_rnn_step_forward",)),
    M("new state written into h_prev", "rnn_step_forward", "    h = np.tanh(",
      "    h = h_prev\n    h[...] = np.tanh(", ("test_rnn_step_forward",)),
    M("h0 ignored", "rnn_forward", "h, hs = h0, []", "h, hs = np.zeros_like(h0), []",
      ("test_rnn_forward",)),
    M("state not carried", "rnn_forward", "rnn_step_forward(x_t, h,",
      "rnn_step_forward(x_t, h0,", ("test_rnn_forward",)),
    M("off by one in time", "rnn_forward", "return np.stack(hs)",
      "return np.stack([h0] + hs[:-1])", ("test_rnn_forward",)),
    M("backward outputs left reversed", "bidirectional",
      "**backward_weights)[::-1]", "**backward_weights)", ("test_bidirectional",)),
    M("directions swapped", "bidirectional", "[forward, backward]", "[backward, forward]",
      ("test_bidirectional",)),
    M("backward direction reads forwards", "bidirectional", "rnn_forward(x[::-1],",
      "rnn_forward(x,", ("test_bidirectional",)),
    M("second layer reads the input", "stacked", "hs = rnn_forward(hs,",
      "hs = rnn_forward(x,", ("test_stacked",)),
    M("readout on the first state", "readout", "hs[-1] @", "hs[0] @", ("test_readout",)),
    M("readout bias dropped", "readout", " + readout_bias", "", ("test_readout",)),
]

HONEST = [
    M("prints to stderr", "rnn_step_forward", "    return h, cache",
      "    print('h:', h.shape, file=sys.stderr)\n    return h, cache", "printed"),
    M("warns", "rnn_step_forward", "    return h, cache",
      "    warnings.warn('check me')\n    return h, cache", "caused the warning"),
    M("answers in float32", "rnn_step_forward", "    return h, cache",
      "    return h.astype(np.float32), cache", ""),
]
