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
    guard,
    learner,
    mismatch,
    note,
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
    # Another: the weight gradients of one step only, the first or the last.
    per_step, dh = [None] * x.shape[0], np.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        per_step[t] = reference.rnn_step_backward(dhs[t] + dh, reference.rnn_step_forward(
            x[t], hs[t - 1] if t else h0, **weights)[1])
        dh = per_step[t]["h_prev"]
    one_step = [(f"the weight gradients are those of the {which} step only: add every "
                 "step's", {k: per_step[t][k] for k in weights})
                for which, t in (("first", 0), ("last", -1))]
    given = learner(forward, x=x, h0=h0, **weights)
    if type(given) is not tuple or len(given) != 2:
        raise CheckFailed("rnn_forward (given at the top of the notebook) was changed: it must "
                          "return (hs, caches)")
    caches = given[1]

    def run():
        grads = learner(backward, dhs=dhs, caches=caches, _may_change=("dhs",))
        if type(grads) is not dict:
            raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
        missing = sorted(set(want) - set(grads))
        if missing:
            raise CheckFailed(f"the gradients dict is missing {missing}")
        compare_all([(f"grads['{name}']", grads[name], want[name], [
            ("the gradient flowing back from step t+1 into h_t is not added", local[name])]
            + [(why, alternative[name]) for why, alternative in one_step if name in alternative])
            for name in want])
    graded_on_its_own(backward, run, {"rnn_step_backward": lambda f: step_backward_case(
        f, "rnn", 14)}, {"rnn_step_backward": course_rnn_step_backward})


def numerical_gradient_case(fn, shape=(2, 2), h=None, seed=0, strided=False):
    """The learner's centred difference of f(x) = sum(sin(x) * x**3) on an x of any shape,
    against the exact centred difference for that step h (not the exact derivative: a
    function that ignores h is then wrong). ``strided``: x is every other column of a larger
    array, as a slice of a parameter can be."""
    rng = np.random.default_rng(seed)
    if strided:
        x = rng.uniform(-1.5, 1.5, size=shape[:-1] + (2 * shape[-1],))[..., ::2]
    else:
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
    got = learner(fn, _copies=False, _allow=(f.__code__, value.__code__), _may_change=("x",),
                  **arguments)
    compare("x after the call", x, original)
    if not calls:
        raise CheckFailed("f was never called: perturb x in place and call f()")
    ignored = (f"h is ignored: the difference must use the h it is given ({h:g})"
               if h is not None else None)
    causes = [("a one-sided difference (f(x+h) - f(x)) / h is only accurate to about h: use "
               "(f(x+h) - f(x-h)) / 2h", one_sided),
              ("the gradient is zero everywhere: x.ravel() or x.flatten() is a copy when x is "
               "not contiguous, so changing it leaves x alone; index x itself (np.ndindex)",
               np.zeros_like(centred))]
    if ignored:
        causes.append((ignored, ignores_h))
    compare("gradient", got, centred, likely_causes=causes)
    # float32's tolerance is wider than the difference h makes: an answer nearer the default
    # step's quotient than the given step's ignored h.
    if ignored and _farther(got, centred, ignores_h):
        raise CheckFailed(f"gradient: nearer the difference with h = 1e-05 than with the given "
                          f"h. Likely cause: {ignored}")


def _farther(got, want, alternative):
    """Whether ``got`` (read as plain floats) is nearer ``alternative`` than ``want``."""
    values = guard.as_numbers(got)[1]
    return sum(abs(v - a) for v, a in zip(values, np.ravel(alternative).tolist())) < \
        sum(abs(v - w) for v, w in zip(values, np.ravel(want).tolist()))


def clip_case(fn, seed, zero=False):
    rng = np.random.default_rng(seed)
    grads = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5), "c": rng.normal(size=())}
    if zero:
        grads = {k: np.zeros_like(v) for k, v in grads.items()}
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for max_norm in ((norm / 2, norm * 2) if norm else (1.0,)):
        scale = min(1.0, max_norm / norm) if norm else 1.0
        # PyTorch's clip_grad_norm_ (and rnncore's) divides by norm + 1e-6: as right.
        torch_scale = min(1.0, max_norm / (norm + 1e-6))
        result = learner(fn, grads=grads, max_norm=max_norm, _may_change=("grads",))
        if type(result) is not tuple or len(result) != 2:
            raise CheckFailed("expected clip_gradients to return (clipped grads, norm)")
        clipped, before = result
        if type(clipped) is not dict or set(clipped) != set(grads):
            raise CheckFailed(f"expected a dict with the keys {sorted(grads)}")
        if all(mismatch(f"clipped['{name}']", clipped[name], grads[name] * torch_scale) is None
               for name in grads) and scale != torch_scale:
            scale = torch_scale
            note("clip_gradients divides by norm + 1e-6, as PyTorch's clip_grad_norm_ does: "
                 "that is right too")
        comparisons = [("the returned norm", before, norm, [
            ("the norm after clipping is returned; return the one before", min(norm, max_norm))])]
        for name in grads:
            own = np.linalg.norm(grads[name])
            separately = grads[name] * (min(1.0, max_norm / own) if own else 1.0)
            comparisons.append((f"clipped['{name}']", clipped[name], grads[name] * scale, [
                ("each array is clipped on its own; clip by the norm of all gradients "
                 "together", separately)]))
        compare_all(comparisons)


