"""Checks behind the assignments: specific feedback for a learner, a score for nbgrader.

A test cell loads this file as a private module, and this module loads its own private copies
of rnncore and of :mod:`rnncourse.guard` from their files, so nothing a notebook defines or
changes in rnncore, or in an earlier test cell's checks, can alter a verdict. The bootstrap at
the top of every test cell is::

    import importlib.util as _iu
    _spec = _iu.spec_from_file_location("_checks", _iu.find_spec("rnncourse.grading").origin)
    checks = _iu.module_from_spec(_spec)
    _spec.loader.exec_module(checks)

A part collects weighted checks and ends with its score as the cell's value, which nbgrader
reads as partial credit::

    part = checks.Part("rnn_step_forward", points=2)
    part.check("random inputs", checks.step_forward_case, rnn_step_forward, "rnn", seed=0)
    part.score()

How every check runs (see :mod:`rnncourse.guard` for the mechanics):

1. the expected values are computed first, by rnncore's readable step functions;
2. the learner's function gets copies of the arguments; changing them in place is reported but
   costs nothing; what it prints, warns or writes to stderr is kept out of the cell's output
   (nbgrader would score a cell with stderr output 0) and summarised instead;
3. every Python call it makes is traced: reaching rnncore or rnncourse fails the check;
4. the answer is read through the genuine ndarray type and compared with float arithmetic;
   float32 answers are held to float32's precision;
5. a later part that calls an earlier, wrong part of the learner's is checked again with the
   course's version of the earlier part in its place, so that its score reflects its own code.

Before any of this, a part checks that NumPy, the builtins, math and sys still hold their own
functions; if the notebook replaced any, no check of the part can pass.
"""

import importlib.util
import itertools
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent / "rnncore"            # installed beside rnncourse
_copies = itertools.count()


def _private_module(name, path, package_dir=None):
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=None if package_dir is None else [package_dir])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module                   # a package's submodules find it there
    try:
        spec.loader.exec_module(module)
    finally:
        if package_dir is None:
            del sys.modules[name]
    return module


def private_rnncore():
    """A new, independent copy of the rnncore package, loaded from its files."""
    name = f"_rnncore_reference_{next(_copies)}"
    return _private_module(name, PACKAGE_DIR / "__init__.py", str(PACKAGE_DIR))


guard = _private_module(f"_guard_{next(_copies)}", HERE / "guard.py")
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
        self.results = []            # (description, weight, message or None, notes)
        self.tampered = guard.tampered()

    def check(self, description, case, *args, weight=1, **kwargs):
        """Run ``case(*args, **kwargs)``; it raises CheckFailed with a message when wrong."""
        global _notes
        _notes = []
        message = None
        try:
            if self.tampered:
                raise CheckFailed(
                    "the notebook has replaced " + ", ".join(self.tampered[:4])
                    + (" and more" if len(self.tampered) > 4 else "")
                    + ": the checks cannot trust their own arithmetic. Remove the code that "
                    "does it, restart the kernel and run all cells")
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                case(*args, **kwargs)
        except CheckFailed as failure:
            message = str(failure)
        except NotImplementedError:
            message = "not implemented yet (the function raises NotImplementedError)"
        except Exception as error:  # the learner's code crashed: report it, do not stop
            message = describe_error(error)
        self.results.append((description, weight, message, _notes))

    def score(self):
        """Print one line per check and return the points earned (nbgrader's partial credit)."""
        total = sum(weight for _, weight, _, _ in self.results)
        earned = sum(weight for _, weight, message, _ in self.results if message is None)
        said = set()
        for description, _, message, notes in self.results:
            print(f"{'PASS' if message is None else 'FAIL'}  {description}")
            if message is not None:
                print("      " + message.replace("\n", "\n      "))
            for note in notes:                         # each note once, where it first shows
                if note not in said:
                    said.add(note)
                    print(f"      note: {note}")
        points = round(self.points * earned / total, 2) if total else 0.0
        print(f"{self.name}: {points:g} of {self.points} points")
        return points


_notes = []


def note(text):
    """Tell the learner something that does not cost points."""
    _notes.append(text)


def describe_error(error):
    """The learner's exception, where in their code it happened, and a hint for the usual
    ones. An exception that never passed through the learner's code is the course's own."""
    course = guard.COURSE_FOLDERS + [str(HERE)]
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if not guard._inside(frame.filename, course)
           and not guard._inside(frame.filename, guard.LIBRARIES)]
    if not own:
        return (f"the check itself failed ({type(error).__name__}: {error}). This is a fault "
                "in the course's checks, not in your code: please report it")
    frame = own[-1]
    where = f" (in {frame.name}, line {frame.lineno}: {(frame.line or '').strip()})"
    message = f"your code raised {type(error).__name__}: {error}{where}"
    text = str(error)
    if "matmul" in text and "mismatch" in text:
        message += (". Hint: weights are stored (outputs, inputs), so a product with the "
                    "input is x @ weight_ih.T")
    return message


