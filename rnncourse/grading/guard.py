"""What keeps the assignments' checks honest inside a learner's kernel.

A learner's code runs in the same Python process as the checks, before them, so it could
replace any function the checks look up by name. This module therefore relies only on what
such code cannot rebind, and checks everything else before trusting it:

- :func:`tampered` lists the names in NumPy, the builtins, ``math`` and ``sys`` that no longer
  hold the objects Python and NumPy put there (a lambda in place of ``np.abs``, a Python
  function in place of ``builtins.max``, ``np.abs = np.negative`` ...).
- :func:`as_numbers` reads a learner's answer into plain Python floats through the genuine
  ``ndarray`` type, and :func:`largest_error` compares with float arithmetic alone, so a patched
  ``np.abs`` or ``np.allclose`` cannot change a verdict.
- :func:`run_learner_code` calls a learner's function on copies of its arguments, with its
  printing, warnings and writes to stderr kept out of the cell's output, reports any argument
  it changed in place, and traces every Python call it makes: reaching the course's own code
  (rnncore or rnncourse) by any route (an import inside the function, ``importlib``,
  ``sys.modules``, an earlier test cell's ``checks``) is seen by what runs, not by what the
  source looks like.

What this cannot stop, and the instructor's review (``python -m rnncourse.instructor.review``)
flags instead, is code written to find and alter these checks' own objects, or the course's
files, and code that copies the reference's source.
"""

import contextlib
import io
import os
import sys
import tempfile
import threading
import warnings

import numpy as np

from .messages import say

# -- reached without any name a notebook can rebind ------------------------------------------

_type = ().__class__.__class__                      # type itself, whatever builtins.type holds
_type_flags = _type.__dict__["__flags__"].__get__
_type_name = _type.__dict__["__name__"].__get__
_type_module = _type.__dict__["__module__"].__get__
_HEAP_TYPE = 1 << 9                                 # Py_TPFLAGS_HEAPTYPE: a class made in Python
_BUILTIN = _type((0).__sizeof__)                    # builtin_function_or_method
_FUNCTION = _type(lambda: None)


def _caller_frame():
    try:
        raise ZeroDivisionError
    except ZeroDivisionError as error:
        return error.__traceback__.tb_frame.f_back


def _static(t):
    """True for a type written in C: its methods cannot be replaced from Python."""
    return not _type_flags(t) & _HEAP_TYPE


def _genuine_ndarray(value):
    t = _type(value)
    return _static(t) and _type_name(t) == "ndarray" and _type_module(t) == "numpy"


# -- tamper detection --------------------------------------------------------------------------

# The names that CPython's builtins module defines in C (input is left out: Jupyter replaces
# it on purpose).
BUILTIN_FUNCTIONS = (
    "__build_class__", "__import__", "abs", "aiter", "all", "anext", "any", "ascii", "bin",
    "breakpoint", "callable", "chr", "compile", "delattr", "dir", "divmod", "eval", "exec",
    "format", "getattr", "globals", "hasattr", "hash", "hex", "id", "isinstance",
    "issubclass", "iter", "len", "locals", "max", "min", "next", "oct", "open", "ord", "pow",
    "print", "repr", "round", "setattr", "sorted", "sum", "vars")
BUILTIN_TYPES = (
    "bool", "bytearray", "bytes", "classmethod", "complex", "dict", "enumerate", "filter",
    "float", "frozenset", "int", "list", "map", "memoryview", "object", "property", "range",
    "reversed", "set", "slice", "staticmethod", "str", "super", "tuple", "type", "zip",
    "BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError",
    "FloatingPointError", "ImportError", "IndexError", "KeyError", "NotImplementedError",
    "OverflowError", "RuntimeError", "StopIteration", "TypeError", "ValueError",
    "ZeroDivisionError")
SYS_FUNCTIONS = ("setprofile", "getprofile", "settrace", "gettrace", "exc_info")
# NumPy's own aliases: the attribute and the name its object carries differ on purpose.
NUMPY_ALIASES = {
    "abs": "absolute", "acos": "arccos", "acosh": "arccosh", "asin": "arcsin",
    "asinh": "arcsinh", "atan": "arctan", "atan2": "arctan2", "atanh": "arctanh",
    "bitwise_invert": "invert", "bitwise_left_shift": "left_shift", "bitwise_not": "invert",
    "bitwise_right_shift": "right_shift", "concat": "concatenate", "conj": "conjugate",
    "mod": "remainder", "permute_dims": "transpose", "pow": "power", "true_divide": "divide"}
_NAMED_C_CALLABLES = ("builtin_function_or_method", "ufunc", "_ArrayFunctionDispatcher",
                      "cython_function_or_method")