def _product_norms(factors, left=False, order=None):
    """The norms of the products of ``factors`` from the last one back, k factors for
    k = 0 .. T-1: each new factor multiplies on the right, or on the ``left``; ``order`` is
    np.linalg.norm's (None: Frobenius)."""
    product, norms = np.eye(len(factors[0])), []
    for factor in reversed(factors):
        norms.append(np.linalg.norm(product, order))
        product = factor @ product if left else product @ factor
    return np.array(norms)


def jacobian_norms_case(fn, seed, T=8, H=4):
    rng = np.random.default_rng(seed)
    weight_hh = rng.normal(0, 0.6, (H, H))
    hs = np.tanh(rng.normal(size=(T, H)))
    slopes = [(1 - hs[t] ** 2)[:, None] for t in range(T)]
    jacobians = [slope * weight_hh for slope in slopes]                     # dh_t/dh_{t-1}
    got = learner(fn, weight_hh=weight_hh, hs=hs)
    compare("norms", got, _product_norms(jacobians), likely_causes=[
        ("the tanh slopes diag(1 - h_t^2) are missing from the product",
         _product_norms([weight_hh] * T)),
        ("the Jacobians are multiplied in the reverse order: the product starts from the "
         "last step's, dh_{T-1}/dh_{T-2}, on the left, and each earlier step's joins it on the "
         "right", _product_norms(jacobians, left=True)),
        ("each Jacobian uses weight_hh transposed: dh_t/dh_{t-1} = diag(1 - h_t^2) weight_hh",
         _product_norms([slope * weight_hh.T for slope in slopes])),
        ("the diagonal is on the wrong side: dh_t/dh_{t-1} = diag(1 - h_t^2) weight_hh, not "
         "weight_hh diag(1 - h_t^2)", _product_norms([weight_hh * slope.T for slope in slopes])),
        ("the spectral norm (ord=2) is taken; the Frobenius norm is asked for",
         _product_norms(jacobians, order=2))])


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
    M("Jacobian with weight_hh transposed", "jacobian_norms",
      "(1.0 - hs[t] ** 2)[:, None] * weight_hh)", "(1.0 - hs[t] ** 2)[:, None] * weight_hh.T)",
      ("test_jacobian_norms",)),
    M("Jacobian's diagonal on the right", "jacobian_norms",
      "((1.0 - hs[t] ** 2)[:, None] * weight_hh)", "(weight_hh * (1.0 - hs[t] ** 2)[None, :])",
      ("test_jacobian_norms",)),
    M("spectral norm", "jacobian_norms", "norms[k] = np.linalg.norm(product)",
      "norms[k] = np.linalg.norm(product, 2)", ("test_jacobian_norms",)),
    M("h ignored, in float32", "numerical_gradient", "    grad = np.zeros_like(x)\n",
      "    grad = np.zeros_like(x, dtype=np.float32)\n    h = 1e-5\n",
      ("test_numerical_gradient",)),
    M("perturbs x.ravel()", "numerical_gradient",
      "    for index in np.ndindex(x.shape):\n        original = x[index]\n"
      "        x[index] = original + h\n        plus = f()\n        x[index] = original - h\n"
      "        minus = f()\n        x[index] = original\n"
      "        grad[index] = (plus - minus) / (2 * h)",
      "    flat, flat_grad = x.ravel(), grad.ravel()\n    for index in range(flat.size):\n"
      "        original = flat[index]\n        flat[index] = original + h\n        plus = f()\n"
      "        flat[index] = original - h\n        minus = f()\n        flat[index] = original\n"
      "        flat_grad[index] = (plus - minus) / (2 * h)", ("test_numerical_gradient",)),
    M("tanh slopes left out of the product", "jacobian_norms",
      "product @ ((1.0 - hs[t] ** 2)[:, None] * weight_hh)", "product @ weight_hh",
      ("test_jacobian_norms",)),
]

HONEST = [
    M("clips by norm + 1e-6, as PyTorch", "clip",
      "scale = min(1.0, max_norm / norm) if norm > 0 else 1.0",
      "scale = min(1.0, max_norm / (norm + 1e-6))", "divides by norm + 1e-6"),
    M("clips in place, as PyTorch", "clip", "    return {name: g * scale for name, g in "
      "grads.items()}, norm", "    for g in grads.values():\n        g *= scale\n"
      "    return grads, norm", "changed its argument `grads` in place"),
    M("updates dh in place", "rnn_step_backward", "    da = dh * (1.0 - h * h)",
      "    dh *= 1.0 - h * h\n    da = dh", "changed its argument `dh` in place"),
]