# ----------------------------------------------------------------------------------------
# Calling the learner's code, and comparing what it returns
# ----------------------------------------------------------------------------------------

_allowed = ()          # code objects of the course's stand-ins for earlier parts


def learner(function, _copies=True, _allow=(), **arguments):
    """Call the learner's ``function`` with ``arguments`` the way every check does (on copies,
    unless ``_copies`` is False; ``_allow``: code objects of the course's that the function is
    meant to call, such as a function it is given)."""
    if not callable(function):
        raise CheckFailed(f"expected a function, got {type(function).__name__}")
    result, report = guard.run_learner_code(function, arguments, _allowed + tuple(_allow),
                                            copies=_copies)
    name = getattr(function, "__name__", "your function")
    if report.reached:
        reached = list(dict.fromkeys(report.reached))
        places = ", ".join(reached[:3]) + (", ..." if len(reached) > 3 else "")
        raise CheckFailed(f"{name} runs the course's own code ({places}): the assignment is "
                          "to write the computation yourself with NumPy")
    if report.tracing_switched_off:
        raise CheckFailed(f"{name} switched off the checks' tracing of what it calls "
                          "(sys.setprofile or sys.settrace): remove that")
    for argument in report.changed:
        note(f"{name} changed its argument `{argument}` in place. That costs nothing here "
             "(it got a copy), but a caller's array would change: compute into new arrays")
    if report.printed.strip():
        lines = report.printed.strip().splitlines()
        shown = "\n        ".join(line[:120] for line in lines[:3])
        more = f" (and {len(lines) - 3} more lines)" if len(lines) > 3 else ""
        note(f"{name} printed:\n        {shown}{more}")
    if report.warnings:
        note(f"{name} caused the warning {report.warnings[0]}"
             + (f" (and {len(report.warnings) - 1} more)" if len(report.warnings) > 1 else ""))
    return result


def _shape_hint(shape, want):
    if len(shape) == 2 and shape == want[::-1]:
        return " (transposed?)"
    if len(shape) + 1 == len(want) and shape == want[1:]:
        return " (the batch axis is missing)"
    return ""


def mismatch(name, actual, expected, likely_causes=()):
    """The message saying how ``actual`` differs from ``expected``, or None when it is right.

    likely_causes: (explanation, alternative expected value) pairs; when the learner's answer
    matches an alternative (with the same tolerance), the message names that explanation.
    """
    if actual is None:
        return f"{name}: got None; did you forget to return it?"
    try:
        shape, values, dtype = guard.as_numbers(actual)
    except guard.NotNumbers as problem:
        return f"{name}: {problem}"
    want_shape, want, _ = guard.as_numbers(np.asarray(expected, dtype=np.float64))
    if dtype == "float16":
        return f"{name}: got float16 numbers, too few digits to check; use float64"
    if shape != want_shape:
        return (f"{name}: expected shape {want_shape}, got {shape}"
                f"{_shape_hint(shape, want_shape)}")
    for k, value in enumerate(values):
        if not guard.is_finite(value):
            return (f"{name}: contains NaN or inf (first at index "
                    f"{guard.unravel(k, shape)}); an exp() that overflows is a usual cause")
    worst, error, within = guard.largest_error(values, want, dtype)
    if within:
        return None
    e, a = guard.distinct_digits(want[worst], values[worst])
    wrong = sum(1 for x, w in zip(values, want)
                if not (x - w if x >= w else w - x) <= guard.tolerance(w, dtype))
    message = (f"{name}: wrong values ({wrong} of {len(want)}); largest error {error:.3g} at "
               f"index {guard.unravel(worst, shape)} (expected {e}, got {a})")
    for explanation, alternative in likely_causes:
        alt_shape, alt, _ = guard.as_numbers(np.asarray(alternative, dtype=np.float64))
        if alt_shape == shape and guard.largest_error(values, alt, dtype)[2]:
            return f"{message}. Likely cause: {explanation}"
    return message


def compare(name, actual, expected, likely_causes=()):
    """Raise CheckFailed unless ``actual`` matches ``expected``."""
    message = mismatch(name, actual, expected, likely_causes)
    if message:
        raise CheckFailed(message)


