"""Losses that return ``(loss, dloss/dinput)``, in the style of cs231n's ``softmax_loss``."""

import numpy as np

from .validation import check_float_array, check_int_array, check_shape


def softmax_cross_entropy(logits, targets, mask=None):
    """Mean cross-entropy of softmax(logits) against integer targets, over unmasked positions.

    Args:
        logits: (..., V) unnormalised scores, e.g. (T, B, V) for a sequence.
        targets: (...) integers in [0, V), the same leading shape as logits.
        mask: (...) optional, 1/True where a position counts and 0/False where it is padding.

    Returns:
        loss: float, the mean over counted positions;
        dlogits: (..., V), the gradient of that mean.
    """
    logits = check_float_array("logits", logits)
    if logits.dtype not in (np.float32, np.float64):
        raise TypeError(f"logits: expected float32 or float64, got {logits.dtype.name} (too few "
                        "digits for a softmax)")
    if logits.ndim == 0 or logits.shape[-1] == 0 or logits.size == 0:
        raise ValueError(f"logits: expected shape (..., V) with V >= 1 and at least one "
                         f"position, got {logits.shape}")
    V = logits.shape[-1]
    targets = check_int_array("targets", targets, 0, V)
    lead = tuple(f"N{i}" for i in range(logits.ndim - 1))
    sizes = check_shape("logits", logits, (*lead, "V"))
    check_shape("targets", targets, lead, sizes)
    if mask is None:
        weights = np.ones(targets.shape, dtype=logits.dtype)
    else:
        mask = np.asarray(mask)
        check_shape("mask", mask, lead, sizes)
        if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
            raise ValueError("mask: expected booleans, or 0 and 1 only, got other values")
        weights = mask.astype(logits.dtype)
    count = weights.sum()
    if count == 0:
        raise ValueError("mask: expected at least one position to count, got none")
    shifted = logits - logits.max(axis=-1, keepdims=True)        # softmax is shift-invariant
    log_z = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_probs = shifted - log_z
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    picked = np.where(weights > 0, picked, 0.0)     # a masked -inf must not become NaN
    loss = -(picked * weights).sum() / count
    dlogits = np.exp(log_probs)
    np.put_along_axis(dlogits, targets[..., None],
                      np.take_along_axis(dlogits, targets[..., None], axis=-1) - 1.0, axis=-1)
    dlogits *= (weights / count)[..., None]
    return float(loss), dlogits


def mse_loss(pred, target):
    """Mean squared error over all elements.

    Args:
        pred, target: arrays of the same shape.

    Returns:
        loss: float; dpred: the gradient, the shape of pred.
    """
    pred = check_float_array("pred", pred)
    if pred.dtype not in (np.float32, np.float64):
        raise TypeError(f"pred: expected float32 or float64, got {pred.dtype.name} (too few "
                        "digits for a loss)")
    target = check_float_array("target", target)
    check_shape("target", target, pred.shape)
    if pred.size == 0:
        raise ValueError(f"pred: expected at least one element, got shape {pred.shape}")
    diff = pred - target
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)