_real_paths = {}


def _inside(filename, folders):
    if filename not in _real_paths:
        _real_paths[filename] = os.path.realpath(filename)
    filename = _real_paths[filename]
    for folder in folders:
        if filename.startswith(folder + os.sep):
            return True
    return False


STANDARD_LIBRARY = [os.path.realpath(os.path.dirname(os.__file__))]
LIBRARIES = STANDARD_LIBRARY + [os.path.realpath(os.path.dirname(np.__file__))]


def _python_function_problem(function, folders):
    code = function.__code__
    if _inside(code.co_filename, folders):
        return None
    wrapped = function.__dict__.get("__wrapped__")      # functools.wraps, contextmanager
    if wrapped is not None and _type(wrapped) is _FUNCTION and \
            _inside(code.co_filename, STANDARD_LIBRARY) and \
            _inside(wrapped.__code__.co_filename, folders):
        return None
    return say("a function defined in {file}", file=code.co_filename)


def _class_module(t):
    module = _type_module(t)
    return module if _type(module) is str else ""


def _numpy_problem(name, obj, folders):
    """Why ``obj`` is not what NumPy itself puts at ``name``, or None."""
    t = _type(obj)
    kind = _type_name(t)
    if t is _FUNCTION:
        return _python_function_problem(obj, folders)
    if kind in _NAMED_C_CALLABLES and (_static(t) or kind == "cython_function_or_method"):
        if obj.__name__ != NUMPY_ALIASES.get(name, name):
            return say("numpy's {name}", name=obj.__name__)
        if kind == "_ArrayFunctionDispatcher":
            implementation = obj._implementation
            if _type(implementation) is _BUILTIN:
                return _numpy_problem(obj.__name__, implementation, folders)
            if _type(implementation) is not _FUNCTION:
                return say("a dispatcher around something else")
            return _python_function_problem(implementation, folders)
        if kind == "builtin_function_or_method":
            owner = obj.__self__
            owner_name = owner.__name__ if _type(owner).__name__ == "module" else ""
            if owner_name.split(".")[0] != "numpy":
                return f"{owner_name}.{obj.__name__}"
        return None
    if kind == "method" and _static(t):
        return _numpy_problem(name, obj.__func__, folders)
    if not _static(t):
        module = _class_module(t)
        if module.split(".")[0] != "numpy" or kind in ("vectorize", "partial"):
            return say("an object of class {name}", name=f"{module}.{kind}")
        return None
    if kind == "type" and not _static(obj):
        module = _class_module(obj)
        if module.split(".")[0] != "numpy":
            return say("the class {name}", name=f"{module}.{_type_name(obj)}")
    return None


def _builtin_problem(name, obj, module_name):
    t = _type(obj)
    if t is not _BUILTIN:
        return say("a {kind}", kind=_type_name(t))
    if obj.__name__ != name:
        return say("the builtin {name}", name=obj.__name__)
    owner = obj.__self__
    owner_name = owner.__name__ if _type(owner).__name__ == "module" else None
    if name != "open" and owner_name != module_name:
        return f"{owner_name}.{obj.__name__}"
    return None


def _module_items(module):
    """The attributes a module holds, read from its dict (no dir(), no getattr())."""
    return module.__dict__.items()


def tampered():
    """The replaced names, as ["numpy.abs (now a function defined in <cell>)", ...]."""
    found = []
    builtins = _caller_frame().f_builtins
    for name in BUILTIN_FUNCTIONS:
        if name in builtins:
            problem = _builtin_problem(name, builtins[name], "builtins")
            if problem:
                found.append(say("{name} (now {problem})", name=f"builtins.{name}",
                                 problem=problem))
    for name in BUILTIN_TYPES:
        if name in builtins:
            value = builtins[name]
            if _type(value) is not _type or not _static(value) or _type_name(value) != name:
                found.append(say("{name} (now {problem})", name=f"builtins.{name}",
                                  problem=f"{value!r:.60}"))
    numpy_folders = [os.path.realpath(os.path.dirname(np.__file__))]
    for label, module in (("numpy", np), ("numpy.linalg", np.linalg),
                          ("numpy.random", np.random)):
        for name, obj in _module_items(module):
            if name.startswith("_"):
                continue
            problem = _numpy_problem(name, obj, numpy_folders)
            if problem:
                found.append(say("{name} (now {problem})", name=f"{label}.{name}",
                                      problem=problem))
    import math
    for name, obj in _module_items(math):
        if not name.startswith("_") and callable(obj):
            problem = _builtin_problem(name, obj, "math")
            if problem:
                found.append(say("{name} (now {problem})", name=f"math.{name}",
                                  problem=problem))
    for name in SYS_FUNCTIONS:
        problem = _builtin_problem(name, sys.__dict__.get(name), "sys")
        if problem:
            found.append(say("{name} (now {problem})", name=f"sys.{name}", problem=problem))
    setprofile = threading.__dict__.get("setprofile")
    if _type(setprofile) is not _FUNCTION or \
            _python_function_problem(setprofile, STANDARD_LIBRARY):
        found.append("threading.setprofile")
    return found


