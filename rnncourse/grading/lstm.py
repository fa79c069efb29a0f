"""The lstm assignment's checks: one step of the LSTM with peepholes, the plain step's
backward pass, a sequence, and the count of parameters; the course's peephole step; and the
catalogue.

The notebook gives the plain step, ``lstm_step_forward`` (the chapter prints it), which
returns its cache in the layout of ``CACHE_LAYOUTS["lstm"]`` (:mod:`.cells`); Part 3 calls
it, and Part 2 is checked on a cache the course builds in that layout. Part 1 is the step
with peepholes, which the chapter explains but does not print."""

import numpy as np

from .catalogue import Mistake as M
from .cells import given_step, given_step_is_right, parameter_count_case, step_backward_case
from .framework import CheckFailed, Part, compare_all, graded_on_its_own, learner, reference
from .messages import say
from .problems import expected_outputs, gate_blocks, sequence_problem, step_problem, weights_of

__all__ = ["Part", "peephole_step_forward_case", "step_backward_case", "lstm_forward_case",
           "parameter_count_case"]

PEEPHOLES = ("weight_ci", "weight_cf", "weight_co")


# -- one step with peepholes ----------------------------------------------------------------

def peephole_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh, weight_ci,
                  weight_cf, weight_co, o_reads_c_prev=False, g_peephole=None,
                  keep_c_prev=True, h_tanh=True):
    """The course's LSTM step with peepholes, from the reference's sigmoid: returns (h, c).

        [a_i, a_f, a_g, a_o] = x W_ih^T + b_ih + h_prev W_hh^T + b_hh
        i = sigmoid(a_i + w_ci * c_prev)    f = sigmoid(a_f + w_cf * c_prev)    g = tanh(a_g)
        c = f * c_prev + i * g
        o = sigmoid(a_o + w_co * c)         h = o * tanh(c)

    The keywords reproduce the usual slips, for the likely causes: the output gate reading
    c_prev, a peephole ``g_peephole * c_prev`` on g, the old cell state dropped, h without tanh.
    """
    H = h_prev.shape[1]
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
    a_i, a_f, a_g, a_o = (a[:, k * H:(k + 1) * H] for k in range(4))
    i = reference.sigmoid(a_i + weight_ci * c_prev)
    f = reference.sigmoid(a_f + weight_cf * c_prev)
    g = np.tanh(a_g if g_peephole is None else a_g + g_peephole * c_prev)
    c = (f * c_prev if keep_c_prev else 0.0) + i * g
    o = reference.sigmoid(a_o + weight_co * (c_prev if o_reads_c_prev else c))
    h = o * (np.tanh(c) if h_tanh else c)
    return h, c


def peephole_problem(seed, peephole_scale=0.5, **shape):
    """The inputs of one step (see :func:`.problems.step_problem`) and three peephole weight
    vectors of shape (H,), normal with standard deviation ``peephole_scale`` (0: none)."""
    problem = step_problem("lstm", seed, **shape)
    rng = np.random.default_rng(seed + 500)
    H = problem["h_prev"].shape[1]
    problem.update({name: rng.normal(0.0, peephole_scale, H) if peephole_scale else np.zeros(H)
                    for name in PEEPHOLES})
    return problem


