"""The bptt assignment's checks: one RNN step backward with its weights joined, the backward
pass through a sequence, a numerical gradient, clipping and the norms of the Jacobians'
products; and the catalogue."""

import numpy as np

from .catalogue import Mistake as M
from .cells import step_backward_case
from .framework import (
    CheckFailed,
    Part,
    compare,
    compare_all,
    describe_error,
    graded_on_its_own,
    guard,
    learner,
    mismatch,
    note,
    reference,
)
from .messages import say
from .problems import expected_outputs, sequence_problem, step_problem, weights_of

__all__ = ["Part", "step_joined_backward_case", "rnn_backward_case", "numerical_gradient_case",
           "clip_case", "jacobian_norms_case"]


# -- Part 1: one step backward, the weights joined ------------------------------------------
# The notebook's given rnn_step_joined_forward(x, h_prev, weight, bias) keeps the cache
# (xh, weight, h): xh = [x, h_prev] (B, D + H), x's features first; weight = [U W] (H, D + H).

def joined_step(problem):
    """One step's problem (:func:`.problems.step_problem`, "rnn") with its weights joined: the
    joined arguments (x, h_prev, weight, bias) and the cache (xh, weight, h) of the notebook's
    given forward, the state computed by rnncore's step on the two matrices."""
    weight = np.concatenate([problem["weight_ih"], problem["weight_hh"]], axis=1)
    bias = problem["bias_ih"] + problem["bias_hh"]
    h = reference.rnn_step_forward(**problem)[0]
    xh = np.concatenate([problem["x"], problem["h_prev"]], axis=1)
    return {"x": problem["x"], "h_prev": problem["h_prev"], "weight": weight, "bias": bias}, \
        (xh, weight, h)


def joined_gradients(split):
    """The joined step's gradients from the gradients of the two-matrix step (a dict as
    rnncore's rnn_step_backward returns): weight = [d weight_ih, d weight_hh], bias =
    d bias_ih (the step's pre-activation gets each bias once)."""
    return {"x": split["x"], "h_prev": split["h_prev"],
            "weight": np.concatenate([split["weight_ih"], split["weight_hh"]], axis=1),
            "bias": split["bias_ih"]}


def expected_joined_backward(problem, dh):
    """The joined step's gradients, by rnncore's rnn_step_backward on the weights split."""
    cache = reference.rnn_step_forward(**problem)[1]
    return joined_gradients(reference.rnn_step_backward(dh, cache))


def _joined_slips(problem, dh, want):
    """(explanation, gradients) pairs for the usual slips in the joined step's backward."""
    D = problem["x"].shape[1]
    _, (xh, weight, h) = joined_step(problem)

    def from_da(da):
        dxh = da @ weight
        return {"x": dxh[:, :D], "h_prev": dxh[:, D:], "weight": da.T @ xh,
                "bias": da.sum(axis=0)}

    slips = [(say("tanh's slope is written 1 - h; it is 1 - h**2"), from_da(dh * (1.0 - h))),
             (say("tanh's slope 1 - h**2 is missing"), from_da(dh))]
    dxh = (dh * (1.0 - h * h)) @ weight
    H = h.shape[1]
    # With D == H, a split at the wrong place gives both gradients their right shapes.
    slips.append((say("the gradient for [x, h_prev] is split at the wrong place: x's D "
                      "features come first in xh, then h_prev's H"),
                  {"x": dxh[:, -D:], "h_prev": dxh[:, :H]}))
    B = xh.shape[0]
    slips.append((say("the weight gradient is not summed over the batch (or divided by B)"),
                  {"weight": want["weight"] / B}))
    slips.append((say("the bias gradient is averaged instead of summed over the batch"),
                  {"bias": want["bias"] / B}))
    return slips


SHAPES = {"x": "(B, D)", "h_prev": "(B, H)", "weight": "(H, D + H)", "bias": "(H,)"}


