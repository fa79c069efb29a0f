"""The checks every cell shares: one time step forward, one time step backward, and the count
of a layer's parameters, each with the likely causes of the usual slips."""

import numpy as np

from .framework import CheckFailed, compare, compare_all, fails, learner, reference
from .problems import GATES, gate_blocks, step_problem, unpack_step


def _step_alternatives(kind, problem, extra):
    """(explanation, outputs) pairs for the usual slips in one step's forward pass."""
    forward = getattr(reference, f"{kind}_step_forward")

    def outputs(**changes):
        return forward(**{**problem, **changes}, **extra)[0]

    H = problem["h_prev"].shape[1]
    zero = np.zeros_like(problem["bias_hh"])
    found = [("bias_hh is missing (add both biases)", outputs(bias_hh=zero)),
             ("bias_ih is missing (add both biases)", outputs(bias_ih=zero)),
             ("h_prev is ignored", outputs(h_prev=np.zeros_like(problem["h_prev"])))]
    if kind == "rnn":
        a = (problem["x"] @ problem["weight_ih"].T + problem["bias_ih"]
             + problem["h_prev"] @ problem["weight_hh"].T + problem["bias_hh"])
        found += [("the recurrent weight is used untransposed: h_prev @ weight_hh.T is meant",
                   outputs(weight_hh=problem["weight_hh"].T.copy())),
                  ("the activation is not tanh (ReLU?)", np.maximum(a, 0)),
                  ("the activation is not tanh (sigmoid?)", reference.sigmoid(a)),
                  ("the activation is missing", a)]
        if problem["weight_ih"].shape[0] == problem["weight_ih"].shape[1]:   # D == H
            found.append(("the input weight is used untransposed: x @ weight_ih.T is meant",
                          outputs(weight_ih=problem["weight_ih"].T.copy())))
    if kind == "gru":
        (h, cache) = forward(**problem, **extra)
        found += [("the reset gate is applied on the wrong side of W_hn (check reset_after)",
                   forward(**problem, reset_after=not extra["reset_after"])[0]),
                  ("the update gate mixes the wrong way: h = (1 - z) * n + z * h_prev",
                   cache.z * cache.n + (1.0 - cache.z) * problem["h_prev"])]
        if extra["reset_after"]:
            x_n = (problem["x"] @ problem["weight_ih"].T + problem["bias_ih"])[:, 2 * H:]
            hn_no_bias = problem["h_prev"] @ problem["weight_hh"][2 * H:].T
            n = np.tanh(x_n + cache.r * hn_no_bias + problem["bias_hh"][2 * H:])
            found.append(("the reset gate multiplies h_prev W_hn^T but not b_hn: "
                          "n = tanh(x W_in^T + b_in + r * (h_prev W_hn^T + b_hn))",
                          (1.0 - cache.z) * n + cache.z * problem["h_prev"]))
    if kind == "lstm":
        for explanation, order in (("the gates are read in the order f, i, g, o: i and f "
                                    "swapped", (1, 0, 2, 3)),
                                   ("the gates are read in the order i, f, o, g: g and o "
                                    "swapped", (0, 1, 3, 2))):
            swapped = {k: (gate_blocks(v, order, H) if k.startswith(("weight", "bias")) else v)
                       for k, v in problem.items()}
            found.append((explanation, forward(**swapped)[0]))
        (h, c), cache = forward(**problem)
        found.append(("h is o * c: tanh(c) is missing", (cache.o * c, c)))
    return found


def step_forward_case(fn, kind, seed, reset_after=True, **shape):
    """The learner's one-step forward against the reference, with likely causes."""
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    want = getattr(reference, f"{kind}_step_forward")(**problem, **extra)[0]
    alternatives = _step_alternatives(kind, problem, extra)
    outputs, _ = unpack_step(learner(fn, **problem, **extra), kind)
    if kind == "lstm":
        compare_all([("c", outputs[1], want[1], [(w, a[1]) for w, a in alternatives]),
                     ("h", outputs[0], want[0], [(w, a[0]) for w, a in alternatives])])
    else:
        compare("h", outputs, want, likely_causes=alternatives)


def step_backward_case(forward, backward, kind, seed, reset_after=True, **shape):
    """The learner's one-step backward, run on the learner's own cache, against the
    reference; every wrong gradient is named."""
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    rng = np.random.default_rng(seed + 1000)
    B, H = problem["h_prev"].shape
    upstream = {"dh": rng.normal(size=(B, H))}
    if kind == "lstm":
        upstream["dc"] = rng.normal(size=(B, H))
    _, ref_cache = getattr(reference, f"{kind}_step_forward")(**problem, **extra)
    want = getattr(reference, f"{kind}_step_backward")(*upstream.values(), ref_cache)
    forward_wrong = fails(step_forward_case, forward, kind, seed, reset_after, **shape)
    _, cache = unpack_step(learner(forward, **problem, **extra), kind)
    grads = learner(backward, **upstream, cache=cache)
    if type(grads) is not dict:
        raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
    missing = sorted(set(want) - set(grads))
    if missing:
        raise CheckFailed(f"the gradients dict is missing {missing}")
    comparisons = []
    for name in want:
        causes = []
        if name.startswith("weight"):
            causes.append(("the weight gradient is not summed over the batch (or divided by "
                           "B)", want[name] / B))
        if name.startswith("bias"):
            causes.append(("the bias gradient is averaged instead of summed over the batch",
                           want[name] / B))
        if kind == "rnn" and name == "h_prev":
            causes.append(("the gradient for h_prev uses weight_hh transposed: it is "
                           "da @ weight_hh", _rnn_da(problem, upstream["dh"])
                           @ problem["weight_hh"].T))
        comparisons.append((f"grads['{name}']", grads[name], want[name], causes))
    try:
        compare_all(comparisons)
    except CheckFailed as failure:
        if forward_wrong:
            name = getattr(forward, "__name__", "forward pass")
            raise CheckFailed(f"{failure}\n(your {name} is wrong too, and this backward pass "
                              "reads its cache: fix the forward pass first)") from None
        raise


def _rnn_da(problem, dh):
    a = (problem["x"] @ problem["weight_ih"].T + problem["bias_ih"]
         + problem["h_prev"] @ problem["weight_hh"].T + problem["bias_hh"])
    return dh * (1.0 - np.tanh(a) ** 2)


def parameter_count_case(fn, kind, sizes=((3, 5), (10, 1), (1, 7))):
    for D, H in sizes:
        got = learner(fn, D=D, H=H)
        want = {"lstm": reference.LSTM, "gru": reference.GRU, "rnn": reference.RNN}[kind](
            D, H).num_parameters()
        gates = GATES[kind]
        compare(f"count({D}, {H})", got, float(want), likely_causes=[
            ("the biases are missing", gates * H * (D + H)),
            ("only one bias vector per gate is counted (torch has two)",
             gates * (H * (D + H) + H))])
