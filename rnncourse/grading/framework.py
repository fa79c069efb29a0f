"""The checking framework behind every assignment: parts and scores, calling the learner's code,
comparing what it returns, and grading a later part on its own code.

A test cell loads a fresh, private copy of its assignment's checks in one line (see
:mod:`rnncourse.grading`); that copy carries its own copies of this module, of
:mod:`.guard` and of rnncore, so nothing a notebook defines or changes in rnncore, or in an
earlier test cell's checks, can alter a verdict. A part collects weighted checks and ends with
its score as the cell's value, which nbgrader reads as partial credit::

    from rnncourse.grading import load_checks; checks = load_checks("rnn")
    part = checks.Part("rnn_step_joined", points=2)
    part.check("random inputs", checks.joined_step_case, rnn_step_joined, seed=0)
    part.score()

How every check runs (see :mod:`.guard` for the mechanics):

1. the expected values are computed first, by rnncore's readable step functions;
2. the learner's function gets copies of the arguments; changing them in place is reported but
   costs nothing; what it prints, warns or writes to stderr is kept out of the cell's output
   (nbgrader would score a cell with stderr output 0) and summarised instead;
3. every Python call it makes is traced: reaching rnncore or rnncourse fails the check, except
   what the notebook imports from rnncore for the learner to use (a model, an optimizer), which
   is then the checks' own copy (:func:`with_course_copies`);
4. the answer is read through the genuine ndarray type and compared with float arithmetic;
   float32 answers are held to float32's precision;
5. a later part that calls an earlier, wrong part of the learner's is checked again with the
   course's version of the earlier part in its place, so that its score reflects its own code.

Before any of this, a part checks that NumPy, the builtins, math and sys still hold their own
functions; if the notebook replaced any, no check of the part can pass.

Adding a check
--------------
A check is a function ``case(fn, ..., seed, **shape)`` in its assignment's module
(``rnncourse/grading/NAME.py``) that raises :class:`CheckFailed` when ``fn`` is wrong:

- take the expected values from the readable reference (``reference``, a private rnncore;
  layers built with ``fast=False``), never from the learner's code;
- call the learner's code only through :func:`learner`, which guards and traces it;
- report through :func:`compare` (or :func:`compare_all`), giving the likely causes: pairs of
  an explanation and the value that slip would produce;
- if the function calls the learner's earlier parts, wrap the comparison in
  :func:`graded_on_its_own` with the course's versions of those parts.

Then call it from the assignment's test cell with ``part.check(...)``, add the mistake it
catches to the module's ``MISTAKES``, and run ``pytest tests/grading/test_checks.py`` (every
case on the model answers and on every catalogued mistake, in this process, in seconds).
"""

import traceback
import types
import warnings
from pathlib import Path

import numpy as np

from . import guard, private_package
from .messages import say

RNNCORE = Path(__file__).resolve().parents[2] / "rnncore"        # installed beside rnncourse
# Each copy of the checks has its own rnncore, named after the copy (unique in the process).
reference = private_package("_rnncore_reference_" + __package__.replace(".", "_"), RNNCORE)


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
                raise CheckFailed(say(
                    "the notebook has replaced {names}{more}: the checks cannot trust their "
                    "own arithmetic. Remove the code that does it, restart the kernel and run "
                    "all cells", names=", ".join(self.tampered[:4]),
                    more=say(" and more") if len(self.tampered) > 4 else ""))
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                case(*args, **kwargs)
        except CheckFailed as failure:
            message = str(failure)
        except NotImplementedError:
            message = say("not implemented yet (the function raises NotImplementedError)")
        except Exception as error:  # the learner's code crashed: report it, do not stop
            message = describe_error(error)
        self.results.append((description, weight, message, _notes))

    def score(self):
        """Print one line per check and return the points earned (nbgrader's partial credit)."""
        total = sum(weight for _, weight, _, _ in self.results)
        earned = sum(weight for _, weight, message, _ in self.results if message is None)
        said = set()
        for description, _, message, notes in self.results:
            print(f"{say('PASS') if message is None else say('FAIL')}  {description}")
            if message is not None:
                print("      " + message.replace("\n", "\n      "))
            for note in notes:                         # each note once, where it first shows
                if note not in said:
                    said.add(note)
                    print("      " + say("note: {note}", note=note))
        points = round(self.points * earned / total, 2) if total else 0.0
        print(say("{name}: {points:g} of {total} points", name=self.name, points=points,
                  total=self.points))
        return points


_notes = []


def note(text):
    """Tell the learner something that does not cost points."""
    _notes.append(text)


def learner_frames(error):
    """The frames of ``error``'s traceback in the learner's code (not the course's, not
    Python's or NumPy's): none when the exception never passed through it."""
    return [frame for frame in traceback.extract_tb(error.__traceback__)
            if not guard._inside(frame.filename, guard.COURSE_FOLDERS)
            and not guard._inside(frame.filename, guard.LIBRARIES)]


