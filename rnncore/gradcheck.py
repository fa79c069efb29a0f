"""Numerical gradients by centred differences, to check every hand-written backward pass."""

import numpy as np


def numerical_gradient(f, x, df=None, h=1e-6):
    """Centred-difference gradient of ``sum(f() * df)`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x``, which is perturbed in place one entry at a time
    (and restored). ``df`` is the upstream gradient (the shape of f's output); without it f
    must return a scalar. Error O(h^2); in float64, h = 1e-6 balances it against rounding.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x: expected a floating NumPy array, got {type(x).__name__}")
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("x: expected a contiguous array that can be perturbed in place")
    for k in range(flat_x.size):
        original = flat_x[k]
        flat_x[k] = original + h
        plus = np.sum(f() * (1.0 if df is None else df))
        flat_x[k] = original - h
        minus = np.sum(f() * (1.0 if df is None else df))
        flat_x[k] = original
        flat_grad[k] = (plus - minus) / (2.0 * h)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a, b: expected equal shapes, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


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
    missing = sorted(set(inputs) - set(analytic))
    if missing:
        raise ValueError(f"analytic: missing gradients for {missing}")
    return {name: relative_error(analytic[name], numerical_gradient(f, x, df, h))
            for name, x in inputs.items()}


def format_report(errors, tolerance=1e-6):
    """A table of relative errors, one line per array, marked ok or FAIL against tolerance."""
    width = max(len(name) for name in errors)
    return "\n".join(f"{name:<{width}}  {err:.2e}  {'ok' if err < tolerance else 'FAIL'}"
                     for name, err in errors.items())
