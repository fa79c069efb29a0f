"""The gru assignment's checks: one step backward in both variants (reset after, as PyTorch;
reset before, as the published version of Cho et al. 2014), shared with the other cells; a
sequence run with the step the notebook gives; the count of parameters; and the catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .cells import given_step, given_step_is_right, parameter_count_case, step_backward_case
from .framework import (
    CheckFailed,
    Part,
    compare,
    graded_on_its_own,
    guard,
    learner,
    reference,
)
from .messages import say
from .problems import expected_outputs, weights_of

__all__ = ["Part", "step_backward_case", "gru_forward_case", "parameter_count_case"]


# -- the step the notebook gives, and the course's version of it -----------------------------

# -- Part 3: a sequence -------------------------------------------------------------------

def gru_sequence_problem(seed, reset_after=True, T=6, B=3, D=4, H=5):
    """A GRU layer of the readable reference (fast=False), its input x (T, B, D) and a first
    state h0 (B, H)."""
    rng = np.random.default_rng(seed)
    layer = reference.GRU(D, H, reset_after=reset_after, rng=rng, fast=False)
    return layer, rng.normal(size=(T, B, D)), rng.normal(size=(B, H))


def gru_loop(x, h0, weights, reset_after=True, carry=True):
    """The reference step run over ``x`` from ``h0``; ``carry=False`` starts every step from
    h0 again (a slip). Returns hs (T, B, H)."""
    h, hs = h0, []
    for x_t in x:
        h, _ = reference.gru_step_forward(x_t, h if carry else h0, **weights,
                                          reset_after=reset_after)
        hs.append(h)
    return np.stack(hs)


def gru_forward_case(fn, seed, reset_after=True, **shape):
    """The learner's gru_forward (which calls the given step) against the reference layer,
    with the likely causes of the usual slips in a loop over time."""
    layer, x, h0 = gru_sequence_problem(seed, reset_after, **shape)
    weights = weights_of(layer)
    want, _ = expected_outputs(layer, x, h0[None])
    causes = [
        (say("reset_after is not passed on to gru_step_forward: these are the other variant's "
             "outputs"), gru_loop(x, h0, weights, reset_after=not reset_after)),
        (say("the hidden state is not carried from one step to the next (each step starts "
             "from h0)"), gru_loop(x, h0, weights, reset_after, carry=False)),
        (say("h0 is ignored: the first step starts from h0, not from zeros"),
         gru_loop(x, np.zeros_like(h0), weights, reset_after)),
        (say("the outputs are shifted by one step: hs[t] is the state after reading x[t], not "
             "the one before"), np.concatenate([h0[None], want[:-1]])),
        (say("every step reads the first input x[0]"),
         gru_loop(x[:1].repeat(len(x), axis=0), h0, weights, reset_after)),
        (say("every hs[t] holds the last state: the steps write into one array, which hs "
             "holds T times; keep each step's state in an array of its own"),
         want[-1:].repeat(len(x), axis=0))]

    def run():
        hs = learner(fn, x=x, h0=h0, **weights, reset_after=reset_after)
        if type(hs) in (tuple, list) and len(hs) == 1:
            raise CheckFailed(say("gru_forward returned a {kind} of 1 item; return hs alone, "
                                  "one array of shape {shape} (np.stack makes one from a list "
                                  "of the steps' states)", kind=type(hs).__name__,
                                  shape=want.shape))
        if type(hs) in (tuple, list):
            raise CheckFailed(say("gru_forward returned a {kind} of {count} items; return hs "
                                  "alone, one array of shape {shape} (np.stack makes one from "
                                  "a list of the steps' states)", kind=type(hs).__name__,
                                  count=len(hs), shape=want.shape))
        try:
            got_shape = guard.as_numbers(hs)[0]
        except guard.NotNumbers:
            got_shape = None
        if got_shape == want.shape[1:]:
            raise CheckFailed(say("hs: expected shape {want}, got {got}. Likely cause: only "
                                  "one step's state is returned; return every step's, stacked "
                                  "in time order", want=want.shape, got=got_shape))
        compare("hs", hs, want, likely_causes=causes)
    graded_on_its_own(fn, run, {"gru_step_forward": lambda step: given_step_is_right(
        step, "gru", ({"reset_after": True}, {"reset_after": False}))},
                      {"gru_step_forward": given_step("gru")}, given=True)


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("update gradient sign flipped", "gru_step_backward", "dz = dh * (h_prev - n)",
      "dz = dh * (n - h_prev)", ("test_gru_backward_after", "test_gru_backward_before")),
    M("direct path from h_prev missing", "gru_step_backward", "dh_prev = dh * z\n",
      "dh_prev = 0.0 * dh\n", ("test_gru_backward_after", "test_gru_backward_before")),
    M("reset-before W_hn gradient uses h, not r * h", "gru_step_backward",
      "dweight_hn = dn.T @ (r * h_prev)", "dweight_hn = dn.T @ h_prev",
      ("test_gru_backward_before",)),
    M("bias_hh gradient copied from bias_ih", "gru_step_backward",
      '"bias_hh": dgh.sum(axis=0)', '"bias_hh": dgi.sum(axis=0)',
      ("test_gru_backward_after",)),
    M("tanh slope of n missing", "gru_step_backward", " * (1.0 - n ** 2)", "",
      ("test_gru_backward_after", "test_gru_backward_before")),
    M("reset gradient without h W_hn (reset after)", "gru_step_backward",
      "dr = dn * hn * r * (1.0 - r)", "dr = dn * r * (1.0 - r)",
      ("test_gru_backward_after",)),
    M("state not carried", "gru_forward", "gru_step_forward(x_t, h,",
      "gru_step_forward(x_t, h0,", ("test_gru_forward",)),
    M("h0 ignored", "gru_forward", "h, hs = h0, []", "h, hs = np.zeros_like(h0), []",
      ("test_gru_forward",)),
    M("reset_after not passed on", "gru_forward", ",\n                                "
      "reset_after=reset_after)", ")", ("test_gru_forward",)),
    M("off by one in time", "gru_forward", "return np.stack(hs)",
      "return np.stack([h0] + hs[:-1])", ("test_gru_forward",)),
    M("every step reads x[0]", "gru_forward", "gru_step_forward(x_t,",
      "gru_step_forward(x[0],", ("test_gru_forward",)),
    M("state written into h0's array", "gru_forward", "        h, _ = gru_step_forward(",
      "        h[...], _ = gru_step_forward(", ("test_gru_forward",)),
    M("one array overwritten at every step", "gru_forward",
      "h, hs = h0, []\n    for x_t in x:\n        h, _ = gru_step_forward(",
      "h, hs = h0.copy(), []\n    for x_t in x:\n        h[...], _ = gru_step_forward(",
      ("test_gru_forward",)),
    M("only the last state returned", "gru_forward", "return np.stack(hs)", "return h",
      ("test_gru_forward",)),
    M("the list of states returned", "gru_forward", "return np.stack(hs)", "return hs",
      ("test_gru_forward",)),
    M("one bias per gate counted", "count", "3 * (H * D + H * H + 2 * H)",
      "3 * (H * D + H * H + H)", ("test_count",)),
]

HONEST = [
    M("updates dh_prev in place", "gru_step_backward", "    dh_prev = dh * z\n",
      "    dh_prev = dh\n    dh_prev *= z\n", "changed its argument `dh` in place"),
    M("fills a preallocated hs", "gru_forward",
      "    h, hs = h0, []\n    for x_t in x:\n        h, _ = gru_step_forward(x_t, h, weight_ih, "
      "weight_hh, bias_ih, bias_hh,\n                                reset_after=reset_after)"
      "\n        hs.append(h)\n    return np.stack(hs)",
      "    hs = np.empty((x.shape[0],) + h0.shape)\n    h = h0\n    for t in range(x.shape[0]):"
      "\n        h, _ = gru_step_forward(x[t], h, weight_ih, weight_hh, bias_ih, bias_hh, "
      "reset_after)\n        hs[t] = h\n    return hs", ""),
    M("returns float32", "gru_forward", "return np.stack(hs)",
      "return np.stack(hs).astype(np.float32)", ""),
    M("prints each step's state", "gru_forward", "        hs.append(h)",
      "        print('h:', h.shape, file=sys.stderr)\n        hs.append(h)", "printed"),
    M("writes the step out instead of calling it", "gru_forward",
      "        h, _ = gru_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh,\n"
      "                                reset_after=reset_after)\n",
      "        H = h.shape[1]\n        a = x_t @ weight_ih.T + bias_ih\n"
      "        r = sigmoid(a[:, :H] + h @ weight_hh[:H].T + bias_hh[:H])\n"
      "        z = sigmoid(a[:, H:2 * H] + h @ weight_hh[H:2 * H].T + bias_hh[H:2 * H])\n"
      "        if reset_after:\n"
      "            n = np.tanh(a[:, 2 * H:] + r * (h @ weight_hh[2 * H:].T + bias_hh[2 * H:]))\n"
      "        else:\n"
      "            n = np.tanh(a[:, 2 * H:] + (r * h) @ weight_hh[2 * H:].T + bias_hh[2 * H:])\n"
      "        h = (1.0 - z) * n + z * h\n", ""),
    M("passes the step's arguments by name", "gru_forward",
      "gru_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh,\n"
      "                                reset_after=reset_after)",
      "gru_step_forward(x=x_t, h_prev=h, weight_ih=weight_ih, weight_hh=weight_hh,\n"
      "                                bias_ih=bias_ih, bias_hh=bias_hh, reset_after=reset_after)",
      ""),
]
