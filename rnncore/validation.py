"""Argument checks whose errors name the argument, the expected and the actual value.

Every public function in ``rnncore`` checks its inputs with these helpers, so a learner who
passes an array of the wrong shape reads, for example::

    ValueError: x: expected shape (T, B, input_size=3), got (5, 4, 2)
"""

import functools
import inspect
import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def describe_shape(expected):
    """Render a shape spec such as ``("T", "B", ("input_size", 3))`` as ``(T, B, input_size=3)``.

    Each entry is an int, a symbolic name (any size), or a ``(name, size)`` pair.
    """
    parts = []
    for dim in expected:
        if isinstance(dim, tuple):
            parts.append(f"{dim[0]}={dim[1]}")
        else:
            parts.append(str(dim))
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def _split_dim(dim):
    """A spec entry as (label, size): size None for a symbolic name, label None for an int."""
    if isinstance(dim, tuple):
        return dim
    return (dim, None) if isinstance(dim, str) else (None, dim)


def check_shape(name, array, expected, sizes=None):
    """Check ``array.shape`` against a spec (see :func:`describe_shape`) and return the sizes.

    Symbolic names must agree with each other and with ``sizes``, the names already bound by
    earlier checks (e.g. ``{"B": 4}``); the message repeats those that constrain this array.
    Returns ``sizes`` updated with the names this array binds.
    """
    known = dict(sizes or {})
    bound = dict(known)
    shape = tuple(np.shape(array))
    matches = len(shape) == len(expected)
    for dim, actual in zip(expected, shape) if matches else ():
        label, want = _split_dim(dim)
        if want is None:
            want = bound.setdefault(label, actual)
        if actual != want:
            matches = False
            break
    if not matches:
        context = "".join(f", {label}={known[label]}" for label, size in map(_split_dim, expected)
                          if size is None and label in known)
        raise ValueError(f"{name}: expected shape {describe_shape(expected)}{context}, "
                         f"got {shape}")
    return bound


def _as_array(name, value):
    """np.asarray(value), with errors that name the argument."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name}: expected a plain NumPy array, got a masked array, whose "
                        "masked entries would be used as they are (fill them first, e.g. "
                        f"{_expression(name)}.filled(0.0))")
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(f"{name}: expected a rectangular array, got nested sequences of "
                         "different lengths") from None


def check_float_array(name, value, dtype=None, finite=True):
    """Return ``value`` as a floating ndarray, or raise a TypeError/ValueError naming ``name``.

    ``dtype`` (if given) is required exactly: mixing float32 and float64 silently would break
    either exactness or speed, so the message says how to convert instead. (An array in the
    other byte order is converted: its values are the same.)
    """
    if not isinstance(value, (np.ndarray, numbers.Number, list, tuple)) or \
            isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a NumPy array, got {type(value).__name__}")
    array = _as_array(name, value)
    if array.dtype.kind in "cObSU":
        raise TypeError(f"{name}: expected real numbers, got dtype {array.dtype.name}")
    if dtype is not None and array.dtype != dtype:
        want = np.dtype(dtype)
        if array.dtype.newbyteorder("=") == want.newbyteorder("="):
            array = array.astype(want)                  # only the byte order differs
        elif isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected dtype {want.name}, got {array.dtype.name} "
                            f"(convert with {_expression(name)}.astype(np.{want.name}))")
        elif np.issubdtype(array.dtype, np.number):     # a plain list or number: convert it
            array = array.astype(want)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{name}: expected a floating-point array, got dtype {array.dtype.name}")
    if finite:
        check_finite(name, array)
    return array


def as_float_array(name, value):
    """``value`` as a floating ndarray for arithmetic: integers become float64; booleans,
    strings, objects and complex numbers are refused; NaN and inf are kept."""
    if not isinstance(value, (np.ndarray, numbers.Number, list, tuple)) or \
            isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a NumPy array or a number, got "
                        f"{type(value).__name__}")
    array = _as_array(name, value)
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{name}: expected real numbers, got dtype {array.dtype.name}")
    return array


def _expression(name):
    """The Python expression part of an argument's name: "hx[0] (h)" -> "hx[0]"."""
    return name.split(" (")[0]


