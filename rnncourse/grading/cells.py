"""The checks the assignments share: one time step backward, on a cache the course builds, and
the count of a layer's parameters, each with the likely causes of the usual slips."""

import numpy as np

from .framework import CheckFailed, compare, compare_all, learner, reference
from .messages import say
from .problems import GATES, step_problem

# The cache of each given step forward, in this order (the notebooks state it): a backward
# part is checked on a cache the course builds in this layout.
CACHE_LAYOUTS = {"rnn": ("x", "h_prev", "weight_ih", "weight_hh", "h"),
                 "lstm": ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "i", "f", "g", "o",
                          "c"),
                 "gru": ("x", "h_prev", "weight_ih", "weight_hh", "r", "z", "n", "hn",
                         "reset_after")}


def course_cache(kind, problem, extra):
    """The cache of one step in the layout of :data:`CACHE_LAYOUTS`, from the reference."""
    outputs, cache = getattr(reference, f"{kind}_step_forward")(**problem, **extra)
    if kind == "rnn":
        return (problem["x"], problem["h_prev"], problem["weight_ih"], problem["weight_hh"],
                outputs)
    return tuple(cache)


def given_step(kind):
    """The step forward a notebook gives, computed by the reference: its outputs, and its
    cache in the layout of :data:`CACHE_LAYOUTS` (a later part runs with it in place of a
    redefined one)."""
    forward = getattr(reference, f"{kind}_step_forward")

    def step(*args, **kwargs):
        outputs, cache = forward(*args, **kwargs)
        return outputs, tuple(cache)
    step.__name__ = step.__qualname__ = f"{kind}_step_forward"
    return step


def given_step_is_right(fn, kind, variants=({},)):
    """Raises unless ``fn`` computes the notebook's given step forward, cache included, for
    each of ``variants`` (keyword arguments, such as the GRU's reset_after)."""
    for seed, extra in enumerate(variants, start=13):
        problem = step_problem(kind, seed)
        want, want_cache = given_step(kind)(**problem, **extra)
        got, cache = learner(fn, **problem, **extra)
        pairs = list(zip(got, want, strict=True)) if kind == "lstm" else [(got, want)]
        compare_all([(say("output {k}", k=k), g, w, ()) for k, (g, w) in enumerate(pairs)]
                    + [(f"cache[{k}]", g, w, ()) for k, (g, w) in
                       enumerate(zip(cache, want_cache, strict=True))
                       if isinstance(w, np.ndarray)])
        if any(g is not w for g, w in zip(cache, want_cache) if not isinstance(w, np.ndarray)):
            raise CheckFailed(say("the cache's flags differ from the given step's"))


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
        raise CheckFailed(say("expected a dict of gradients, got {kind}",
                              kind=type(grads).__name__))
    missing = sorted(set(want) - set(grads))
    if missing:
        raise CheckFailed(say("the gradients dict is missing {missing}", missing=missing))
    slips = _backward_alternatives(kind, problem, extra, upstream, want)
    comparisons = []
    for name in want:
        causes = [(explanation, alternative[name]) for explanation, alternative in slips
                  if name in alternative]
        if name.startswith("weight"):
            causes.append((say("the weight gradient is not summed over the batch (or divided "
                               "by B)"), want[name] / B))
        if name.startswith("bias"):
            causes.append((say("the bias gradient is averaged instead of summed over the batch"),
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
        return [(say("tanh's slope is written 1 - h; it is 1 - h**2"),
                 _from_da(problem, dh * (1.0 - h), dh * (1.0 - h) @ problem["weight_hh"])),
                (say("tanh's slope 1 - h**2 is missing"), _from_da(problem, dh, dh @
                                                             problem["weight_hh"])),
                (say("the gradient for h_prev uses weight_hh transposed: it is da @ weight_hh"),
                 {"h_prev": da @ problem["weight_hh"].T})]
    if kind == "lstm":
        backward = reference.lstm_step_backward
        no_dc = backward(dh, np.zeros_like(upstream["dc"]), cache)
        return [(say("the upstream dc is missing: the cell's gradient is dc + dh * o * "
                     "(1 - tanh(c)**2)"), no_dc),
                (say("the gradient for c_prev misses the forget gate: it is dc_t * f"),
                 {"c_prev": want["c_prev"] / cache.f})]
    return [(say("the sign of dz is flipped: h = (1 - z) n + z h_prev gives "
                 "dz = dh * (h_prev - n)"),
             _gru_backward(problem, cache, dh, dz_sign=-1.0)),
            (say("the direct path is missing from the gradient for h_prev: it includes dh * z"),
             {"h_prev": want["h_prev"] - dh * cache.z})]


def parameter_count_case(fn, kind, sizes=((3, 5), (10, 1), (1, 7))):
    for D, H in sizes:
        got = learner(fn, D=D, H=H)
        want = {"lstm": reference.LSTM, "gru": reference.GRU, "rnn": reference.RNN}[kind](
            D, H).num_parameters()
        gates = GATES[kind]
        compare(f"count({D}, {H})", got, float(want), likely_causes=[
            (say("the biases are missing"), gates * H * (D + H)),
            (say("only one bias vector per gate is counted (torch has two)"),
             gates * (H * (D + H) + H))])
