"""The bptt assignment's checks: the RNN's step and sequence backward passes, a numerical
gradient, clipping and the norms of the Jacobians' products; the course's version of the step
backward; and the catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .cells import step_backward_case
from .framework import (
    CheckFailed,
    Part,
    compare,
    compare_all,
    graded_on_its_own,
    learner,
    reference,
)
from .problems import expected_outputs, sequence_problem, weights_of

__all__ = ["Part", "step_backward_case", "rnn_backward_case", "numerical_gradient_case",
           "clip_case", "jacobian_norms_case"]


def course_rnn_step_backward(dh, cache):
    """The course's step backward on the cache of the bptt notebook's given forward pass:
    (x, h_prev, weight_ih, weight_hh, h)."""
    x, h_prev, weight_ih, weight_hh, h = cache
    da = dh * (1.0 - h * h)
    return {"x": da @ weight_ih, "h_prev": da @ weight_hh, "weight_ih": da.T @ x,
            "weight_hh": da.T @ h_prev, "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}


def rnn_backward_case(forward, backward, seed, **shape):
    layer, x = sequence_problem("rnn", seed, **shape)
    rng = np.random.default_rng(seed + 11)
    h0 = rng.normal(size=(x.shape[1], layer.hidden_size))
    weights = weights_of(layer)
    dhs = rng.normal(size=(x.shape[0], x.shape[1], layer.hidden_size))
    layer(x, h0[None])
    dx, dh0 = layer.backward(dhs)
    want = {"x": dx, "h0": dh0[0], **{k: layer.grads[k + "_l0"].copy() for k in weights}}
    # A frequent slip: each step gets only its own upstream gradient, none from step t+1.
    hs = expected_outputs(layer, x, h0[None])[0]
    steps = [reference.rnn_step_backward(dhs[t], reference.rnn_step_forward(
        x[t], hs[t - 1] if t else h0, **weights)[1]) for t in range(x.shape[0])]
    local = {"x": np.stack([s["x"] for s in steps]), "h0": steps[0]["h_prev"],
             **{k: sum(s[k] for s in steps) for k in weights}}
    given = learner(forward, x=x, h0=h0, **weights)
    if type(given) is not tuple or len(given) != 2:
        raise CheckFailed("rnn_forward (given at the top of the notebook) was changed: it must "
                          "return (hs, caches)")
    caches = given[1]

    def run():
        grads = learner(backward, dhs=dhs, caches=caches)
        if type(grads) is not dict:
            raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
        missing = sorted(set(want) - set(grads))
        if missing:
            raise CheckFailed(f"the gradients dict is missing {missing}")
        compare_all([(f"grads['{name}']", grads[name], want[name], [
            ("the gradient flowing back from step t+1 into h_t is not added", local[name])])
            for name in want])
    graded_on_its_own(backward, run, {"rnn_step_backward": lambda f: step_backward_case(
        _given_rnn_step_forward(backward), f, "rnn", 14)},
        {"rnn_step_backward": course_rnn_step_backward})


def _given_rnn_step_forward(function):
    """The bptt notebook's given (locked) forward step, from the learner's globals."""
    return function.__globals__.get("rnn_step_forward")


def numerical_gradient_case(fn, shape=(2, 2), h=None, seed=0):
    """The learner's centred difference of f(x) = sum(sin(x) * x**3) on an x of any shape,
    against the exact centred difference for that step h (not the exact derivative: a
    function that ignores h is then wrong)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=shape)
    original = x.copy()
    step = 1e-5 if h is None else h

    def value(v):
        return np.sin(v) * v ** 3

    centred = (value(original + step) - value(original - step)) / (2 * step)
    one_sided = (value(original + step) - value(original)) / step
    ignores_h = (value(original + 1e-5) - value(original - 1e-5)) / 2e-5
    calls = []

    def f():
        calls.append(1)
        return float(np.sum(value(x)))

    arguments = {"f": f, "x": x} if h is None else {"f": f, "x": x, "h": h}
    # The function's job is to change x in place and put it back, so it gets x itself.
    got = learner(fn, _copies=False, _allow=(f.__code__, value.__code__), **arguments)
    compare("x after the call", x, original)
    if not calls:
        raise CheckFailed("f was never called: perturb x in place and call f()")
    causes = [("a one-sided difference (f(x+h) - f(x)) / h is only accurate to about h: use "
               "(f(x+h) - f(x-h)) / 2h", one_sided)]
    if h is not None:
        causes.append((f"h is ignored: the difference must use the h it is given ({h:g})",
                       ignores_h))
    compare("gradient", got, centred, likely_causes=causes)


