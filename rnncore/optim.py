"""Optimizers and gradient clipping over the ``params`` / ``grads`` dicts of modules.

Each ``step()`` reads the gradients that the last ``backward`` wrote and updates the
parameters in place, with the same formulas as ``torch.optim.SGD`` and ``torch.optim.Adam``.
"""

import numbers

import numpy as np

from .module import Module


def _pairs(modules):
    """(name, parameter, gradient) of one module or a list of modules."""
    if isinstance(modules, Module):
        modules = [modules]
    elif isinstance(modules, (list, tuple)):
        modules = list(modules)
    else:
        raise TypeError(f"modules: expected an rnncore Module or a list of them, got "
                        f"{type(modules).__name__}")
    for k, module in enumerate(modules):
        if not isinstance(module, Module):
            raise TypeError(f"modules[{k}]: expected an rnncore Module, "
                            f"got {type(module).__name__}")
    seen, pairs = set(), []
    for module in modules:
        for name, param in module.params.items():
            if id(param) not in seen:                  # a parameter shared by two modules
                seen.add(id(param))
                pairs.append((name, param, module.grads[name]))
    if not pairs:
        raise ValueError("modules: expected at least one parameter to optimise, got none")
    return pairs


def _check_gradients(pairs):
    """Refuse to step on NaN or infinite gradients: the parameters would become NaN for good."""
    for name, _, grad in pairs:
        if not np.isfinite(grad).all():
            raise FloatingPointError(f"grads[{name!r}]: contains NaN or inf; the parameters "
                                     "were not changed (lower the learning rate, or clip)")


def _check_rate(name, value, low=0.0, high=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or \
            not np.isfinite(value) or value < low or (high is not None and value >= high):
        span = f"[{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{name}: expected a number {span}, got {value!r}")
    return float(value)


class SGD:
    """p -= lr * v with v = momentum * v + grad (v = grad when momentum is 0), as torch."""

    def __init__(self, modules, lr, momentum=0.0):
        self.pairs = _pairs(modules)
        self.lr = _check_rate("lr", lr)
        self.momentum = _check_rate("momentum", momentum, 0.0, 1.0)
        self.velocity = [None] * len(self.pairs)

    def step(self):
        _check_gradients(self.pairs)
        for k, (_, param, grad) in enumerate(self.pairs):
            if self.momentum:
                if self.velocity[k] is None:
                    self.velocity[k] = grad.copy()
                else:
                    self.velocity[k] *= self.momentum
                    self.velocity[k] += grad
                param -= self.lr * self.velocity[k]
            else:
                param -= self.lr * grad


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction, the formula of ``torch.optim.Adam``."""

    def __init__(self, modules, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.pairs = _pairs(modules)
        self.lr = _check_rate("lr", lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _check_rate("betas[0]", betas[0], 0.0, 1.0)
        self.beta2 = _check_rate("betas[1]", betas[1], 0.0, 1.0)
        self.eps = _check_rate("eps", eps)
        self.m = [np.zeros_like(p) for _, p, _ in self.pairs]
        self.v = [np.zeros_like(p) for _, p, _ in self.pairs]
        self.t = 0

    def step(self):
        _check_gradients(self.pairs)
        self.t += 1
        correction1 = 1.0 - self.beta1 ** self.t
        correction2 = 1.0 - self.beta2 ** self.t
        for (_, param, grad), m, v in zip(self.pairs, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * grad
            v *= self.beta2
            v += (1.0 - self.beta2) * grad * grad
            denom = np.sqrt(v) / np.sqrt(correction2)
            denom += self.eps
            param -= (self.lr / correction1) * m / denom


def grad_norm(modules):
    """The L2 norm of all gradients together."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for _, _, g in _pairs(modules))))


def _squared_norm(grad):
    """The sum of squares of ``grad``, in float64 where float32's range would overflow."""
    with np.errstate(over="ignore"):
        squared = float(np.vdot(grad, grad))
    if not np.isfinite(squared) and np.isfinite(grad).all():
        squared = float(np.vdot(grad.astype(np.float64), grad.astype(np.float64)))
    return squared


def clip_grad_norm(modules, max_norm):
    """Scale all gradients together so that their L2 norm is at most ``max_norm``.

    Returns the norm before clipping, as ``torch.nn.utils.clip_grad_norm_`` does (and like it,
    scales by max_norm / (norm + 1e-6) when the norm is larger).
    """
    max_norm = _check_rate("max_norm", max_norm)
    pairs = _pairs(modules)
    norm = float(np.sqrt(sum(_squared_norm(g) for _, _, g in pairs)))
    if not np.isfinite(norm):
        _check_gradients(pairs)     # names the gradient that holds the NaN or inf
        raise FloatingPointError(f"the gradients' norm overflows ({norm}); they were not "
                                 "changed")
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for _, _, grad in pairs:
            grad *= scale
    return norm
