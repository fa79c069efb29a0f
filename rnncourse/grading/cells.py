"""The checks every cell shares: one time step forward, one time step backward, and the count
of a layer's parameters, each with the likely causes of the usual slips."""

import numpy as np

from .framework import CheckFailed, compare, compare_all, learner, reference
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
        a = (problem["x"] @ problem["weight_ih"].T + problem["bias_ih"]
             + problem["h_prev"] @ problem["weight_hh"].T + problem["bias_hh"])
        i, g = np.tanh(a[:, :H]), reference.sigmoid(a[:, 2 * H:3 * H])
        c_swapped = cache.f * problem["c_prev"] + i * g
        found.append(("tanh and sigmoid are swapped for i and g: i = sigmoid(a_i), "
                      "g = tanh(a_g)", (cache.o * np.tanh(c_swapped), c_swapped)))
    if kind == "gru":
        swapped = {k: (gate_blocks(v, (1, 0, 2), H) if k.startswith(("weight", "bias")) else v)
                   for k, v in problem.items()}
        found.append(("the gates are read in the order z, r: r comes first",
                      forward(**swapped, **extra)[0]))
    return found


# The cache each step forward returns, in this order (the assignments state it): a backward
# part is checked on a cache the course builds in this layout, so that a slip in the forward
# costs the forward alone. The rnn step's cache is the bptt notebook's given forward's.
CACHE_LAYOUTS = {"rnn": ("x", "h_prev", "weight_ih", "weight_hh", "h"),
                 "lstm": ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "i", "f", "g", "o",
                          "c"),
                 "gru": ("x", "h_prev", "weight_ih", "weight_hh", "r", "z", "n", "hn",
                         "reset_after")}
CHECKED_CACHES = ("lstm", "gru")           # the rnn assignment leaves its cache to the learner


def course_cache(kind, problem, extra):
    """The cache of one step in the layout of :data:`CACHE_LAYOUTS`, from the reference."""
    outputs, cache = getattr(reference, f"{kind}_step_forward")(**problem, **extra)
    if kind == "rnn":
        return (problem["x"], problem["h_prev"], problem["weight_ih"], problem["weight_hh"],
                outputs)
    return tuple(cache)


def _compare_cache(cache, want, kind):
    layout = CACHE_LAYOUTS[kind]
    if type(cache) not in (tuple, list) or len(cache) != len(layout):
        got = f"a {type(cache).__name__} of {len(cache)}" if type(cache) in (tuple, list) \
            else type(cache).__name__
        raise CheckFailed(f"expected the cache to be the tuple ({', '.join(layout)}), in this "
                          f"order; got {got}")
    compare_all([(f"cache[{k}] ({name})", cache[k], want[k], ())
                 for k, name in enumerate(layout) if name != "reset_after"])
    if "reset_after" in layout and cache[-1] is not want[-1]:
        raise CheckFailed(f"cache[{len(layout) - 1}] (reset_after): expected {want[-1]}, got "
                          f"{cache[-1]!r}")


def step_forward_case(fn, kind, seed, reset_after=True, **shape):
    """The learner's one-step forward against the reference, with likely causes; for the
    LSTM and GRU, its cache too."""
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    want = getattr(reference, f"{kind}_step_forward")(**problem, **extra)[0]
    alternatives = _step_alternatives(kind, problem, extra)
    outputs, cache = unpack_step(learner(fn, **problem, **extra), kind)
    if kind == "lstm":
        compare_all([("c", outputs[1], want[1], [(w, a[1]) for w, a in alternatives]),
                     ("h", outputs[0], want[0], [(w, a[0]) for w, a in alternatives])])
    else:
        compare("h", outputs, want, likely_causes=alternatives)
    if kind in CHECKED_CACHES:
        _compare_cache(cache, course_cache(kind, problem, extra), kind)