def clip_case(fn, seed, zero=False):
    rng = np.random.default_rng(seed)
    grads = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5), "c": rng.normal(size=())}
    if zero:
        grads = {k: np.zeros_like(v) for k, v in grads.items()}
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for max_norm in ((norm / 2, norm * 2) if norm else (1.0,)):
        scale = min(1.0, max_norm / norm) if norm else 1.0
        result = learner(fn, grads=grads, max_norm=max_norm)
        if type(result) is not tuple or len(result) != 2:
            raise CheckFailed("expected clip_gradients to return (clipped grads, norm)")
        clipped, before = result
        if type(clipped) is not dict or set(clipped) != set(grads):
            raise CheckFailed(f"expected a dict with the keys {sorted(grads)}")
        comparisons = [("the returned norm", before, norm, [
            ("the norm after clipping is returned; return the one before", min(norm, max_norm))])]
        for name in grads:
            own = np.linalg.norm(grads[name])
            separately = grads[name] * (min(1.0, max_norm / own) if own else 1.0)
            comparisons.append((f"clipped['{name}']", clipped[name], grads[name] * scale, [
                ("each array is clipped on its own; clip by the norm of all gradients "
                 "together", separately)]))
        compare_all(comparisons)


def jacobian_norms_case(fn, seed, T=8, H=4):
    rng = np.random.default_rng(seed)
    weight_hh = rng.normal(0, 0.6, (H, H))
    hs = np.tanh(rng.normal(size=(T, H)))
    jacobians = [(1 - hs[t] ** 2)[:, None] * weight_hh for t in range(T)]   # dh_t/dh_{t-1}
    want, without_slope, reversed_order = np.empty(T), np.empty(T), np.empty(T)
    product, plain, backwards = np.eye(H), np.eye(H), np.eye(H)
    for k in range(T):
        want[k] = np.linalg.norm(product)
        without_slope[k] = np.linalg.norm(plain)
        reversed_order[k] = np.linalg.norm(backwards)
        t = T - 1 - k
        product = product @ jacobians[t]
        plain = plain @ weight_hh
        backwards = jacobians[t] @ backwards
    got = learner(fn, weight_hh=weight_hh, hs=hs)
    compare("norms", got, want, likely_causes=[
        ("the tanh slopes diag(1 - h_t^2) are missing from the product", without_slope),
        ("the Jacobians are multiplied in the reverse order: the product starts from the "
         "last step's, dh_{T-1}/dh_{T-2}, on the left", reversed_order)])


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("tanh slope 1 - h", "rnn_step_backward", "(1.0 - h * h)", "(1.0 - h)",
      ("test_rnn_step_backward",)),
    M("no tanh slope", "rnn_step_backward", "da = dh * (1.0 - h * h)", "da = dh",
      ("test_rnn_step_backward",)),
    M("weight gradient transposed", "rnn_step_backward", '"weight_ih": da.T @ x',
      '"weight_ih": x.T @ da', ("test_rnn_step_backward",)),
    M("bias gradient averaged", "rnn_step_backward", '"bias_ih": da.sum(axis=0)',
      '"bias_ih": da.mean(axis=0)', ("test_rnn_step_backward",)),
    M("h_prev gradient through W^T", "rnn_step_backward", '"h_prev": da @ weight_hh',
      '"h_prev": da @ weight_hh.T', ("test_rnn_step_backward",)),
    M("no gradient from the next step", "rnn_backward", "dhs[t] + dh_next", "dhs[t]",
      ("test_rnn_backward",)),
    M("dx left in reverse order", "rnn_backward", "np.stack(dx[::-1])", "np.stack(dx)",
      ("test_rnn_backward",)),
    M("weight gradients not summed over time", "rnn_backward",
      "grads[name] = grads[name] + step[name]", "grads[name] = step[name]",
      ("test_rnn_backward",)),
    M("difference not divided by 2h", "numerical_gradient", "(plus - minus) / (2 * h)",
      "(plus - minus) / h", ("test_numerical_gradient",)),
    M("x not restored", "numerical_gradient", "        x[index] = original\n", "",
      ("test_numerical_gradient",)),
    M("each array clipped on its own", "clip", "g * scale for",
      "g * min(1.0, max_norm / np.linalg.norm(g)) for", ("test_clip",)),
    M("norm after clipping returned", "clip", "}, norm", "}, min(norm, max_norm)",
      ("test_clip",)),
    M("tanh slopes left out of the product", "jacobian_norms",
      "product @ ((1.0 - hs[t] ** 2)[:, None] * weight_hh)", "product @ weight_hh",
      ("test_jacobian_norms",)),
]

HONEST = [
    M("updates dh in place", "rnn_step_backward", "    da = dh * (1.0 - h * h)",
      "    dh *= 1.0 - h * h\n    da = dh", "changed its argument `dh` in place"),
]