def compare_all(comparisons):
    """Several comparisons, every wrong one reported: [(name, actual, expected, causes)]."""
    messages = [m for m in (mismatch(*c) for c in comparisons) if m]
    if messages:
        raise CheckFailed("\n".join(messages))


# ----------------------------------------------------------------------------------------
# Later parts graded on their own code: the course's versions of earlier parts
# ----------------------------------------------------------------------------------------

def _with_stand_ins(function, stand_ins, run):
    """Run ``run()`` with some of the learner's earlier functions replaced, in the globals of
    ``function``, by the course's versions (``stand_ins``: name -> function)."""
    global _allowed
    namespace = function.__globals__
    saved = {name: namespace.get(name, _missing) for name in stand_ins}
    previous = _allowed
    _allowed = previous + tuple(f.__code__ for f in stand_ins.values())
    namespace.update(stand_ins)
    try:
        return run()
    finally:
        _allowed = previous
        for name, value in saved.items():
            if value is _missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


_missing = object()


def fails(run, *args, **kwargs):
    """Whether ``run(*args, **kwargs)`` raises, with whatever notes it makes discarded."""
    global _notes
    saved, _notes = _notes, []
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            run(*args, **kwargs)
    except Exception:
        return True
    finally:
        _notes = saved
    return False


def _earlier_wrong(function, checks):
    """The names of the learner's earlier functions (looked up in ``function``'s globals) that
    fail their own check: ``checks`` maps a name to a function that raises when it is wrong."""
    namespace = getattr(function, "__globals__", {})
    return [name for name, check in checks.items()
            if name not in namespace or fails(check, namespace[name])]


def graded_on_its_own(function, run, earlier, stand_ins):
    """Run the check ``run()``. If it fails while one of the earlier functions it relies on is
    itself wrong, run it again with the course's versions of those in their place: the part
    passes when its own code is right, and the message says which earlier part to fix."""
    try:
        return run()
    except (CheckFailed, Exception) as failure:
        wrong = _earlier_wrong(function, earlier)
        if not wrong:
            raise
        try:
            _with_stand_ins(function, {name: stand_ins[name] for name in wrong}, run)
        except Exception:
            first = failure if isinstance(failure, CheckFailed) else describe_error(failure)
            raise CheckFailed(f"{first}\n(your {', '.join(wrong)} from an earlier part is "
                              "wrong too; this part also fails with the course's version in "
                              "its place)") from None
        note(f"this part's own code is right: it failed only because your "
             f"{', '.join(wrong)} from an earlier part is wrong, so it was checked with the "
             "course's version in its place")
        return None


# ----------------------------------------------------------------------------------------
# Random problems, the same for the learner's function and the reference
# ----------------------------------------------------------------------------------------

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def step_problem(kind, seed, B=3, D=4, H=5, scale=1.0, weight_scale=0.5):
    """Inputs of one step: x, h_prev (and c_prev for the LSTM) and the four parameters.
    Weights are random, so never symmetric: a transposed square weight gives other numbers.
    A scale above 1 multiplies half of the batch's inputs (saturating those rows); below 1,
    all of them."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    x = rng.normal(size=(B, D))
    if scale > 1:
        x[:(B + 1) // 2] *= scale   # large inputs in half the batch; the rest still shows slips
    else:
        x *= scale
    problem = {"x": x, "h_prev": rng.normal(size=(B, H))}
    if kind == "lstm":
        problem["c_prev"] = rng.normal(size=(B, H))
    problem.update(weight_ih=rng.normal(0, weight_scale, (G * H, D)),
                   weight_hh=rng.normal(0, weight_scale, (G * H, H)),
                   bias_ih=rng.normal(0, weight_scale, G * H),
                   bias_hh=rng.normal(0, weight_scale, G * H))
    return problem


def _unpack_step(result, kind):
    """The learner's step output as (outputs, cache), checking its structure."""
    if type(result) is not tuple or len(result) != 2:
        raise CheckFailed("expected the function to return a pair (output, cache), got "
                          f"{type(result).__name__}")
    outputs, cache = result
    if kind == "lstm" and (type(outputs) is not tuple or len(outputs) != 2):
        raise CheckFailed("expected the first returned value to be the pair (h, c)")
    return outputs, cache


def _blocks(array, order, H):
    """The gate blocks of a parameter's rows, in another order (for likely causes)."""
    return np.concatenate([array[k * H:(k + 1) * H] for k in order])


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
            swapped = {k: (_blocks(v, order, H) if k.startswith(("weight", "bias")) else v)
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
    outputs, _ = _unpack_step(learner(fn, **problem, **extra), kind)
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
    _, cache = _unpack_step(learner(forward, **problem, **extra), kind)
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


# ----------------------------------------------------------------------------------------
# Whole sequences (the rnn and lstm assignments)
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


def expected_outputs(layer, x, hx=None):
    with reference.no_grad():
        return layer(x, hx)


# The course's versions of the earlier parts, put in place of a learner's wrong ones.

def course_rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    h, _ = reference.rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh)
    return h, None


