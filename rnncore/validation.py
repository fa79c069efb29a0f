"""Argument checks whose errors name the argument, the expected and the actual value.

Every public function in ``rnncore`` checks its inputs with these helpers, so a learner who
passes an array of the wrong shape reads, for example::

    ValueError: x: expected shape (T, B, input_size=3), got (5, 4, 2)
"""

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


def check_float_array(name, value, dtype=None, finite=True):
    """Return ``value`` as a floating ndarray, or raise a TypeError/ValueError naming ``name``.

    ``dtype`` (if given) is required exactly: mixing float32 and float64 silently would break
    either exactness or speed, so the message says how to convert instead.
    """
    if not isinstance(value, (np.ndarray, numbers.Number, list, tuple)):
        raise TypeError(f"{name}: expected a NumPy array, got {type(value).__name__}")
    array = np.asarray(value)
    if dtype is not None and array.dtype != dtype:
        want = np.dtype(dtype).name
        if isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected dtype {want}, got {array.dtype.name} "
                            f"(convert with {name}.astype(np.{want}))")
        if np.issubdtype(array.dtype, np.number):    # a plain list or number: convert it
            array = array.astype(dtype)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{name}: expected a floating-point array, got dtype {array.dtype.name}")
    if finite:
        check_finite(name, array)
    return array


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
    array = np.asarray(value)
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


def check_positive_int(name, value):
    """Raise unless ``value`` is an int >= 1 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)