def describe_error(error, matmul_hint=None):
    """The learner's exception, where in their code it happened, and a hint for the usual
    ones (``matmul_hint``: a case's own for a product of mismatched shapes). An exception that
    never passed through the learner's code is the course's own."""
    own = learner_frames(error)
    if not own:
        return say("the check itself failed ({kind}: {error}). This is a fault in the course's "
                   "checks, not in your code: please report it",
                   kind=type(error).__name__, error=error)
    frame = own[-1]
    message = say("your code raised {kind}: {error} (in {function}, line {line}: {code})",
                  kind=type(error).__name__, error=error, function=frame.name,
                  line=frame.lineno, code=(frame.line or "").strip())
    text = str(error)
    if "matmul" in text and "mismatch" in text:
        message += matmul_hint or say(". Hint: weights are stored (outputs, inputs), so a "
                                      "product with the input is x @ weight_ih.T")
    return message


# ----------------------------------------------------------------------------------------
# Calling the learner's code, and comparing what it returns
# ----------------------------------------------------------------------------------------

_allowed = ()          # code objects of the course's stand-ins for earlier parts


def learner(function, _copies=True, _allow=(), _may_change=(), **arguments):
    """Call the learner's ``function`` with ``arguments`` the way every check does (on copies,
    unless ``_copies`` is False; ``_allow``: code objects of the course's that the function is
    meant to call, such as a function it is given).

    Changing an argument in place fails the check, since a caller still needs what it passed
    (a state, an input, a weight, a cache), except for the arguments named in ``_may_change``
    (an upstream gradient, which no caller reads again), which only earn a note."""
    if not callable(function):
        raise CheckFailed(say("expected a function, got {kind}", kind=type(function).__name__))
    name = getattr(function, "__name__", None) or say("your function")
    accepted = guard.parameters(function)
    if accepted is not None and set(arguments) - set(accepted):
        missing = [argument for argument in arguments if argument not in accepted]
        raise CheckFailed(say(
            "{name} has no parameter {missing}: the checks call it by the parameter names the "
            "notebook gives, ({given}); yours are ({accepted}). Keep the given names",
            name=name, missing=", ".join(f"`{m}`" for m in missing),
            given=", ".join(arguments), accepted=", ".join(accepted)))
    result, report = guard.run_learner_code(function, arguments, _allowed + tuple(_allow),
                                            copies=_copies)
    if report.reached:
        reached = list(dict.fromkeys(report.reached))
        places = ", ".join(reached[:3]) + (", ..." if len(reached) > 3 else "")
        raise CheckFailed(say("{name} runs the course's own code ({places}): the assignment is "
                              "to write the computation yourself with NumPy",
                              name=name, places=places))
    if report.tracing_switched_off:
        raise CheckFailed(say("{name} switched off the checks' tracing of what it calls "
                              "(sys.setprofile or sys.settrace): remove that", name=name))
    for argument in report.changed:
        if argument in _may_change:
            note(say("{name} changed its argument `{argument}` in place. No caller reads it "
                     "again, so that is harmless here; computing into a new array is safer",
                     name=name, argument=argument))
            continue
        if guard.holds(result, report.arguments[argument]):
            raise CheckFailed(say(
                "{name} changed its argument `{argument}` in place, and returns or caches that "
                "same array, but its caller still needs the value it passed in. Compute the "
                "result into a new array: `a = b + c` makes one, `a = b; a += c` writes into b",
                name=name, argument=argument))
        raise CheckFailed(say(
            "{name} changed its argument `{argument}` in place but its caller still needs the "
            "value it passed in. Compute the result into a new array: `a = b + c` makes one, "
            "`a = b; a += c` writes into b", name=name, argument=argument))
    if report.printed.strip():
        lines = report.printed.strip().splitlines()
        shown = "\n        ".join(line[:120] for line in lines[:3])
        more = say(" (and {count} more lines)", count=len(lines) - 3) if len(lines) > 3 else ""
        note(say("{name} printed:", name=name) + f"\n        {shown}{more}")
    if report.warnings:
        more = (say(" (and {count} more)", count=len(report.warnings) - 1)
                if len(report.warnings) > 1 else "")
        note(say("{name} caused the warning {warning}", name=name,
                 warning=report.warnings[0]) + more)
    return result


def _shape_hint(shape, want):
    if len(shape) == 2 and shape == want[::-1]:
        return say(" (transposed?)")
    if len(shape) + 1 == len(want) and shape == want[1:]:
        return say(" (the batch axis is missing)")
    return ""