def step_backward_case(backward, kind, seed, reset_after=True, **shape):
    """The learner's one-step backward, run on the course's cache (in the layout the
    assignment gives), against the reference; every wrong gradient is named."""
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    rng = np.random.default_rng(seed + 1000)
    B, H = problem["h_prev"].shape
    upstream = {"dh": rng.normal(size=(B, H))}
    if kind == "lstm":
        upstream["dc"] = rng.normal(size=(B, H))
    _, ref_cache = getattr(reference, f"{kind}_step_forward")(**problem, **extra)
    want = getattr(reference, f"{kind}_step_backward")(*upstream.values(), ref_cache)
    grads = learner(backward, **upstream, cache=course_cache(kind, problem, extra),
                    _may_change=("dh", "dc"))
    if type(grads) is not dict:
        raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
    missing = sorted(set(want) - set(grads))
    if missing:
        raise CheckFailed(f"the gradients dict is missing {missing}")
    slips = _backward_alternatives(kind, problem, extra, upstream, want)
    comparisons = []
    for name in want:
        causes = [(explanation, alternative[name]) for explanation, alternative in slips
                  if name in alternative]
        if name.startswith("weight"):
            causes.append(("the weight gradient is not summed over the batch (or divided by "
                           "B)", want[name] / B))
        if name.startswith("bias"):
            causes.append(("the bias gradient is averaged instead of summed over the batch",
                           want[name] / B))
        comparisons.append((f"grads['{name}']", grads[name], want[name], causes))
    compare_all(comparisons)


def _from_da(problem, da, dh_prev):
    """The gradients of a step whose gate pre-activations get ``da`` (an RNN, or a slip in
    one), with ``dh_prev`` for h_prev."""
    return {"x": da @ problem["weight_ih"], "h_prev": dh_prev, "weight_ih": da.T @ problem["x"],
            "weight_hh": da.T @ problem["h_prev"], "bias_ih": da.sum(axis=0),
            "bias_hh": da.sum(axis=0)}


def _gru_backward(problem, cache, dh, dz_sign=1.0, direct=True):
    """A GRU step's gradients from the reference's cache, with the two usual slips: the sign
    of dz flipped (``dz_sign=-1``), the direct path dh * z left out (``direct=False``)."""
    x, h_prev, weight_ih, weight_hh, r, z, n, hn, reset_after = cache
    H = h_prev.shape[1]
    dn = dh * (1.0 - z) * (1.0 - n ** 2)
    dz = dz_sign * dh * (h_prev - n) * z * (1.0 - z)
    dh_prev = dh * z if direct else 0.0 * dh
    if reset_after:
        dr, dgh_n = dn * hn * r * (1.0 - r), dn * r
        dh_prev = dh_prev + dgh_n @ weight_hh[2 * H:]
        dweight_hn = dgh_n.T @ h_prev
    else:
        drh = dn @ weight_hh[2 * H:]
        dr, dgh_n = drh * h_prev * r * (1.0 - r), dn
        dh_prev = dh_prev + drh * r
        dweight_hn = dn.T @ (r * h_prev)
    dgate = np.concatenate([dr, dz], axis=1)
    dgi = np.concatenate([dr, dz, dn], axis=1)
    dgh = np.concatenate([dr, dz, dgh_n], axis=1)
    return {"x": dgi @ weight_ih, "h_prev": dh_prev + dgate @ weight_hh[:2 * H],
            "weight_ih": dgi.T @ x, "weight_hh": np.concatenate([dgate.T @ h_prev, dweight_hn]),
            "bias_ih": dgi.sum(axis=0), "bias_hh": dgh.sum(axis=0)}


def _backward_alternatives(kind, problem, extra, upstream, want):
    """(explanation, gradients) pairs for the usual slips in one step's backward pass; a
    pair may give only the gradients the slip changes."""
    forward = getattr(reference, f"{kind}_step_forward")
    outputs, cache = forward(**problem, **extra)
    dh = upstream["dh"]
    if kind == "rnn":
        h = outputs
        da = dh * (1.0 - h * h)
        return [("tanh's slope is written 1 - h; it is 1 - h**2",
                 _from_da(problem, dh * (1.0 - h), dh * (1.0 - h) @ problem["weight_hh"])),
                ("tanh's slope 1 - h**2 is missing", _from_da(problem, dh, dh @
                                                             problem["weight_hh"])),
                ("the gradient for h_prev uses weight_hh transposed: it is da @ weight_hh",
                 {"h_prev": da @ problem["weight_hh"].T})]
    if kind == "lstm":
        backward = reference.lstm_step_backward
        no_dc = backward(dh, np.zeros_like(upstream["dc"]), cache)
        return [("the upstream dc is missing: the cell's gradient is dc + dh * o * "
                 "(1 - tanh(c)**2)", no_dc),
                ("the gradient for c_prev misses the forget gate: it is dc_t * f",
                 {"c_prev": want["c_prev"] / cache.f})]
    return [("the sign of dz is flipped: h = (1 - z) n + z h_prev gives dz = dh * (h_prev - n)",
             _gru_backward(problem, cache, dh, dz_sign=-1.0)),
            ("the direct path is missing from the gradient for h_prev: it includes dh * z",
             {"h_prev": want["h_prev"] - dh * cache.z})]


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