def check_finite(name, array):
    """Raise a ValueError naming ``name`` and the first bad index if ``array`` has NaN or inf."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        raise ValueError(f"{name}: contains {len(bad)} non-finite value(s) (NaN or inf), "
                         f"first at index {first}: {array[first]!r}")


def check_int_array(name, value, low=None, high=None):
    """Return ``value`` as an integer ndarray whose entries lie in ``[low, high)``."""
    array = _as_array(name, value)
    if array.size == 0 and not isinstance(value, np.ndarray):
        array = array.astype(np.int64)            # [] is an empty list of ids, not of floats
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer array, got dtype {array.dtype.name}")
    if array.size and low is not None and array.min() < low:
        raise ValueError(f"{name}: expected values >= {low}, got {array.min()}")
    if array.size and high is not None and array.max() >= high:
        raise ValueError(f"{name}: expected values < {high}, got {array.max()}")
    return array


def check_choice(name, value, choices):
    """Raise a ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {options}, got {value!r}")
    return value


def check_bool(name, value):
    """Return ``value`` as a bool, refusing anything but True and False (a string "False" is
    truthy, and would silently mean the opposite)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def check_positive_int(name, value):
    """Raise unless ``value`` is an int >= 1 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)


# ----------------------------------------------------------------------------------------
# The step functions' arguments (rnncore.cells)
# ----------------------------------------------------------------------------------------

STEP_ARRAYS = ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
STEP_OPTIONS = {"nonlinearity": ("tanh", "relu"), "reset_after": (True, False)}


def _step_arrays(arguments, gates):
    """The array arguments of one step, checked, in one dtype, as private copies."""
    arrays = {name: check_float_array(name, arguments[name])
              for name in STEP_ARRAYS if name in arguments}
    given = {name: array.dtype for name, array in arrays.items()
             if isinstance(arguments[name], np.ndarray)}
    dtypes = list(given.values())
    dtype = max(dtypes, key=dtypes.count) if dtypes else np.dtype(np.float64)   # the majority's
    for name, other in given.items():
        if other != dtype:
            agree = ", ".join(n for n, d in given.items() if d == dtype)
            raise TypeError(f"{name}: expected dtype {dtype.name} like {agree}, got {other.name} "
                            f"(convert with {name}.astype(np.{dtype.name}))")
    arrays = {name: np.array(array, dtype=dtype) for name, array in arrays.items()}
    sizes = check_shape("x", arrays["x"], ("B", "D"))
    sizes = check_shape("h_prev", arrays["h_prev"], ("B", "H"), sizes)
    rows = f"{gates}*H" if gates > 1 else "H"
    sizes[rows] = gates * sizes["H"]
    if "c_prev" in arrays:
        check_shape("c_prev", arrays["c_prev"], ("B", "H"), sizes)
    check_shape("weight_ih", arrays["weight_ih"], (rows, "D"), sizes)
    check_shape("weight_hh", arrays["weight_hh"], (rows, "H"), sizes)
    check_shape("bias_ih", arrays["bias_ih"], (rows,), sizes)
    check_shape("bias_hh", arrays["bias_hh"], (rows,), sizes)
    return arrays


def _private(outputs):
    """Copies of a step's outputs (an array or a tuple of arrays)."""
    if isinstance(outputs, tuple):
        return tuple(o.copy() for o in outputs)
    return outputs.copy()


def step_arguments(gates):
    """Decorator for a cell's ``*_step_forward`` with ``gates`` blocks of rows per weight.

    Before the step runs, every array argument is checked (floating point, finite, one dtype,
    shapes that agree, each error naming the argument) and replaced by a private copy; the
    caller receives copies of the outputs. The cache therefore shares no memory with anything
    the caller holds, and nothing the caller changes later can change the backward pass.
    """
    def decorate(step):
        signature = inspect.signature(step)

        @functools.wraps(step)
        def checked(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{step.__name__}: {error}") from None
            bound.apply_defaults()
            for name, choices in STEP_OPTIONS.items():
                if name in bound.arguments:
                    value = bound.arguments[name]
                    if not isinstance(value, (str, bool, np.bool_)) or value not in choices:
                        options = ", ".join(repr(c) for c in choices)
                        raise ValueError(f"{name}: expected one of {options}, got {value!r}")
            bound.arguments.update(_step_arrays(bound.arguments, gates))
            outputs, cache = step(*bound.args, **bound.kwargs)
            return _private(outputs), cache
        return checked
    return decorate


def check_upstream(name, value, like):
    """An upstream gradient for a step's backward: a finite float array with the dtype and
    shape of the forward's output ``like``."""
    array = check_float_array(name, value, dtype=like.dtype)
    check_shape(name, array, like.shape)
    return array


def check_cache(cache, kind):
    """The cache a step's forward returned, as the backward needs it."""
    if not isinstance(cache, kind):
        forward = {"RNNStepCache": "rnn", "LSTMStepCache": "lstm",
                   "GRUStepCache": "gru"}.get(kind.__name__, "the")
        raise TypeError(f"cache: expected the {kind.__name__} that {forward}_step_forward "
                        f"returned, got {type(cache).__name__}")
    return cache