def mismatch(name, actual, expected, likely_causes=()):
    """The message saying how ``actual`` differs from ``expected``, or None when it is right.

    likely_causes: (explanation, alternative expected value) pairs; when the learner's answer
    matches an alternative (with the same tolerance), the message names that explanation.
    """
    if actual is None:
        return say("{name}: got None; did you forget to return it?", name=name)
    try:
        shape, values, dtype = guard.as_numbers(actual)
    except guard.NotNumbers as problem:
        return say("{name}: {problem}", name=name, problem=problem)
    want_shape, want, _ = guard.as_numbers(np.asarray(expected, dtype=np.float64))
    if dtype == "float16":
        return say("{name}: got float16 numbers, too few digits to check; use float64",
                   name=name)
    if shape != want_shape:
        return say("{name}: expected shape {want}, got {got}", name=name, want=want_shape,
                   got=shape) + _shape_hint(shape, want_shape)
    for k, value in enumerate(values):
        if not guard.is_finite(value):
            return say("{name}: contains NaN or inf (first at index {index}); an exp() that "
                       "overflows is a usual cause", name=name,
                       index=guard.unravel(k, shape))
    worst, error, within = guard.largest_error(values, want, dtype)
    if within:
        return None
    e, a = guard.distinct_digits(want[worst], values[worst])
    wrong = sum(1 for x, w in zip(values, want)
                if not (x - w if x >= w else w - x) <= guard.tolerance(w, dtype))
    message = say("{name}: wrong values ({wrong} of {count}); largest error {error:.3g} at "
                  "index {index} (expected {expected}, got {got})", name=name, wrong=wrong,
                  count=len(want), error=error, index=guard.unravel(worst, shape),
                  expected=e, got=a)
    for explanation, alternative in likely_causes:
        alt_shape, alt, _ = guard.as_numbers(np.asarray(alternative, dtype=np.float64))
        if alt_shape == shape and guard.largest_error(values, alt, dtype)[2]:
            return message + say(". Likely cause: {explanation}", explanation=explanation)
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

def course_code(*objects):
    """The code objects that run first when a learner's code calls one of ``objects``: a
    function, or a class (every method along its bases, its properties' too), for
    ``learner(_allow=...)``. A function wrapped by a decorator (``contextlib.contextmanager``)
    counts with the function it wraps, which runs below the decorator's own frames."""
    found = []
    for obj in objects:
        members = [value for klass in obj.__mro__ if klass is not object
                   for value in vars(klass).values()] if isinstance(obj, type) else [obj]
        for member in members:
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, property):
                found += [f.__code__ for f in (member.fget, member.fset, member.fdel)
                          if isinstance(f, types.FunctionType)]
            while isinstance(member, types.FunctionType):
                found.append(member.__code__)
                member = member.__dict__.get("__wrapped__")
    return tuple(found)


def _with_stand_ins(function, stand_ins, run):
    """Run ``run()`` with some names in the globals of ``function`` (the learner's earlier
    functions, or what the notebook imports for the learner to use) bound to the course's
    versions (``stand_ins``: name -> function or class), whose code the learner's may call."""
    global _allowed
    namespace = function.__globals__
    saved = {name: namespace.get(name, _missing) for name in stand_ins}
    previous = _allowed
    _allowed = previous + course_code(*stand_ins.values())
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


def with_course_copies(function, copies, run):
    """Run ``run()`` with the names in ``copies`` bound, in ``function``'s globals, to the
    course's private copies of what the notebook imports from rnncore for the learner to use (a
    model class, an optimizer, gradient clipping): the learner's code may call them, and
    whatever the notebook did to rnncore, the checks run their own copy."""
    return _with_stand_ins(function, copies, run)


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


def graded_on_its_own(function, run, earlier, stand_ins, given=False, probe_first=False):
    """Run the check ``run()``. If it fails while one of the earlier functions it relies on is
    itself wrong, run it again with the course's versions of those in their place: the part
    passes when its own code is right, and the message says which earlier part to fix. With
    ``given``, those functions are the ones the notebook gives at the top, not a part's. With
    ``probe_first``, for a check too slow to run twice (a training run), the earlier functions
    are checked before it runs, and it runs once, with the course's versions of the wrong ones
    in their place."""
    if probe_first:
        wrong = _earlier_wrong(function, earlier)
        if not wrong:
            return run()
        return _with_course_versions(function, run, wrong, stand_ins, given, failed=False)
    try:
        return run()
    except Exception:
        wrong = _earlier_wrong(function, earlier)
        if not wrong:
            raise
        return _with_course_versions(function, run, wrong, stand_ins, given, failed=True)


def _with_course_versions(function, run, wrong, stand_ins, given, failed):
    """Run ``run()`` with the course's versions of the ``wrong`` earlier functions (``failed``:
    after it failed with the learner's own), and say why."""
    names = ", ".join(wrong)
    if given:
        whose = say("the {names} your notebook holds is not the one given at the top (run "
                    "that cell again, and keep the name for the given function alone)",
                    names=names)
        course = say("the given one")
    else:
        whose = say("your {names} from an earlier part is wrong", names=names)
        course = say("the course's version")
    try:
        _with_stand_ins(function, {name: stand_ins[name] for name in wrong}, run)
    except Exception as again:      # reported as it fails with the right function
        said = again if isinstance(again, CheckFailed) else describe_error(again)
        raise CheckFailed(f"{said}\n" + say("({whose}; this part also fails with {course} in "
                                            "its place)", whose=whose, course=course)) from None
    if failed:
        note(say("this part's own code is right: it failed only because {whose}, so it was "
                 "checked with {course} in its place", whose=whose, course=course))
    else:
        note(say("this part's own code is right: {whose}, so it was checked with {course} in "
                 "its place", whose=whose, course=course))
    return None
