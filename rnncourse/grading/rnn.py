"""The rnn assignment's checks: one step with the weights joined, a sequence, both directions,
two stacked layers and an N-to-1 readout; the course's versions of the earlier parts; and the
catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .framework import (
    CheckFailed,
    Part,
    compare,
    describe_error,
    graded_on_its_own,
    learner,
    reference,
)
from .messages import say
from .problems import expected_outputs, sequence_problem, step_problem, weights_of

__all__ = ["Part", "joined_step_case", "rnn_forward_case", "bidirectional_case",
           "stacked_case", "readout_case"]


# The course's versions of the earlier parts, put in place of a learner's wrong ones. The
# joined step is rnncore's step with the joined weight split back into U and W, and the joined
# bias in bias_ih (bias_hh zero): only the sum of the two biases reaches h.

def course_rnn_step_joined(x, h_prev, weight, bias):
    D = x.shape[1]
    h, _ = reference.rnn_step_forward(x, h_prev, weight[:, :D], weight[:, D:], bias,
                                      np.zeros_like(bias))
    return h


def course_rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    h, hs = h0, []
    for x_t in x:
        h, _ = reference.rnn_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh)
        hs.append(h)
    return np.stack(hs)


def joined_sequence(x, h0, weight, bias):
    """The states of a sequence run by the course's joined step with this weight and bias
    (the values of the usual slips in joining them)."""
    h, hs = h0, []
    for x_t in x:
        h = course_rnn_step_joined(x_t, h, weight, bias)
        hs.append(h)
    return np.stack(hs)


def joined_problem(seed, B=3, D=4, H=5, scale=1.0, weight_scale=0.5):
    """One step's inputs with the weights joined: x (B, D), h_prev (B, H), weight (H, D + H)
    acting on [x, h_prev], bias (H,)."""
    p = step_problem("rnn", seed, B=B, D=D, H=H, scale=scale, weight_scale=weight_scale)
    return {"x": p["x"], "h_prev": p["h_prev"],
            "weight": np.concatenate([p["weight_ih"], p["weight_hh"]], axis=1),
            "bias": p["bias_ih"] + p["bias_hh"]}


def _joined_alternatives(problem):
    """(explanation, h) pairs for the usual slips in the joined step."""
    x, h_prev, weight, bias = problem["x"], problem["h_prev"], problem["weight"], problem["bias"]

    def step(**changes):
        return course_rnn_step_joined(**{**problem, **changes})

    a = np.concatenate([x, h_prev], axis=1) @ weight.T + bias
    return [
        (say("the row is joined in the order [h_prev, x]: x's D features come first, then "
             "h_prev's H"), np.tanh(np.concatenate([h_prev, x], axis=1) @ weight.T + bias)),
        (say("the activation is not tanh (ReLU?)"), np.maximum(a, 0)),
        (say("the activation is not tanh (sigmoid?)"), reference.sigmoid(a)),
        (say("the activation is missing"), a),
        (say("the bias is missing"), step(bias=np.zeros_like(bias))),
        (say("h_prev is ignored: the joined row is [x, h_prev]"),
         step(h_prev=np.zeros_like(h_prev))),
        (say("x is ignored: the joined row is [x, h_prev]"), step(x=np.zeros_like(x)))]


def joined_step_case(fn, seed, **shape):
    """The learner's rnn_step_joined against the course's (rnncore's step with the joined
    weight split in two), with the likely causes of the usual slips."""
    problem = joined_problem(seed, **shape)
    want = course_rnn_step_joined(**problem)
    try:
        h = learner(fn, **problem)
    except ValueError as error:                 # the framework's hint names weight_ih
        if "matmul" not in str(error):
            raise
        raise CheckFailed(describe_error(error, matmul_hint=say(
            ". Hint: weight has one row per unit, shape (H, D + H), so the product is "
            "[x, h_prev] @ weight.T"))) from None
    if type(h) in (tuple, list):
        raise CheckFailed(say("expected the array h, got a {kind} of {count}: rnn_step_joined "
                              "returns h alone, with no cache", kind=type(h).__name__,
                              count=len(h)))
    compare("h", h, want, likely_causes=_joined_alternatives(problem))


def _step_is_right(fn):
    """Raises unless the learner's joined step is right, D == H included (a stacked layer's
    second layer reads H features)."""
    joined_step_case(fn, 11)
    joined_step_case(fn, 13, D=5, H=5)


RNN_EARLIER = {"rnn_step_joined": _step_is_right,
               "rnn_forward": lambda f: rnn_forward_case(f, 12)}
RNN_STAND_INS = {"rnn_step_joined": course_rnn_step_joined,
                 "rnn_forward": course_rnn_forward}


def rnn_forward_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, **shape)
    h0 = np.random.default_rng(seed + 7).normal(size=(x.shape[1], layer.hidden_size))
    weights = weights_of(layer)
    want, _ = expected_outputs(layer, x, h0[None])
    stale, _ = expected_outputs(layer, x[:1].repeat(x.shape[0], axis=0), h0[None])
    shifted = np.concatenate([h0[None], want[:-1]])
    restarted = np.stack([expected_outputs(layer, x[t:t + 1], h0[None])[0][0]
                          for t in range(x.shape[0])])
    from_zeros, _ = expected_outputs(layer, x)
    w_ih, w_hh, b_ih, b_hh = (weights[k] for k in ("weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh"))
    swapped = joined_sequence(x, h0, np.concatenate([w_hh, w_ih], axis=1), b_ih + b_hh)
    only_ih = joined_sequence(x, h0, np.concatenate([w_ih, w_hh], axis=1), b_ih)
    only_hh = joined_sequence(x, h0, np.concatenate([w_ih, w_hh], axis=1), b_hh)

    def run():
        hs = learner(fn, x=x, h0=h0, **weights)
        if type(hs) is tuple:
            hs = hs[0]
        compare("hs", hs, want, likely_causes=[
            (say("the weights are joined in the wrong order: the row is [x, h_prev], so the "
                 "joined weight is np.concatenate([weight_ih, weight_hh], axis=1)"), swapped),
            (say("only bias_ih is used: the joined bias is bias_ih + bias_hh"), only_ih),
            (say("only bias_hh is used: the joined bias is bias_ih + bias_hh"), only_hh),
            (say("every step reads the first input x[0]"), stale),
            (say("the outputs are shifted by one step (hs[t] should be h_t, not h_{t-1})"),
             shifted),
            (say("the hidden state is not carried from one step to the next"), restarted),
            (say("h0 is ignored: the first step starts from h0, not from zeros"), from_zeros)])
    graded_on_its_own(fn, run, {"rnn_step_joined": RNN_EARLIER["rnn_step_joined"]},
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
        compare(say("output"), out, want, likely_causes=[
            (say("the backward direction's outputs are not put back in time order"), unflipped),
            (say("the two directions are concatenated in the wrong order (forward first)"),
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
        compare(say("output"), out, want, likely_causes=[
            (say("the output is layer 1's, not the top layer's"), first_only)])
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
            (say("the readout uses the first hidden state, not the last"),
             hs[0] @ weight.T + bias),
            (say("the bias of the readout is missing"), h_n[0] @ weight.T)])
    graded_on_its_own(fn, run, RNN_EARLIER, RNN_STAND_INS)


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

_JOINED = ("    joined = np.concatenate([x, h_prev], axis=1)\n"
           "    h = np.tanh(joined @ weight.T + bias)\n")

MISTAKES = [
    M("joined in the order [h_prev, x]", "rnn_step_joined", "np.concatenate([x, h_prev]",
      "np.concatenate([h_prev, x]", ("test_rnn_step_joined",)),
    M("ReLU instead of tanh", "rnn_step_joined", "h = np.tanh(", "h = np.maximum(0, ",
      ("test_rnn_step_joined",)),
    M("sigmoid instead of tanh", "rnn_step_joined", "h = np.tanh(joined @ weight.T + bias)",
      "h = 1 / (1 + np.exp(-(joined @ weight.T + bias)))", ("test_rnn_step_joined",)),
    M("no activation", "rnn_step_joined", "h = np.tanh(joined @ weight.T + bias)",
      "h = joined @ weight.T + bias", ("test_rnn_step_joined",)),
    M("bias dropped", "rnn_step_joined", " + bias)", ")", ("test_rnn_step_joined",)),
    M("h_prev ignored", "rnn_step_joined", _JOINED,
      "    h = np.tanh(x @ weight[:, :x.shape[1]].T + bias)\n", ("test_rnn_step_joined",)),
    M("weight not transposed", "rnn_step_joined", "joined @ weight.T", "joined @ weight",
      ("test_rnn_step_joined",)),
    M("tanh written with exp (overflows)", "rnn_step_joined",
      "    h = np.tanh(joined @ weight.T + bias)",
      "    a = joined @ weight.T + bias\n"
      "    h = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))",
      ("test_rnn_step_joined",)),
    M("new state written into h_prev", "rnn_step_joined", "    h = np.tanh(",
      "    h = h_prev\n    h[...] = np.tanh(", ("test_rnn_step_joined",)),
    M("a cache returned with h", "rnn_step_joined", "    return h", "    return h, None",
      ("test_rnn_step_joined",)),
    M("weights joined in the wrong order", "rnn_forward", "[weight_ih, weight_hh]",
      "[weight_hh, weight_ih]", ("test_rnn_forward",)),
    M("only bias_ih used", "rnn_forward", "bias = bias_ih + bias_hh", "bias = bias_ih",
      ("test_rnn_forward",)),
    M("only bias_hh used", "rnn_forward", "bias = bias_ih + bias_hh", "bias = bias_hh",
      ("test_rnn_forward",)),
    M("h0 ignored", "rnn_forward", "h, hs = h0, []", "h, hs = np.zeros_like(h0), []",
      ("test_rnn_forward",)),
    M("state not carried", "rnn_forward", "rnn_step_joined(x_t, h,",
      "rnn_step_joined(x_t, h0,", ("test_rnn_forward",)),
    M("every step reads x[0]", "rnn_forward", "rnn_step_joined(x_t, h,",
      "rnn_step_joined(x[0], h,", ("test_rnn_forward",)),
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
    M("two products with the weight split", "rnn_step_joined", _JOINED,
      "    D = x.shape[1]\n"
      "    h = np.tanh(x @ weight[:, :D].T + h_prev @ weight[:, D:].T + bias)\n", ""),
    M("joined with np.hstack", "rnn_step_joined", "np.concatenate([x, h_prev], axis=1)",
      "np.hstack([x, h_prev])", ""),
    M("a loop over the batch", "rnn_step_joined", _JOINED,
      "    h = np.empty((x.shape[0], weight.shape[0]))\n"
      "    for b in range(x.shape[0]):\n"
      "        h[b] = np.tanh(weight @ np.concatenate([x[b], h_prev[b]]) + bias)\n", ""),
    M("prints to stderr", "rnn_step_joined", "    return h",
      "    print('h:', h.shape, file=sys.stderr)\n    return h", "printed"),
    M("warns", "rnn_step_joined", "    return h",
      "    warnings.warn('check me')\n    return h", "caused the warning"),
    M("answers in float32", "rnn_step_joined", "    return h",
      "    return h.astype(np.float32)", ""),
]
