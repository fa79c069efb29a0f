"""Numerical gradients by centred differences, to check every hand-written backward pass."""

import numbers
import warnings

import numpy as np


def numerical_gradient(f, x, df=None, h=1e-6):
    """Centred-difference gradient of ``sum(f() * df)`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x``, which is perturbed in place one entry at a time
    (and restored). ``df`` is the upstream gradient (the shape of f's output); without it f
    must return a scalar. Error O(h^2); in float64, h = 1e-6 balances it against rounding.
    """
    if not callable(f):
        raise TypeError(f"f: expected a function of no arguments, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        what = x.dtype.name if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x: expected a floating NumPy array, got {what}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not 0 < h < 1:
        raise ValueError(f"h: expected a step between 0 and 1, got {h!r}")
    if x.dtype != np.float64:
        # rounding costs about eps / h and the difference about h**2: in float32 no h brings
        # the relative error near the 1e-6 that format_report asks for
        warnings.warn(f"x: a centred difference in {x.dtype.name} is accurate to about 1e-3 at "
                      f"best (h={h:g}), far from what a gradient check needs; check gradients "
                      "in float64", stacklevel=2)
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    if x.size == 0:
        raise ValueError(f"x: expected at least one entry to perturb, got shape {x.shape}")
    if not np.shares_memory(flat_x, x) or not x.flags.writeable:
        raise ValueError("x: expected a contiguous, writeable array that can be perturbed in "
                         "place")

    def value():
        out = f()
        if out is None or isinstance(out, (tuple, list, dict)):
            raise TypeError(f"f: expected it to return an array or a number, got "
                            f"{type(out).__name__} (return the one output the check is about)")
        out = np.asarray(out)
        if df is None:
            if out.size != 1:
                raise ValueError(f"f: returned an array of shape {out.shape}; return a scalar, "
                                 "or pass df, the upstream gradient of that shape")
            return float(out.reshape(()))
        if np.shape(df) != out.shape:
            raise ValueError(f"df: expected the shape of f's output {out.shape}, got "
                             f"{np.shape(df)}")
        return float(np.sum(out * df))

    for k in range(flat_x.size):
        original = flat_x[k]
        try:
            flat_x[k] = original + h
            plus = value()
            flat_x[k] = original - h
            minus = value()
        finally:
            flat_x[k] = original
        flat_grad[k] = (plus - minus) / (2.0 * h)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones (computed
    on arrays scaled to their largest entry, so that tiny values do not underflow)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a, b: expected equal shapes, got {a.shape} and {b.shape}")
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_check(f, inputs, analytic, df=None, h=1e-6):
    """Compare analytic gradients with numerical ones for several arrays.

    Args:
        f: function of no arguments that reads the arrays in ``inputs``.
        inputs: dict name -> array that f reads (perturbed in place, then restored).
        analytic: dict name -> the gradient your backward pass computed for that array.
        df: upstream gradient for f's output (None if f returns a scalar).

    Returns:
        dict name -> relative error; print it with :func:`format_report`.
    """
    for name, value in (("inputs", inputs), ("analytic", analytic)):
        if not isinstance(value, dict):
            raise TypeError(f"{name}: expected a dict of name -> array, got "
                            f"{type(value).__name__}")
    if not inputs:
        raise ValueError("inputs: expected at least one array to check, got none")
    missing = sorted(set(inputs) - set(analytic))
    if missing:
        raise ValueError(f"analytic: missing gradients for {missing}")
    for name, x in inputs.items():
        if np.shape(analytic[name]) != np.shape(x):
            raise ValueError(f"analytic[{name!r}]: expected the shape of inputs[{name!r}] "
                             f"{np.shape(x)}, got {np.shape(analytic[name])}")
    return {name: relative_error(analytic[name], numerical_gradient(f, x, df, h))
            for name, x in inputs.items()}


def format_report(errors, tolerance=1e-6):
    """A table of relative errors, one line per array, marked ok or FAIL against tolerance."""
    if not isinstance(errors, dict):
        raise TypeError(f"errors: expected the dict gradient_check returns, got "
                        f"{type(errors).__name__}")
    if not errors:
        raise ValueError("errors: expected at least one relative error to report, got none")
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or \
            not tolerance > 0:
        raise ValueError(f"tolerance: expected a number > 0, got {tolerance!r}")
    for name, error in errors.items():
        if isinstance(error, bool) or not isinstance(error, numbers.Real) or not error >= 0:
            raise ValueError(f"errors[{name!r}]: expected a relative error >= 0, got {error!r}")
    width = max(len(str(name)) for name in errors)
    return "\n".join(f"{name!s:<{width}}  {err:.2e}  {'ok' if err < tolerance else 'FAIL'}"
                     for name, err in errors.items())