# -- reading and comparing answers with float arithmetic alone ------------------------------

class NotNumbers(Exception):
    """The answer is not a NumPy array (or a number) of real numbers."""


def as_numbers(value):
    """(shape, flat list of Python floats, dtype name) of an ndarray or a real number.

    Only the genuine ``ndarray`` type is read (not a subclass, which could redefine what its
    values look like); a number is a Python ``int``/``float`` or a NumPy scalar.
    """
    t = _type(value)
    if _genuine_ndarray(value):
        kind = value.dtype.kind
        if kind not in "fiu":
            raise NotNumbers(say("expected real numbers, got dtype {dtype}",
                                 dtype=value.dtype.name))
        return tuple(value.shape), t.tolist(t.ravel(value)), value.dtype.name
    if t is float or t is int:
        return (), [value + 0.0], "float64"
    if _static(t) and _type_module(t) == "numpy" and hasattr(value, "dtype") and \
            value.dtype.kind in "fiu":
        return (), [value.item() + 0.0], value.dtype.name
    if _type(value) is bool or (_static(t) and _type_name(t) == "bool"):
        raise NotNumbers(say("expected a number, got a bool"))
    name = _type_name(t)
    if _type_name(t) == "ndarray" or (not _static(t) and "ndarray" in
                                      [_type_name(b) for b in t.__mro__]):
        raise NotNumbers(say("expected a plain NumPy array, got a subclass {name}", name=name))
    raise NotNumbers(say("expected a NumPy array, got {name}", name=name))


def is_finite(x):
    return x == x and x - x == 0.0           # NaN fails the first, +-inf the second


def tolerance(expected, dtype):
    """How far an answer in ``dtype`` may be from ``expected`` (a float) and still be right:
    about a millionth of the value in float64, a ten-thousandth in float32."""
    size = expected if expected >= 0 else -expected
    relative = 1e-7 if dtype == "float64" else 1e-4
    return relative * (1.0 + size)


def largest_error(actual, expected, dtype):
    """(index of the worst entry, its error, whether every entry is within tolerance), from two
    flat lists of floats of the same length."""
    worst, worst_excess, within = 0, -1.0, True
    for k, (a, e) in enumerate(zip(actual, expected)):
        error = a - e if a >= e else e - a
        excess = error / tolerance(e, dtype)
        if not excess <= 1.0:          # also catches NaN
            within = False
        if excess > worst_excess or excess != excess:
            worst, worst_excess = k, excess if excess == excess else float("inf")
    if not actual:
        return 0, 0.0, True
    a, e = actual[worst], expected[worst]
    return worst, (a - e if a >= e else e - a), within


def unravel(flat_index, shape):
    index = []
    for size in reversed(shape):
        index.append(flat_index % size)
        flat_index //= size
    return tuple(reversed(index))


def distinct_digits(expected, actual):
    """The two numbers with just enough significant digits to tell them apart."""
    for digits in range(6, 18):
        e, a = f"{expected:.{digits}g}", f"{actual:.{digits}g}"
        if e != a:
            return e, a
    return f"{expected!r}", f"{actual!r}"


# -- running a learner's function ------------------------------------------------------------

def _copy(value):
    if _genuine_ndarray(value):
        return value.copy()
    if _type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if _type(value) in (list, tuple):
        return _type(value)(_copy(v) for v in value)
    return value


def _same(a, b):
    if _genuine_ndarray(a) and _genuine_ndarray(b):
        return _type(a).tolist(a) == _type(b).tolist(b) and a.shape == b.shape
    if _type(a) is dict and _type(b) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if _type(a) in (list, tuple) and _type(b) is _type(a):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b or a == b


class Report:
    """What a learner's call did besides returning: printed text, warnings, changed arguments,
    and whether it reached the course's own code."""

    def __init__(self):
        self.printed = ""
        self.warnings = []
        self.changed = []
        self.arguments = {}          # what the function was given (copies, unless told not to)
        self.reached = []
        self.tracing_switched_off = False


@contextlib.contextmanager
def _quiet_file_descriptors():
    """Send what C code writes to file descriptors 1 and 2 to a scratch file (the kernel would
    otherwise show it as the cell's stderr, which nbgrader scores as a failure)."""
    saved = []
    try:
        scratch = tempfile.TemporaryFile()
        for fd in (1, 2):
            saved.append((fd, os.dup(fd)))
            os.dup2(scratch.fileno(), fd)
    except OSError:
        scratch = None
    try:
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        if scratch is not None:
            scratch.close()