def _peephole_alternatives(problem):
    """(explanation, (h, c)) pairs for the usual slips in the step with peepholes."""
    H = problem["h_prev"].shape[1]
    zero = np.zeros(H)

    def outputs(**changes):
        options = {k: changes.pop(k) for k in list(changes) if k not in problem}
        return peephole_step(**{**problem, **changes}, **options)

    found = [(say("the output gate's peephole reads c_{t-1}; it reads the new cell state: "
                  "o = sigmoid(a_o + w_co * c_t)"), outputs(o_reads_c_prev=True)),
             (say("weight_ci and weight_cf are swapped: the input gate's peephole is "
                  "weight_ci, the forget gate's weight_cf"),
              outputs(weight_ci=problem["weight_cf"], weight_cf=problem["weight_ci"])),
             (say("the input gate has no peephole: i = sigmoid(a_i + w_ci * c_{t-1})"),
              outputs(weight_ci=zero)),
             (say("the forget gate has no peephole: f = sigmoid(a_f + w_cf * c_{t-1})"),
              outputs(weight_cf=zero)),
             (say("the output gate has no peephole: o = sigmoid(a_o + w_co * c_t)"),
              outputs(weight_co=zero)),
             (say("the candidate g has a peephole; it has none: g = tanh(a_g), and weight_co "
                  "belongs to the output gate"), outputs(g_peephole=problem["weight_co"])),
             (say("the candidate g has a peephole and the output gate none: weight_co belongs "
                  "to the output gate, o = sigmoid(a_o + w_co * c_t), and g = tanh(a_g)"),
              outputs(g_peephole=problem["weight_co"], weight_co=zero)),
             (say("the old cell state is dropped: c = f * c_{t-1} + i * g"),
              outputs(keep_c_prev=False)),
             (say("h is o * c: tanh(c) is missing"), outputs(h_tanh=False)),
             (say("bias_hh is missing (add both biases)"), outputs(
                 bias_hh=np.zeros_like(problem["bias_hh"]))),
             (say("bias_ih is missing (add both biases)"), outputs(
                 bias_ih=np.zeros_like(problem["bias_ih"]))),
             (say("h_prev is ignored"), outputs(h_prev=np.zeros_like(problem["h_prev"])))]
    for explanation, order in ((say("the gates are read in the order f, i, g, o: i and f "
                                    "swapped"), (1, 0, 2, 3)),
                               (say("the gates are read in the order i, f, o, g: g and o "
                                    "swapped"), (0, 1, 3, 2))):
        swapped = {k: gate_blocks(problem[k], order, H)
                   for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        found.append((explanation, outputs(**swapped)))
    return found


def peephole_step_forward_case(fn, seed, peephole_scale=0.5, **shape):
    """The learner's step with peepholes against the course's, with likely causes."""
    problem = peephole_problem(seed, peephole_scale, **shape)
    want_h, want_c = peephole_step(**problem)
    alternatives = _peephole_alternatives(problem)
    result = learner(fn, **problem)
    if type(result) not in (tuple, list) or len(result) != 2:
        if type(result) in (tuple, list):
            raise CheckFailed(say("expected lstm_peephole_step_forward to return the tuple "
                                  "(h, c), got a {kind} of {count}",
                                  kind=type(result).__name__, count=len(result)))
        raise CheckFailed(say("expected lstm_peephole_step_forward to return the tuple (h, c), "
                              "got {kind}", kind=type(result).__name__))
    if type(result[0]) in (tuple, list):
        raise CheckFailed(say("expected lstm_peephole_step_forward to return the tuple (h, c) "
                              "alone; it returns a pair whose first item is itself a pair (a "
                              "cache is not asked for here)"))
    h, c = result
    compare_all([("c", c, want_c, [(why, alt[1]) for why, alt in alternatives]),
                 ("h", h, want_h, [(why, alt[0]) for why, alt in alternatives])])


# -- a sequence, with the given plain step -------------------------------------------------

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
    """The learner's sequence forward, which calls the notebook's given plain step."""
    layer, x = sequence_problem("lstm", seed, **shape)
    rng = np.random.default_rng(seed + 9)
    h0, c0 = (rng.normal(size=(x.shape[1], layer.hidden_size)) for _ in range(2))
    weights = weights_of(layer)
    want, (h_n, c_n) = expected_outputs(layer, x, (h0[None], c0[None]))
    causes = [(say("the cell state is not carried from step to step (each step starts from "
                   "c0)"), _lstm_loop(x, h0, c0, weights, carry_c=False)),
              (say("the hidden state is not carried from step to step (each step starts from "
                   "h0)"), _lstm_loop(x, h0, c0, weights, carry_h=False)),
              (say("h0 is ignored: the first step starts from h0, not from zeros"),
               _lstm_loop(x, np.zeros_like(h0), c0, weights)),
              (say("c0 is ignored: the first step starts from c0, not from zeros"),
               _lstm_loop(x, h0, np.zeros_like(c0), weights))]

    def run():
        result = learner(fn, x=x, h0=h0, c0=c0, **weights)
        if type(result) not in (tuple, list) or len(result) != 2 or \
                type(result[1]) not in (tuple, list) or len(result[1]) != 2:
            raise CheckFailed(say("expected lstm_forward to return the pair (hs, (h_T, c_T)), "
                                  "a tuple; got {kind}", kind=type(result).__name__))
        hs, (h_T, c_T) = result
        compare_all([("hs", hs, want, causes), ("h_T", h_T, h_n[0], ()),
                     ("c_T", c_T, c_n[0], ())])
    graded_on_its_own(fn, run, {"lstm_step_forward": lambda step: given_step_is_right(
        step, "lstm")}, {"lstm_step_forward": given_step("lstm")}, given=True)


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

STEP = "lstm_peephole_step_forward"
STEP_TEST = ("test_lstm_peephole_step_forward",)

MISTAKES = [
    M("output gate's peephole reads c_prev", STEP, "sigmoid(a[:, 3 * H:] + weight_co * c)",
      "sigmoid(a[:, 3 * H:] + weight_co * c_prev)", STEP_TEST),
    M("weight_ci and weight_cf swapped", STEP,
      "i = sigmoid(a[:, :H] + weight_ci * c_prev)\n"
      "    f = sigmoid(a[:, H:2 * H] + weight_cf * c_prev)",
      "i = sigmoid(a[:, :H] + weight_cf * c_prev)\n"
      "    f = sigmoid(a[:, H:2 * H] + weight_ci * c_prev)", STEP_TEST),
    M("input gate's peephole missing", STEP, "sigmoid(a[:, :H] + weight_ci * c_prev)",
      "sigmoid(a[:, :H])", STEP_TEST),
    M("forget gate's peephole missing", STEP, "sigmoid(a[:, H:2 * H] + weight_cf * c_prev)",
      "sigmoid(a[:, H:2 * H])", STEP_TEST),
    M("output gate's peephole missing", STEP, "sigmoid(a[:, 3 * H:] + weight_co * c)",
      "sigmoid(a[:, 3 * H:])", STEP_TEST),
    M("a peephole on the candidate", STEP, "g = np.tanh(a[:, 2 * H:3 * H])",
      "g = np.tanh(a[:, 2 * H:3 * H] + weight_co * c_prev)", STEP_TEST),
    M("gate order f, i", STEP,
      "i = sigmoid(a[:, :H] + weight_ci * c_prev)\n"
      "    f = sigmoid(a[:, H:2 * H] + weight_cf * c_prev)",
      "i = sigmoid(a[:, H:2 * H] + weight_ci * c_prev)\n"
      "    f = sigmoid(a[:, :H] + weight_cf * c_prev)", STEP_TEST),
    M("gates read in the order i, f, o, g", STEP,
      "g = np.tanh(a[:, 2 * H:3 * H])\n    c = f * c_prev + i * g\n"
      "    o = sigmoid(a[:, 3 * H:] + weight_co * c)",
      "g = np.tanh(a[:, 3 * H:])\n    c = f * c_prev + i * g\n"
      "    o = sigmoid(a[:, 2 * H:3 * H] + weight_co * c)", STEP_TEST),
    M("sigmoid for the candidate", STEP, "g = np.tanh(", "g = sigmoid(", STEP_TEST),
    M("old cell state dropped", STEP, "c = f * c_prev + i * g", "c = i * g", STEP_TEST),
    M("h without tanh", STEP, "h = o * np.tanh(c)", "h = o * c", STEP_TEST),
    M("bias_hh dropped", STEP, " + bias_hh\n", "\n", STEP_TEST),
    M("input weight not transposed", STEP, "x @ weight_ih.T", "x @ weight_ih", STEP_TEST),
    M("c computed in c_prev's array", STEP, "    c = f * c_prev + i * g",
      "    c = c_prev\n    c *= f\n    c += i * g", STEP_TEST),
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
    M("redefines the given step wrongly", STEP, "    return h, c",
      "    return h, c\n\n\ndef lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh, "
      "bias_ih, bias_hh):\n    return (h_prev, c_prev), None", "is not the one given at the top"),
    M("updates dc in place", "lstm_step_backward",
      "    dc_total = dc + dh * o * (1.0 - tanh_c ** 2)",
      "    dc += dh * o * (1.0 - tanh_c ** 2)\n    dc_total = dc",
      "changed its argument `dc` in place"),
    M("returns (h, c) as a list", STEP, "return h, c", "return [h, c]", ""),
    M("computes in float32", STEP, "    H = h_prev.shape[1]",
      "    H = h_prev.shape[1]\n    x, h_prev, c_prev = (v.astype(np.float32) for v in "
      "(x, h_prev, c_prev))", ""),
    M("prints its gates", STEP, "    h = o * np.tanh(c)\n",
      "    h = o * np.tanh(c)\n    print('gates', i.mean(), f.mean(), o.mean())\n", "printed"),
    M("each gate from its own rows", STEP,
      "    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh\n",
      "    def pre_activation(k):\n"
      "        rows = slice(k * H, (k + 1) * H)\n"
      "        return (x @ weight_ih[rows].T + bias_ih[rows]\n"
      "                + h_prev @ weight_hh[rows].T + bias_hh[rows])\n"
      "    a = np.concatenate([pre_activation(k) for k in range(4)], axis=1)\n", ""),
    M("peepholes as diagonal matrices", STEP,
      "i = sigmoid(a[:, :H] + weight_ci * c_prev)\n"
      "    f = sigmoid(a[:, H:2 * H] + weight_cf * c_prev)",
      "i = sigmoid(a[:, :H] + c_prev @ np.diag(weight_ci))\n"
      "    f = sigmoid(a[:, H:2 * H] + c_prev @ np.diag(weight_cf))", ""),
]