def course_rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    h, hs = h0, []
    for x_t in x:
        h, _ = reference.rnn_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh)
        hs.append(h)
    return np.stack(hs)


def course_lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    outputs, _ = reference.lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh,
                                             bias_ih, bias_hh)
    return outputs, None


def course_rnn_step_backward(dh, cache):
    """The course's step backward on the cache of the bptt notebook's given forward pass:
    (x, h_prev, weight_ih, weight_hh, h)."""
    x, h_prev, weight_ih, weight_hh, h = cache
    da = dh * (1.0 - h * h)
    return {"x": da @ weight_ih, "h_prev": da @ weight_hh, "weight_ih": da.T @ x,
            "weight_hh": da.T @ h_prev, "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}


RNN_EARLIER = {"rnn_step_forward": lambda f: step_forward_case(f, "rnn", 11),
               "rnn_forward": lambda f: rnn_forward_case(f, 12)}
RNN_STAND_INS = {"rnn_step_forward": course_rnn_step_forward,
                 "rnn_forward": course_rnn_forward}


def rnn_forward_case(fn, seed, **shape):
    layer, x = sequence_problem("rnn", seed, **shape)
    h0 = np.random.default_rng(seed + 7).normal(size=(x.shape[1], layer.hidden_size))
    want, _ = expected_outputs(layer, x, h0[None])
    stale, _ = expected_outputs(layer, x[:1].repeat(x.shape[0], axis=0), h0[None])
    shifted = np.concatenate([h0[None], want[:-1]])
    restarted = np.stack([expected_outputs(layer, x[t:t + 1], h0[None])[0][0]
                          for t in range(x.shape[0])])

    def run():
        hs = learner(fn, x=x, h0=h0, **weights_of(layer))
        if type(hs) is tuple:
            hs = hs[0]
        compare("hs", hs, want, likely_causes=[
            ("every step reads the first input x[0]", stale),
            ("the outputs are shifted by one step (hs[t] should be h_t, not h_{t-1})",
             shifted),
            ("the hidden state is not carried from one step to the next", restarted)])
    graded_on_its_own(fn, run, {"rnn_step_forward": RNN_EARLIER["rnn_step_forward"]},
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
        compare("output", out, want, likely_causes=[
            ("the backward direction's outputs are not put back in time order", unflipped),
            ("the two directions are concatenated in the wrong order (forward first)",
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
        compare("output", out, want, likely_causes=[
            ("the output is layer 1's, not the top layer's", first_only)])
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
            ("the readout uses the first hidden state, not the last", hs[0] @ weight.T + bias),
            ("the bias of the readout is missing", h_n[0] @ weight.T)])
    graded_on_its_own(fn, run, RNN_EARLIER, RNN_STAND_INS)


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
    layer, x = sequence_problem("lstm", seed, **shape)
    rng = np.random.default_rng(seed + 9)
    h0, c0 = (rng.normal(size=(x.shape[1], layer.hidden_size)) for _ in range(2))
    weights = weights_of(layer)
    want, (h_n, c_n) = expected_outputs(layer, x, (h0[None], c0[None]))
    causes = [("the cell state is not carried from step to step (each step starts from c0)",
               _lstm_loop(x, h0, c0, weights, carry_c=False)),
              ("the hidden state is not carried from step to step (each step starts from h0)",
               _lstm_loop(x, h0, c0, weights, carry_h=False))]

    def run():
        result = learner(fn, x=x, h0=h0, c0=c0, **weights)
        if type(result) is not tuple or len(result) != 2 or type(result[1]) is not tuple \
                or len(result[1]) != 2:
            raise CheckFailed("expected lstm_forward to return (hs, (h_T, c_T))")
        hs, (h_T, c_T) = result
        compare_all([("hs", hs, want, causes), ("h_T", h_T, h_n[0], ()),
                     ("c_T", c_T, c_n[0], ())])
    graded_on_its_own(fn, run, {"lstm_step_forward": lambda f: step_forward_case(
        f, "lstm", 13)}, {"lstm_step_forward": course_lstm_step_forward})


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


# ----------------------------------------------------------------------------------------
# Backpropagation through time (the bptt assignment)
# ----------------------------------------------------------------------------------------

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