def _under(folders):
    def test(filename):
        return _inside(filename, folders)
    return test


COURSE_FOLDERS = [os.path.realpath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                                                name)) for name in ("rnncore", "rnncourse")]
_CODE = _type((lambda: None).__code__)
SMALLEST_FINGERPRINTED = 32     # bytes of bytecode: below it, an honest function could coincide


def fingerprint(code):
    """What a code object computes, wherever its file sits and whatever its module is called:
    its bytecode, constants (docstrings included), names and variable names."""
    return (code.co_code, tuple(fingerprint(c) if _type(c) is _CODE else c
                                for c in code.co_consts), code.co_names, code.co_varnames)


def _reference_fingerprints(folder):
    """The fingerprints of every function of the reference (rnncore), from its source files: a
    copy of them elsewhere, under any name, runs code with the same fingerprints. A generator
    expression or a lambda (``<genexpr>``) is left out: one line such as
    ``tuple(s.copy() for s in state)`` is as likely in an honest answer, and a copied function
    is known by its own code, which runs first."""
    found, pending = set(), []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                pending.append(compile(file.read(), name, "exec"))
    while pending:
        code = pending.pop()
        if len(code.co_code) >= SMALLEST_FINGERPRINTED and not code.co_name.startswith("<"):
            found.add(fingerprint(code))
        pending.extend(c for c in code.co_consts if _type(c) is _CODE)
    return frozenset(found)


REFERENCE_FINGERPRINTS = _reference_fingerprints(COURSE_FOLDERS[0])


def run_learner_code(function, arguments, allowed=(), copies=True):
    """Call ``function(**arguments)`` as the checks must: on copies, quietly, traced.

    ``allowed`` holds code objects of the course's (stand-ins for a learner's earlier
    functions, a function the learner is given to call) inside which reaching the course's
    code is expected. ``copies=False`` passes the arrays themselves, for a function whose job
    is to change them and put them back. Returns (result, Report); the learner's own
    exceptions propagate.
    """
    report = Report()
    given = arguments
    arguments = {name: _copy(value) for name, value in arguments.items()}
    if not copies:
        arguments, given = given, arguments
    in_course = _under(COURSE_FOLDERS)
    copied = {}                      # code object -> whether it is a copy of the reference's

    def is_reference(code):
        if code not in copied:
            copied[code] = len(code.co_code) >= SMALLEST_FINGERPRINTED and \
                fingerprint(code) in REFERENCE_FINGERPRINTS
        return copied[code]

    allowed_frames = []
    caller = _caller_frame()

    def profile(frame, event, arg):
        if event == "call":
            if frame.f_back is caller:
                entered.append(True)
            code = frame.f_code
            if code in allowed:
                allowed_frames.append(frame)
            elif not allowed_frames and in_course(code.co_filename):
                report.reached.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
            elif not allowed_frames and is_reference(code):
                report.reached.append(say("a copy of rnncore's {name}", name=code.co_name))
        elif event == "return":
            if allowed_frames and frame is allowed_frames[-1]:
                allowed_frames.pop()
            if frame.f_back is caller and not returned:
                returned.append(True)
        elif event == "c_call" and frame is not caller and _type(arg) is _BUILTIN and \
                arg.__name__ in ("setprofile", "settrace"):
            report.tracing_switched_off = True

    entered, returned = [], []
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _quiet_file_descriptors():
            previous = sys.getprofile()
            threading.setprofile(profile)          # threads the function starts are traced too
            sys.setprofile(profile)
            try:
                result = function(**arguments)
            finally:
                sys.setprofile(previous)
                threading.setprofile(None)
    if entered and not returned:
        report.tracing_switched_off = True
    report.printed = out.getvalue() + err.getvalue()
    report.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    report.changed = [name for name, value in given.items()
                      if not _same(value, arguments[name])]
    report.arguments = arguments
    return result, report


def parameters(function):
    """The names ``function`` takes as keywords, or None when it takes any (``**kwargs``) or
    is not a plain Python function."""
    if _type(function) is not _FUNCTION:
        return None
    code = function.__code__
    if code.co_flags & 0x08:                         # CO_VARKEYWORDS
        return None
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def holds(container, item):
    """Whether ``item`` itself (not an equal copy) is ``container`` or inside its tuples,
    lists and dicts."""
    if container is item:
        return True
    if _type(container) is dict:
        container = list(container.values())
    if _type(container) in (list, tuple):
        return any(holds(value, item) for value in container)
    return False