def _split_shapes(grads, B, D, H):
    """A message when the gradients for x and h_prev have the shapes of an unsplit or wrongly
    split gradient for [x, h_prev], or None."""
    shapes = {name: getattr(grads.get(name), "shape", None) for name in ("x", "h_prev")}
    if shapes["x"] == (B, D + H) or shapes["h_prev"] == (B, D + H):
        return say("grads['x'] and grads['h_prev'] must be the two parts of the gradient for "
                   "[x, h_prev] (B, D + H) = {whole}: x's are its first D columns, {want_x}, "
                   "h_prev's the last H, {want_h}; got {got_x} and {got_h}. Likely cause: the "
                   "gradient for [x, h_prev] is not split", whole=(B, D + H), want_x=(B, D),
                   want_h=(B, H), got_x=shapes["x"], got_h=shapes["h_prev"])
    if D != H and shapes["x"] == (B, H) and shapes["h_prev"] == (B, D):
        return say("grads['x'] has the shape {got_x} and grads['h_prev'] {got_h}; expected "
                   "{want_x} and {want_h}. Likely cause: the gradient for [x, h_prev] is split "
                   "at the wrong place: x's D features come first in xh, then h_prev's H",
                   got_x=(B, H), got_h=(B, D), want_x=(B, D), want_h=(B, H))
    return None


def step_joined_backward_case(fn, seed, **shape):
    """The learner's backward of one step with the weights joined, run on the cache the
    course builds in the layout of the notebook's given rnn_step_joined_forward."""
    problem = step_problem("rnn", seed, **shape)
    rng = np.random.default_rng(seed + 1000)
    B, D = problem["x"].shape
    H = problem["h_prev"].shape[1]
    dh = rng.normal(size=(B, H))
    want = expected_joined_backward(problem, dh)
    _, cache = joined_step(problem)
    try:
        grads = learner(fn, dh=dh, cache=cache, _may_change=("dh",))
    except CheckFailed:
        raise
    except Exception as error:
        # the framework's hint (x @ weight_ih.T) does not fit a joined weight: ours instead
        raise CheckFailed(describe_error(error, matmul_hint=say(
            ". Hint: weight is (H, D + H), so the gradient for [x, h_prev] is da @ weight, "
            "(B, D + H), and the weight's own gradient is da.T @ xh, (H, D + H)"))) from None
    if type(grads) is not dict:
        raise CheckFailed(say("expected a dict of gradients with the keys 'x', 'h_prev', "
                              "'weight' and 'bias', got {kind}", kind=type(grads).__name__))
    missing = [name for name in want if name not in grads]
    if missing:
        raise CheckFailed(say("the gradients dict is missing {missing}: it has the keys 'x' "
                              "{x}, 'h_prev' {h_prev}, 'weight' {weight} and 'bias' {bias}",
                              missing=missing, **SHAPES))
    split = _split_shapes(grads, B, D, H)
    if split:
        raise CheckFailed(split)
    slips = _joined_slips(problem, dh, want)
    compare_all([(f"grads['{name}']", grads[name], want[name],
                  [(why, alternative[name]) for why, alternative in slips if name in alternative])
                 for name in want])


# -- Part 2: backward through time, with the given rnn_step_backward ------------------------

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
    one_step = [(which, {k: per_step[t][k] for k in weights}) for which, t in (
        (say("the weight gradients are those of the first step only: add every step's"), 0),
        (say("the weight gradients are those of the last step only: add every step's"), -1))]
    given = learner(forward, x=x, h0=h0, **weights)
    if type(given) is not tuple or len(given) != 2:
        raise CheckFailed(say("rnn_forward (given at the top of the notebook) was changed: it "
                              "must return (hs, caches)"))
    caches = given[1]

    def run():
        grads = learner(backward, dhs=dhs, caches=caches, _may_change=("dhs",))
        if type(grads) is not dict:
            raise CheckFailed(say("expected a dict of gradients, got {kind}",
                                  kind=type(grads).__name__))
        missing = sorted(set(want) - set(grads))
        if missing:
            raise CheckFailed(say("the gradients dict is missing {missing}", missing=missing))
        wrong = [m for m in (mismatch(f"grads['{name}']", grads[name], want[name], [
            (say("the gradient flowing back from step t+1 into h_t is not added"), local[name])]
            + [(why, alternative[name]) for why, alternative in one_step
               if name in alternative]) for name in want) if m]
        if wrong:
            raise CheckFailed("\n".join(wrong))
    graded_on_its_own(backward, run,
                      {"rnn_step_backward": lambda f: step_backward_case(f, "rnn", 14)},
                      {"rnn_step_backward": course_rnn_step_backward}, given=True)


