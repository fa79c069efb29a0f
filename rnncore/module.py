"""The small base class shared by every layer: named parameters, their gradients, and
``state_dict`` / ``load_state_dict`` with the same keys as the matching ``torch.nn`` module."""

import numpy as np

from .validation import FLOAT_DTYPES, check_float_array


def make_rng(seed=None, rng=None):
    """A NumPy Generator from either a seed or an existing generator (not both)."""
    if rng is not None and seed is not None:
        raise ValueError("seed, rng: give one or the other, got both")
    if rng is None:
        return np.random.default_rng(seed)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def check_dtype(dtype):
    """Accept float32 or float64 (as a type, dtype or name) and return it as a NumPy dtype."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in [np.dtype(d) for d in FLOAT_DTYPES]:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}")
    return resolved


class Module:
    """Holds ``params`` and ``grads``: two dicts with the same keys and array shapes.

    ``backward`` methods overwrite ``grads`` in place (they do not accumulate), so an
    optimizer can keep references to both dicts.
    """

    def __init__(self, dtype=np.float64):
        self.dtype = check_dtype(dtype)
        self.params = {}
        self.grads = {}

    def _add_param(self, name, value):
        self.params[name] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[name] = np.zeros_like(self.params[name])

    def _add_child(self, prefix, module):
        """Expose a sub-module's parameters as ``prefix.name`` (the same arrays, not copies)."""
        for name in module.params:
            self.params[f"{prefix}.{name}"] = module.params[name]
            self.grads[f"{prefix}.{name}"] = module.grads[name]
        return module

    def __getattr__(self, name):
        # Reached only when normal lookup fails, so torch-style `layer.weight_ih_l0` works.
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or parameter {name!r}")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def num_parameters(self):
        """Total number of scalar parameters."""
        return sum(p.size for p in self.params.values())

    def zero_grad(self):
        for grad in self.grads.values():
            grad.fill(0.0)

    def state_dict(self):
        """A copy of every parameter, keyed as in ``torch.nn`` (e.g. ``weight_ih_l0``)."""
        return {name: value.copy() for name, value in self.params.items()}

    def load_state_dict(self, state_dict):
        """Copy parameters in from a mapping of arrays with exactly this module's keys and shapes.

        Arrays are cast to the module's dtype, so float32 weights exported from PyTorch
        (``{k: v.detach().numpy() for k, v in m.state_dict().items()}``) load unchanged.
        Nothing is modified unless every key and shape checks out.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"state_dict: expected a mapping of arrays, got "
                            f"{type(state_dict).__name__}")
        missing = sorted(set(self.params) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(self.params))
        if missing or unexpected:
            raise ValueError(f"state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                             f"expected exactly {sorted(self.params)}")
        arrays = {}
        for name, param in self.params.items():
            array = check_float_array(f"state_dict[{name!r}]", np.asarray(state_dict[name]))
            if array.shape != param.shape:
                raise ValueError(f"state_dict[{name!r}]: expected shape {param.shape}, "
                                 f"got {array.shape}")
            arrays[name] = array
        for name, array in arrays.items():
            self.params[name][...] = array
