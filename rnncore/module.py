"""The small base class shared by every layer: named parameters, their gradients, the forward
pass each backward belongs to, and ``state_dict`` / ``load_state_dict`` with the same keys as
the matching ``torch.nn`` module."""

import contextlib
import functools
import numbers
import threading

import numpy as np

from .validation import FLOAT_DTYPES, check_finite, check_float_array

_mode = threading.local()


def grad_enabled():
    """True unless inside :func:`no_grad`."""
    return getattr(_mode, "grad", True)


@contextlib.contextmanager
def no_grad():
    """Inference mode: forward passes inside it store nothing for a backward pass.

    Use it for evaluation and generation between a training forward and its backward, as with
    ``torch.no_grad()``::

        with rnncore.no_grad():
            accuracy = evaluate(model)

    It also works as a decorator.
    """
    previous = grad_enabled()
    _mode.grad = False
    try:
        yield
    finally:
        _mode.grad = previous


def make_rng(seed=None, rng=None):
    """A NumPy Generator from either a seed (None or an int >= 0) or an existing generator."""
    if rng is not None and seed is not None:
        raise ValueError("seed, rng: give one or the other, got both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise ValueError(f"seed: expected None or an int >= 0, got {seed!r}")
    return np.random.default_rng(seed)


def check_dtype(dtype):
    """Accept float32 or float64 (as a type, dtype or name) and return it as a NumPy dtype."""
    try:
        resolved = np.dtype(dtype) if isinstance(dtype, (type, np.dtype, str)) else None
    except TypeError:
        resolved = None
    if resolved is None or resolved not in [np.dtype(d) for d in FLOAT_DTYPES]:
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {dtype!r}")
    return resolved


class Parameters(dict):
    """A module's parameters by name. Assigning to an existing name copies the new values into
    the array already there (after checking its shape), so that optimizers and parent modules,
    which hold that array, see the change; new names and deletions are refused."""

    label, noun = "params", "parameter"

    def checked(self, name, value, label=None):
        """``value`` as the array that would be copied into ``name``: the right shape, the
        module's dtype, finite; raises (naming ``label``) otherwise."""
        label = label or f"{self.label}[{name!r}]"
        if name not in self:
            raise KeyError(f"{name!r}: no such {self.noun}; the {self.noun}s are {sorted(self)}")
        target = self[name]
        array = check_float_array(label, value)
        if array.shape != target.shape:
            raise ValueError(f"{label}: expected shape {target.shape}, got {array.shape}")
        with np.errstate(over="ignore"):
            array = array.astype(target.dtype)
        check_finite(f"{label} in {target.dtype.name}", array)         # float32 overflow
        return array

    def __setitem__(self, name, value):
        self[name][...] = self.checked(name, value)

    def update(self, *args, **kwargs):
        arrays = {name: self.checked(name, value)      # all checked before any is written
                  for name, value in dict(*args, **kwargs).items()}
        for name, array in arrays.items():
            self[name][...] = array

    def __ior__(self, other):
        self.update(other)
        return self

    def _refuse(self, *args, **kwargs):
        raise TypeError(f"{self.label}: {self.noun}s cannot be removed or added; assign into one "
                        f"({self.label}[name] = value) or use load_state_dict")

    __delitem__ = pop = popitem = clear = setdefault = _refuse

    def _add(self, name, array):
        dict.__setitem__(self, name, array)

    def __reduce__(self):
        # pickle and copy rebuild a dict through __setitem__, which refuses new names
        return _rebuilt, (type(self), list(self.items()))


class Gradients(Parameters):
    """A module's gradients by name, held by the optimizers and the backward passes: assigning
    to a name copies the new values into the array already there (``grads[name] = g``, like
    torch's ``p.grad = g``); new names and deletions are refused."""

    label, noun = "grads", "gradient"


def _rebuilt(cls, items):
    rebuilt = cls()
    for name, array in items:
        rebuilt._add(name, array)
    return rebuilt


class Module:
    """Holds ``params`` and ``grads``: two dicts with the same keys and array shapes.

    ``backward`` methods overwrite ``grads`` in place (they do not accumulate), so an
    optimizer can keep references to both dicts. A module keeps what its last forward pass
    needs for the backward pass; a backward after two forward passes would be ambiguous, and
    raises instead of answering for the wrong one.
    """

    _settable = ()        # public attributes that may change after building, everywhere at once

    def __init_subclass__(cls, **kwargs):
        """Mark a module built when its outermost ``__init__`` returns: from then on its
        public attributes are fixed (see :meth:`__setattr__`)."""
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            return
        init = cls.__init__

        @functools.wraps(init)
        def build(self, *args, **kwargs):
            depth = self.__dict__.get("_building", 0)
            object.__setattr__(self, "_building", depth + 1)
            try:
                init(self, *args, **kwargs)
            finally:
                object.__setattr__(self, "_building", depth)
            if depth == 0:
                object.__setattr__(self, "_built", True)

        cls.__init__ = build

    def __init__(self, dtype=np.float64):
        object.__setattr__(self, "params", Parameters())
        object.__setattr__(self, "grads", Gradients())
        self.dtype = check_dtype(dtype)
        self._children = []
        self._stored = None           # what the last recording forward pass kept
        self._unused_passes = 0       # recording forward passes since the last backward
        self._stored_used = False     # whether a backward has used it
        self._no_grad_since_used = False   # a no_grad forward came after that backward
        self._last_forward_recorded = True

    def _add_param(self, name, value):
        self.params._add(name, np.ascontiguousarray(value, dtype=self.dtype))
        self.grads._add(name, np.zeros_like(self.params[name]))

    def _add_child(self, prefix, module):
        """Expose a sub-module's parameters as ``prefix.name`` (the same arrays, not copies)."""
        for name in module.params:
            self.params._add(f"{prefix}.{name}", module.params[name])
            self.grads._add(f"{prefix}.{name}", module.grads[name])
        self._children.append(module)
        return module

    # -- the forward pass a backward belongs to ----------------------------------------------

    def _store(self, stored):
        """Keep what the backward pass will need, unless inside :func:`no_grad`."""
        self._last_forward_recorded = grad_enabled()
        if self._last_forward_recorded:
            self._stored = stored
            self._unused_passes += 1
            self._stored_used = self._no_grad_since_used = False
        elif self._stored_used:
            self._no_grad_since_used = True

    def _stored_pass(self):
        """What the last recording forward pass kept; raises when there is none, or when
        several forward passes since the last backward make it ambiguous."""
        name = type(self).__name__
        no_grad_hint = "; the last forward ran inside rnncore.no_grad(), which stores nothing"
        if self._stored is None:
            hint = no_grad_hint if not self._last_forward_recorded else ""
            raise RuntimeError(f"backward: call forward first (no stored forward pass){hint}")
        if self._no_grad_since_used:
            # a backward already used the stored pass, so this one is meant for a later
            # forward, which stored nothing
            raise RuntimeError(f"backward: the stored forward pass was already used{no_grad_hint}")
        if self._unused_passes > 1:
            count = self._unused_passes
            self._forget_passes()
            raise RuntimeError(
                f"backward: this {name} ran forward {count} times since its last backward, and "
                "keeps only the last pass, so the gradients might belong to the wrong call. Run "
                "forward passes that need no gradients inside `with rnncore.no_grad():`, and "
                "call backward once after each forward that does (forward again to continue)")
        self._unused_passes = 0
        self._stored_used = True
        return self._stored

    def _forget_passes(self):
        """Drop the stored passes of this module and of its parts."""
        self._stored, self._unused_passes = None, 0
        for child in self._children:
            child._forget_passes()

    # -- parameters ------------------------------------------------------------------------

    def __getattr__(self, name):
        # Reached only when normal lookup fails, so torch-style `layer.weight_ih_l0` works.
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or parameter {name!r}")

    def __setattr__(self, name, value):
        # `layer.weight_ih_l0 = w` copies w into the parameter (an attribute would shadow it).
        params = self.__dict__.get("params", {})
        if name in params:
            self.params[name] = value
        elif self.__dict__.get("_built") and not name.startswith("_") and \
                name not in self._settable and (name in self.__dict__ or
                                                 hasattr(type(self), name)):
            # The forward and backward passes, params, state_dict and the optimizers all
            # follow what was built: a new configuration or sub-module would reach only some.
            raise AttributeError(f"{name}: fixed when the {type(self).__name__} is built (its "
                                 f"parameters, passes and optimizers follow it); build a new "
                                 f"one instead")
        elif name in ("params", "grads"):
            raise AttributeError(f"{name}: optimizers hold these very arrays, so the dict is "
                                 "fixed; assign into it (layer.params[name] = value) or use "
                                 "load_state_dict")
        elif name.startswith(("weight", "bias")) and params:
            raise AttributeError(f"{type(self).__name__} has no parameter {name!r}; its "
                                 f"parameters are {sorted(params)}")
        else:
            object.__setattr__(self, name, value)

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
        arrays = {name: self.params.checked(name, state_dict[name], f"state_dict[{name!r}]")
                  for name in self.params}        # every one checked before any is written
        for name, array in arrays.items():
            self.params[name][...] = array

    @contextlib.contextmanager
    def _gradients_kept_on_error(self):
        """A backward of several parts either fills every gradient or, when a part raises,
        leaves all of them as they were."""
        saved = {name: grad.copy() for name, grad in self.grads.items()}
        try:
            yield
        except BaseException:
            for name, grad in saved.items():
                self.grads[name][...] = grad
            raise
