"""Checks behind the assignments: specific feedback for a learner, a score for nbgrader.

An assignment's test cell loads this file as a private module, and this module computes every
expected value with a private copy of rnncore loaded from the same files. Nothing a notebook
defines or changes (a helper with the same name, a patched ``rnncore`` function) can therefore
alter an expected value or a check. The bootstrap at the top of every test cell is::

    import importlib.util as _iu
    _spec = _iu.spec_from_file_location("_checks", _iu.find_spec("rnncourse.grading").origin)
    checks = _iu.module_from_spec(_spec)
    _spec.loader.exec_module(checks)

A part of an assignment collects checks and ends with its score as the cell's value, which
nbgrader reads as partial credit::

    part = checks.Part("rnn_step_forward", points=2)
    part.check("random inputs", checks.rnn_step_forward_case, rnn_step_forward, seed=0)
    part.score()
"""

import importlib.util
import inspect
import itertools
import sys
import types
import warnings
from pathlib import Path

import numpy as np

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "rnncore"   # installed beside rnncourse
_copies = itertools.count()


def private_rnncore():
    """A new, independent copy of the rnncore package, loaded from its files."""
    name = f"_rnncore_reference_{next(_copies)}"
    spec = importlib.util.spec_from_file_location(
        name, PACKAGE_DIR / "__init__.py", submodule_search_locations=[str(PACKAGE_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


reference = private_rnncore()


class CheckFailed(AssertionError):
    """A check's verdict, worded for the learner."""


# ----------------------------------------------------------------------------------------
# Parts and scores
# ----------------------------------------------------------------------------------------

class Part:
    """One graded part: a list of weighted checks, reported line by line, and a score."""

    def __init__(self, name, points):
        self.name, self.points = name, points
        self.results = []            # (description, weight, message or None)

    def check(self, description, case, *args, weight=1, **kwargs):
        """Run ``case(*args, **kwargs)``; it raises CheckFailed with a message when wrong."""
        try:
            with warnings.catch_warnings():
                # nbgrader gives no credit to a cell that writes to stderr, and a warning from
                # the learner's arithmetic is not a mistake in itself.
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    case(*args, **kwargs)
        except CheckFailed as failure:
            self.results.append((description, weight, str(failure)))
        except NotImplementedError:
            self.results.append((description, weight, "not implemented yet (the function "
                                 "raises NotImplementedError)"))
        except Exception as error:  # the learner's code crashed: report it, do not stop
            self.results.append((description, weight,
                                 f"your code raised {type(error).__name__}: {error}"))
        else:
            self.results.append((description, weight, None))

    def score(self):
        """Print one line per check and return the points earned (nbgrader's partial credit)."""
        total = sum(weight for _, weight, _ in self.results)
        earned = sum(weight for _, weight, message in self.results if message is None)
        for description, _, message in self.results:
            print(f"{'PASS' if message is None else 'FAIL'}  {description}"
                  + ("" if message is None else f"\n      {message}"))
        points = round(self.points * earned / total, 2) if total else 0.0
        print(f"{self.name}: {points:g} of {self.points} points")
        return points


# ----------------------------------------------------------------------------------------
# Comparing arrays, with the messages a learner can act on
# ----------------------------------------------------------------------------------------

def compare(name, actual, expected, atol=1e-7, likely_causes=()):
    """Raise CheckFailed unless ``actual`` matches ``expected``.

    likely_causes: (explanation, alternative expected value) pairs; when the learner's value
    matches an alternative, the message names that explanation.
    """
    if actual is None:
        raise CheckFailed(f"{name}: got None; did you forget to return it?")
    if isinstance(expected, (int, float, np.integer, np.floating)):
        if not isinstance(actual, (int, float, np.integer, np.floating)):
            raise CheckFailed(f"{name}: expected a number, got {type(actual).__name__}")
    elif not isinstance(actual, np.ndarray):
        raise CheckFailed(f"{name}: expected a NumPy array, got {type(actual).__name__}")
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        hint = (" (transposed?)" if actual.shape == expected.shape[::-1] and actual.ndim == 2
                else "")
        raise CheckFailed(f"{name}: expected shape {expected.shape}, got {actual.shape}{hint}")
    if not np.issubdtype(actual.dtype, np.number):
        raise CheckFailed(f"{name}: expected numbers, got dtype {actual.dtype}")
    bad = ~np.isfinite(actual)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailed(f"{name}: contains NaN or inf (first at index {where})")
    error = np.abs(actual - expected)
    if error.max() <= atol:
        return
    where = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
    message = (f"{name}: wrong values; largest error {error.max():.3g} at index {where} "
               f"(expected {expected[where]:.6g}, got {actual[where]:.6g})")
    for explanation, alternative in likely_causes:
        alternative = np.asarray(alternative)
        if alternative.shape == actual.shape and np.allclose(actual, alternative, atol=atol):
            message += f". Likely cause: {explanation}"
            break
    raise CheckFailed(message)


def reference_calls(fn):
    """Names of rnncore objects that ``fn`` (or a function it calls from the notebook) uses."""
    found, seen, todo = set(), set(), [fn]
    while todo:
        current = todo.pop()
        if id(current) in seen or not inspect.isfunction(current):
            continue
        seen.add(id(current))
        names = set()
        codes = [current.__code__]
        while codes:
            code = codes.pop()
            names.update(code.co_names)
            codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        closure = dict(zip(current.__code__.co_freevars,
                           (cell.cell_contents for cell in current.__closure__ or ())))
        for name in names:
            value = closure.get(name, current.__globals__.get(name))
            module = getattr(value, "__module__", None) or ""
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "rnncore":
                found.add(name)
            elif module.split(".")[0] == "rnncore":
                found.add(name)
            elif inspect.isfunction(value):
                todo.append(value)
    return sorted(found)


def require_own_code(fn):
    """Raise CheckFailed if ``fn`` hands the work to rnncore's reference implementation."""
    if not callable(fn):
        raise CheckFailed(f"expected a function, got {type(fn).__name__}")
    used = reference_calls(fn)
    if used:
        raise CheckFailed(f"{fn.__name__} uses rnncore ({', '.join(used)}): the assignment is "
                          "to write the computation yourself with NumPy")


# ----------------------------------------------------------------------------------------
# Random problems, the same for the learner's function and the reference
# ----------------------------------------------------------------------------------------

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def step_problem(kind, seed, B=3, D=4, H=5, scale=1.0):
    """Inputs of one step: x, h_prev (and c_prev for the LSTM) and the four parameters."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    problem = {"x": scale * rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H))}
    if kind == "lstm":
        problem["c_prev"] = rng.normal(size=(B, H))
    problem.update(weight_ih=rng.normal(0, 0.5, (G * H, D)),
                   weight_hh=rng.normal(0, 0.5, (G * H, H)),
                   bias_ih=rng.normal(0, 0.5, G * H), bias_hh=rng.normal(0, 0.5, G * H))
    return problem


def _unpack_step(result, kind):
    """The learner's step output as (outputs, cache), checking its structure."""
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed("expected the function to return a pair (output, cache), got "
                          f"{type(result).__name__}")
    outputs, cache = result
    if kind == "lstm" and (not isinstance(outputs, tuple) or len(outputs) != 2):
        raise CheckFailed("expected the first returned value to be the pair (h, c)")
    return outputs, cache


def step_forward_case(fn, kind, seed, reset_after=True, **shape):
    """The learner's one-step forward against the reference, with likely causes."""
    require_own_code(fn)
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    ref_fn = getattr(reference, f"{kind}_step_forward")

    def expected(**changes):
        return ref_fn(**{**problem, **changes}, **extra)[0]

    zero = np.zeros_like(problem["bias_hh"])
    alternatives = [("bias_hh is missing (add both biases)", expected(bias_hh=zero)),
                    ("bias_ih is missing (add both biases)", expected(bias_ih=zero)),
                    ("h_prev is ignored", expected(h_prev=np.zeros_like(problem["h_prev"])))]
    if kind == "rnn":
        pre = (problem["x"] @ problem["weight_ih"].T + problem["bias_ih"]
               + problem["h_prev"] @ problem["weight_hh"].T + problem["bias_hh"])
        alternatives += [("the activation is not tanh (ReLU?)", np.maximum(pre, 0)),
                         ("the activation is not tanh (sigmoid?)", 1 / (1 + np.exp(-pre))),
                         ("the activation is missing", pre)]
    if kind == "gru":
        alternatives.append(("the reset gate is applied on the wrong side of W_hn (check "
                             "reset_after)", ref_fn(**problem, reset_after=not reset_after)[0]))
    if kind == "lstm":
        alternatives += [("the gates are not in the order i, f, g, o", _lstm_swapped(problem)),
                         ("h is o * c: tanh(c) is missing", _lstm_h_without_tanh(problem))]
    outputs, _ = _unpack_step(fn(**{k: v.copy() for k, v in problem.items()}, **extra), kind)
    want = expected()
    if kind == "lstm":
        compare("c", outputs[1], want[1], likely_causes=[(w, a[1]) for w, a in alternatives])
        compare("h", outputs[0], want[0], likely_causes=[(w, a[0]) for w, a in alternatives])
    else:
        compare("h", outputs, want, likely_causes=alternatives)


def _lstm_swapped(problem):
    """The LSTM's (h, c) when the i and f blocks are exchanged (a common mix-up)."""
    H = problem["h_prev"].shape[1]
    order = np.r_[H:2 * H, 0:H, 2 * H:4 * H]
    swapped = {k: (v[order] if k.startswith(("weight", "bias")) else v)
               for k, v in problem.items()}
    outputs, _ = reference.lstm_step_forward(**swapped)
    return outputs


def _lstm_h_without_tanh(problem):
    """The LSTM's (h, c) with h = o * c."""
    (h, c), cache = reference.lstm_step_forward(**problem)
    return cache.o * c, c


def step_backward_case(forward, backward, kind, seed, reset_after=True, **shape):
    """The learner's one-step backward (run on the learner's own cache) against the reference."""
    require_own_code(forward)
    require_own_code(backward)
    problem = step_problem(kind, seed, **shape)
    extra = {"reset_after": reset_after} if kind == "gru" else {}
    rng = np.random.default_rng(seed + 1000)
    H = problem["h_prev"].shape[1]
    B = problem["x"].shape[0]
    upstream = {"dh": rng.normal(size=(B, H))}
    if kind == "lstm":
        upstream["dc"] = rng.normal(size=(B, H))
    _, cache = _unpack_step(forward(**{k: v.copy() for k, v in problem.items()}, **extra), kind)
    grads = backward(*upstream.values(), cache)
    _, ref_cache = getattr(reference, f"{kind}_step_forward")(**problem, **extra)
    want = getattr(reference, f"{kind}_step_backward")(*upstream.values(), ref_cache)
    if not isinstance(grads, dict):
        raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
    missing = sorted(set(want) - set(grads))
    if missing:
        raise CheckFailed(f"the gradients dict is missing {missing}")
    for name in want:
        causes = []
        if name.startswith("weight"):
            causes.append(("the weight gradient is not summed over the batch (or divided by "
                           "B)", want[name] / B))
        if name.startswith("bias"):
            causes.append(("the bias gradient is averaged instead of summed over the batch",
                           want[name] / B))
        compare(f"grads['{name}']", grads[name], want[name], likely_causes=causes)


# ----------------------------------------------------------------------------------------
# Whole sequences
# ----------------------------------------------------------------------------------------

def sequence_problem(kind, seed, T=6, B=3, D=4, H=5, layers=1, directions=1):
    rng = np.random.default_rng(seed)
    layer_cls = {"rnn": reference.RNN, "lstm": reference.LSTM, "gru": reference.GRU}[kind]
    # fast=False: the expected values come from the readable step functions, not the kernels
    layer = layer_cls(D, H, num_layers=layers, bidirectional=directions == 2, rng=rng,
                      fast=False)
    x = rng.normal(size=(T, B, D))
    return layer, x


def weights_of(layer, layer_index=0, reverse=False):
    suffix = f"_l{layer_index}" + ("_reverse" if reverse else "")
    return {name: layer.params[name + suffix].copy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def rnn_forward_case(fn, seed, **shape):
    require_own_code(fn)
    layer, x = sequence_problem("rnn", seed, **shape)
    h0 = np.random.default_rng(seed + 7).normal(size=(x.shape[1], layer.hidden_size))
    hs = fn(x.copy(), h0.copy(), **weights_of(layer))
    if isinstance(hs, tuple):
        hs = hs[0]
    want, _ = layer(x, h0[None])
    stale, _ = layer(x[:1].repeat(x.shape[0], axis=0), h0[None])
    shifted = np.concatenate([h0[None], want[:-1]])
    restarted = np.stack([layer(x[t:t + 1], h0[None])[0][0] for t in range(x.shape[0])])
    compare("hs", hs, want, likely_causes=[
        ("every step reads the first input x[0]", stale),
        ("the outputs are shifted by one step (hs[t] should be h_t, not h_{t-1})", shifted),
        ("the hidden state is not carried from one step to the next", restarted)])


def bidirectional_case(fn, seed, **shape):
    require_own_code(fn)
    layer, x = sequence_problem("rnn", seed, directions=2, **shape)
    out = fn(x.copy(), weights_of(layer), weights_of(layer, reverse=True))
    want, _ = layer(x)
    H = layer.hidden_size
    unflipped = np.concatenate([want[:, :, :H], want[::-1, :, H:]], axis=-1)
    swapped = np.concatenate([want[:, :, H:], want[:, :, :H]], axis=-1)
    compare("output", out, want, likely_causes=[
        ("the backward direction's outputs are not put back in time order", unflipped),
        ("the two directions are concatenated in the wrong order (forward first)", swapped)])


def stacked_case(fn, seed, **shape):
    require_own_code(fn)
    layer, x = sequence_problem("rnn", seed, layers=2, **shape)
    out = fn(x.copy(), [weights_of(layer, 0), weights_of(layer, 1)])
    want, _ = layer(x)
    first = reference.RNN(layer.input_size, layer.hidden_size, fast=False)
    first.load_state_dict({k + "_l0": v for k, v in weights_of(layer, 0).items()})
    compare("output", out, want, likely_causes=[
        ("the output is layer 1's, not the top layer's", first(x)[0])])


def readout_case(fn, seed, **shape):
    require_own_code(fn)
    layer, x = sequence_problem("rnn", seed, **shape)
    rng = np.random.default_rng(seed + 3)
    weight, bias = rng.normal(size=(3, layer.hidden_size)), rng.normal(size=3)
    logits = fn(x.copy(), weights_of(layer), weight.copy(), bias.copy())
    hs, h_n = layer(x)
    compare("logits", logits, h_n[0] @ weight.T + bias, likely_causes=[
        ("the readout uses the first hidden state, not the last", hs[0] @ weight.T + bias),
        ("the bias of the readout is missing", h_n[0] @ weight.T)])


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
    require_own_code(fn)
    layer, x = sequence_problem("lstm", seed, **shape)
    rng = np.random.default_rng(seed + 9)
    h0, c0 = (rng.normal(size=(x.shape[1], layer.hidden_size)) for _ in range(2))
    weights = weights_of(layer)
    result = fn(x.copy(), h0.copy(), c0.copy(), **{k: v.copy() for k, v in weights.items()})
    if not isinstance(result, tuple) or len(result) != 2 or len(result[1]) != 2:
        raise CheckFailed("expected lstm_forward to return (hs, (h_T, c_T))")
    hs, (h_T, c_T) = result
    want, (h_n, c_n) = layer(x, (h0[None], c0[None]))
    compare("hs", hs, want, likely_causes=[
        ("the cell state is not carried from step to step (each step starts from c0)",
         _lstm_loop(x, h0, c0, weights, carry_c=False)),
        ("the hidden state is not carried from step to step (each step starts from h0)",
         _lstm_loop(x, h0, c0, weights, carry_h=False))])
    compare("h_T", h_T, h_n[0])
    compare("c_T", c_T, c_n[0])


def parameter_count_case(fn, kind, sizes=((3, 5), (10, 1), (1, 7))):
    for D, H in sizes:
        got = fn(D, H)
        want = {"lstm": reference.LSTM, "gru": reference.GRU, "rnn": reference.RNN}[kind](
            D, H).num_parameters()
        gates = GATES[kind]
        compare(f"count({D}, {H})", got, want, likely_causes=[
            ("the biases are missing", gates * H * (D + H)),
            ("only one bias vector per gate is counted (torch has two)",
             gates * (H * (D + H) + H))])


# ----------------------------------------------------------------------------------------
# Backpropagation through time
# ----------------------------------------------------------------------------------------

def rnn_backward_case(forward, backward, seed, **shape):
    require_own_code(backward)
    layer, x = sequence_problem("rnn", seed, **shape)
    rng = np.random.default_rng(seed + 11)
    h0 = rng.normal(size=(x.shape[1], layer.hidden_size))
    weights = weights_of(layer)
    hs, cache = forward(x.copy(), h0.copy(), **{k: v.copy() for k, v in weights.items()})
    dhs = rng.normal(size=hs.shape)
    grads = backward(dhs.copy(), cache)
    layer(x, h0[None])
    dx, dh0 = layer.backward(dhs)
    want = {"x": dx, "h0": dh0[0], **{k: layer.grads[k + "_l0"] for k in weights}}
    if not isinstance(grads, dict):
        raise CheckFailed(f"expected a dict of gradients, got {type(grads).__name__}")
    missing = sorted(set(want) - set(grads))
    if missing:
        raise CheckFailed(f"the gradients dict is missing {missing}")
    # A frequent slip: each step gets only its own upstream gradient, none from step t+1.
    steps = [reference.rnn_step_backward(dhs[t], reference.rnn_step_forward(
        x[t], hs[t - 1] if t else h0, **weights)[1]) for t in range(x.shape[0])]
    local = {"x": np.stack([s["x"] for s in steps]), "h0": steps[0]["h_prev"],
             **{k: sum(s[k] for s in steps) for k in weights}}
    for name in want:
        compare(f"grads['{name}']", grads[name], want[name], likely_causes=[
            ("the gradient flowing back from step t+1 into h_t is not added", local[name])])


def numerical_gradient_case(fn):
    require_own_code(fn)
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    original = x.copy()

    def f():
        return np.sum(np.sin(x) * x)

    got = fn(f, x)
    compare("x after the call", x, original)
    one_sided = np.cos(original) * original + np.sin(original) + 1e-5 * (
        np.cos(original) - 0.5 * original * np.sin(original))     # (f(x+h) - f(x)) / h
    compare("gradient", got, np.cos(original) * original + np.sin(original), atol=1e-7,
            likely_causes=[("a one-sided difference (f(x+h) - f(x)) / h is only accurate to "
                            "about h: use (f(x+h) - f(x-h)) / 2h", one_sided)])


def clip_case(fn, seed):
    rng = np.random.default_rng(seed)
    grads = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for max_norm in (norm / 2, norm * 2):
        clipped, before = fn({k: v.copy() for k, v in grads.items()}, max_norm)
        compare("the returned norm", before, norm)
        scale = min(1.0, max_norm / norm)
        for name in grads:
            separately = grads[name] * min(1.0, max_norm / np.linalg.norm(grads[name]))
            compare(f"clipped['{name}']", clipped[name], grads[name] * scale, atol=1e-6,
                    likely_causes=[("each array is clipped on its own; clip by the norm of "
                                    "all gradients together", separately)])


def jacobian_norms_case(fn, seed, T=8, H=4):
    require_own_code(fn)
    rng = np.random.default_rng(seed)
    weight_hh = rng.normal(0, 0.6, (H, H))
    hs = np.tanh(rng.normal(size=(T, H)))
    got = fn(weight_hh.copy(), hs.copy())
    want, product = np.empty(T), np.eye(H)
    without_slope, plain = np.empty(T), np.eye(H)
    for k in range(T):
        want[k], without_slope[k] = np.linalg.norm(product), np.linalg.norm(plain)
        t = T - 1 - k
        product = product @ ((1 - hs[t] ** 2)[:, None] * weight_hh)
        plain = plain @ weight_hh
    compare("norms", got, want, atol=1e-6, likely_causes=[
        ("the tanh slopes diag(1 - h_t^2) are missing from the product", without_slope)])