def course_rnn_step_backward(dh, cache):
    """The notebook's given step backward, on the cache of its given forward pass,
    (x, h_prev, weight_ih, weight_hh, h)."""
    x, h_prev, weight_ih, weight_hh, h = cache
    da = dh * (1.0 - h * h)
    return {"x": da @ weight_ih, "h_prev": da @ weight_hh, "weight_ih": da.T @ x,
            "weight_hh": da.T @ h_prev, "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}


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
    compare(say("x after the call"), x, original)
    if not calls:
        raise CheckFailed(say("f was never called: perturb x in place and call f()"))
    ignored = (say("h is ignored: the difference must use the h it is given ({h:g})", h=h)
               if h is not None else None)
    causes = [(say("a one-sided difference (f(x+h) - f(x)) / h is only accurate to about h: "
                   "use (f(x+h) - f(x-h)) / 2h"), one_sided),
              (say("the gradient is zero everywhere: x.ravel() or x.flatten() is a copy when x "
                   "is not contiguous, so changing it leaves x alone; index x itself "
                   "(np.ndindex)"), np.zeros_like(centred))]
    if ignored:
        causes.append((ignored, ignores_h))
    compare(say("gradient"), got, centred, likely_causes=causes)
    # float32's tolerance is wider than the difference h makes: an answer nearer the default
    # step's quotient than the given step's ignored h.
    if ignored and _farther(got, centred, ignores_h):
        raise CheckFailed(say("gradient: nearer the difference with h = 1e-05 than with the "
                              "given h. Likely cause: {explanation}", explanation=ignored))


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
            raise CheckFailed(say("expected clip_gradients to return (clipped grads, norm)"))
        clipped, before = result
        if type(clipped) is not dict or set(clipped) != set(grads):
            raise CheckFailed(say("expected a dict with the keys {keys}", keys=sorted(grads)))
        if all(mismatch(f"clipped['{name}']", clipped[name], grads[name] * torch_scale) is None
               for name in grads) and scale != torch_scale:
            scale = torch_scale
            note(say("clip_gradients divides by norm + 1e-6, as PyTorch's clip_grad_norm_ "
                     "does: that is right too"))
        comparisons = [(say("the returned norm"), before, norm, [
            (say("the norm after clipping is returned; return the one before"),
             min(norm, max_norm))])]
        for name in grads:
            own = np.linalg.norm(grads[name])
            separately = grads[name] * (min(1.0, max_norm / own) if own else 1.0)
            comparisons.append((f"clipped['{name}']", clipped[name], grads[name] * scale, [
                (say("each array is clipped on its own; clip by the norm of all gradients "
                     "together"), separately)]))
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
    compare(say("norms"), got, _product_norms(jacobians), likely_causes=[
        (say("the tanh slopes diag(1 - h_t^2) are missing from the product"),
         _product_norms([weight_hh] * T)),
        (say("the Jacobians are multiplied in the reverse order: the product starts from the "
             "last step's, dh_{T-1}/dh_{T-2}, on the left, and each earlier step's joins it "
             "on the right"), _product_norms(jacobians, left=True)),
        (say("each Jacobian uses weight_hh transposed: dh_t/dh_{t-1} = diag(1 - h_t^2) "
             "weight_hh"), _product_norms([slope * weight_hh.T for slope in slopes])),
        (say("the diagonal is on the wrong side: dh_t/dh_{t-1} = diag(1 - h_t^2) weight_hh, "
             "not weight_hh diag(1 - h_t^2)"),
         _product_norms([weight_hh * slope.T for slope in slopes])),
        (say("the spectral norm (ord=2) is taken; the Frobenius norm is asked for"),
         _product_norms(jacobians, order=2))])


JOINED, JOINED_TEST = "rnn_step_joined_backward", ("test_rnn_step_joined_backward",)

# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("tanh slope 1 - h", JOINED, "(1.0 - h * h)", "(1.0 - h)", JOINED_TEST),
    M("no tanh slope", JOINED, "da = dh * (1.0 - h * h)", "da = dh", JOINED_TEST),
    M("weight gradient transposed", JOINED, '"weight": da.T @ xh', '"weight": xh.T @ da',
      JOINED_TEST),
    M("bias gradient averaged", JOINED, '"bias": da.sum(axis=0)', '"bias": da.mean(axis=0)',
      JOINED_TEST),
    M("weight gradient averaged over the batch", JOINED, '"weight": da.T @ xh',
      '"weight": da.T @ xh / len(xh)', JOINED_TEST),
    M("x taken from the last D columns", JOINED, '"x": dxh[:, :D], "h_prev": dxh[:, D:]',
      '"x": dxh[:, -D:], "h_prev": dxh[:, :-D]', JOINED_TEST),
    M("gradient for [x, h_prev] not split", JOINED, '"x": dxh[:, :D], "h_prev": dxh[:, D:]',
      '"x": dxh, "h_prev": dxh', JOINED_TEST),
    M("split at H instead of D", JOINED, "D = xh.shape[1] - h.shape[1]", "D = h.shape[1]",
      JOINED_TEST),
    M("weight used transposed", JOINED, "dxh = da @ weight", "dxh = da @ weight.T", JOINED_TEST),
    M("tanh slope computed in the cache's h", JOINED, "    da = dh * (1.0 - h * h)",
      "    h **= 2\n    da = dh * (1.0 - h)", JOINED_TEST),
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
    M("given rnn_step_backward redefined without the slope", JOINED,
      '            "bias": da.sum(axis=0)}',
      '            "bias": da.sum(axis=0)}\n\n\ndef rnn_step_backward(dh, cache):\n'
      "    x, h_prev, weight_ih, weight_hh, h = cache\n"
      '    return {"x": dh @ weight_ih, "h_prev": dh @ weight_hh, "weight_ih": dh.T @ x,\n'
      '            "weight_hh": dh.T @ h_prev, "bias_ih": dh.sum(axis=0),\n'
      '            "bias_hh": dh.sum(axis=0)}', "is not the one given at the top"),
    M("clips by norm + 1e-6, as PyTorch", "clip",
      "scale = min(1.0, max_norm / norm) if norm > 0 else 1.0",
      "scale = min(1.0, max_norm / (norm + 1e-6))", "divides by norm + 1e-6"),
    M("clips in place, as PyTorch", "clip", "    return {name: g * scale for name, g in "
      "grads.items()}, norm", "    for g in grads.values():\n        g *= scale\n"
      "    return grads, norm", "changed its argument `grads` in place"),
    M("updates dh in place", JOINED, "    da = dh * (1.0 - h * h)",
      "    dh *= 1.0 - h * h\n    da = dh", "changed its argument `dh` in place"),
    M("splits with np.split, in float32", JOINED,
      '    return {"x": dxh[:, :D], "h_prev": dxh[:, D:],',
      "    dx, dh_prev = np.split(dxh.astype(np.float32), [D], axis=1)\n"
      '    return {"x": dx, "h_prev": dh_prev,', ""),
    M("sums the weight gradient over the batch in a loop", JOINED,
      '"weight": da.T @ xh', '"weight": sum(np.outer(da[b], xh[b]) for b in range(len(xh)))',
      ""),
    M("prints the shapes", JOINED, "    da = dh * (1.0 - h * h)",
      "    print('xh', xh.shape, 'weight', weight.shape)\n    da = dh * (1.0 - h * h)",
      "printed"),
]
