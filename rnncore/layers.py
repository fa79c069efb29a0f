"""Sequence layers ``RNN``, ``LSTM`` and ``GRU`` with the interface of ``torch.nn``.

Shapes (time-major by default, as in PyTorch):

    x       (T, B, D)          or (B, T, D) with batch_first=True, or (T, D) unbatched
    output  (T, B, dirs * H)   forward and reverse directions concatenated on the last axis
    h_n     (num_layers * dirs, B, H), index = layer * dirs + direction

Each direction of each layer runs one of two paths, chosen in one place
(``_direction_forward`` and ``_direction_backward``):

- the readable path (``fast=False``): a loop over time of the step functions of
  :mod:`rnncore.cells`, forward and backward, written here;
- the fast path (``fast=True``, the default): the cell's ``fast_forward`` and ``fast_backward``
  of :mod:`rnncore._kernels`, one GEMM for the input projection of all T steps, a loop over
  time on views of preallocated buffers, and the weight gradients again as single GEMMs.

The tests hold the two equal to a few units in the last place, for every cell, direction,
depth and initial state.
"""

import numpy as np

from . import _kernels as kernels
from . import cells
from .module import Module, make_rng
from .validation import (
    check_bool,
    check_choice,
    check_float_array,
    check_positive_int,
    check_shape,
)

NONLINEARITIES = ("tanh", "relu")

class _Recurrent(Module):
    """Multi-layer, optionally bidirectional recurrence; subclasses supply one direction."""

    gate_count = 1          # G: rows of weight_ih per hidden unit
    state_names = ("h",)    # the LSTM carries (h, c)
    _dstate_name = "dh_n"
    _settable = ("fast",)   # both paths give the same numbers, so it may change at any time

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, *, dtype=np.float64, seed=None, rng=None, fast=True):
        super().__init__(dtype)
        self.fast = check_bool("fast", fast)
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.num_directions = 2 if bidirectional else 1
        rng = make_rng(seed, rng)
        GH, H = self.gate_count * hidden_size, hidden_size
        bound = 1.0 / np.sqrt(hidden_size)      # torch.nn's default: U(-1/sqrt(H), 1/sqrt(H))
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else H * self.num_directions
            for suffix in self._suffixes(layer):
                shapes = {"weight_ih": (GH, layer_input), "weight_hh": (GH, H)}
                if bias:
                    shapes.update(bias_ih=(GH,), bias_hh=(GH,))
                for name, shape in shapes.items():
                    self._add_param(name + suffix, rng.uniform(-bound, bound, shape))
        self._zero_bias = np.zeros(GH, dtype=self.dtype)

    def __setattr__(self, name, value):
        if name == "fast":
            value = check_bool("fast", value)
        super().__setattr__(name, value)

    def _suffixes(self, layer):
        return [f"_l{layer}", f"_l{layer}_reverse"][:self.num_directions]

    def _direction_params(self, suffix):
        """One direction's parameters, with zeros for the biases of a bias=False layer."""
        return {name: self.params.get(name + suffix, self._zero_bias)
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}

    def extra_repr(self):
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, batch_first={self.batch_first}, "
                f"bidirectional={self.bidirectional}, dtype={self.dtype.name}")

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    # -- input handling ---------------------------------------------------------------------

    def _time_major(self, x, name):
        """Validate x and return it as (T, B, D) plus whether it came in unbatched."""
        x = check_float_array(name, x, dtype=self.dtype)
        given_shape = x.shape
        if x.ndim == 2:
            check_shape(name, x, ("T", ("input_size", self.input_size)))
            x = x[:, None, :]
            unbatched = True
        else:
            spec = ("B", "T", ("input_size", self.input_size)) if self.batch_first else \
                   ("T", "B", ("input_size", self.input_size))
            check_shape(name, x, spec)
            x = x.transpose(1, 0, 2) if self.batch_first else x
            unbatched = False
        if x.shape[0] == 0:
            raise ValueError(f"{name}: expected at least one time step (T >= 1), got shape "
                             f"{given_shape}")
        return x, unbatched

    def _state_input(self, name, value, batch, unbatched):
        """Validate an initial state (or its gradient) and return it as (L*dirs, B, H)."""
        LD, H = self.num_layers * self.num_directions, self.hidden_size
        if value is None:
            return np.zeros((LD, batch, H), dtype=self.dtype)
        value = check_float_array(name, value, dtype=self.dtype)
        if unbatched:
            check_shape(name, value, (("num_layers*dirs", LD), ("hidden_size", H)))
            return value[:, None, :]
        check_shape(name, value, (("num_layers*dirs", LD), ("B", batch), ("hidden_size", H)))
        return value

    def _states_input(self, name, value, batch, unbatched):
        """Split hx (a tuple for the LSTM) into a list of validated (L*dirs, B, H) arrays."""
        if len(self.state_names) == 1:
            return [self._state_input(name, value, batch, unbatched)]
        if value is None:
            value = (None,) * len(self.state_names)
        if not isinstance(value, tuple) or len(value) != len(self.state_names):
            got = f"a tuple of {len(value)}" if isinstance(value, tuple) else \
                type(value).__name__
            raise TypeError(f"{name}: expected a tuple ({', '.join(self.state_names)}) of "
                            f"{len(self.state_names)} arrays, or None, got {got}")
        return [self._state_input(f"{name}[{k}] ({s})", v, batch, unbatched)
                for k, (s, v) in enumerate(zip(self.state_names, value))]

    @staticmethod
    def _layout(output_tm, states, unbatched, batch_first):
        """Return time-major results in the caller's layout."""
        if unbatched:
            return output_tm[:, 0], [s[:, 0] for s in states]
        if batch_first:
            return output_tm.transpose(1, 0, 2), states
        return output_tm, states

    # -- forward and backward over layers and directions --------------------------------

    def _forward(self, x, hx):
        x_tm, unbatched = self._time_major(x, "x")
        T, B, _ = x_tm.shape
        initial = self._states_input("hx", hx, B, unbatched)
        dirs = self.num_directions
        if B == 0:      # an empty batch: empty results, as torch.nn gives
            empty = np.zeros((T, 0, dirs * self.hidden_size), dtype=self.dtype)
            self._store((None, T, B, unbatched, self.batch_first, self.fast))
            return self._layout(empty, [s.copy() for s in initial], unbatched, self.batch_first)
        x_tm = np.array(x_tm)       # a private copy: changing x later cannot change backward
        final = [np.empty_like(s) for s in initial]
        caches = []
        layer_input = x_tm
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                k = layer * dirs + direction
                xs = layer_input if direction == 0 else layer_input[::-1]
                # a private copy of the weights: an optimizer step or a load_state_dict before
                # the backward pass cannot change what it computes
                p = {name: value.copy() for name, value in self._direction_params(suffix).items()}
                out, last, cache = self._direction_forward(np.ascontiguousarray(xs),
                                                           [s[k] for s in initial], p)
                for f, s in zip(final, last):
                    f[k] = s
                outputs.append(out if direction == 0 else out[::-1])
                caches.append((cache, p))
            layer_input = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=-1)
        if dirs == 1:
            layer_input = layer_input.copy()   # the caller's own array, not the stored states
        self._store((caches, T, B, unbatched, self.batch_first, self.fast))
        return self._layout(layer_input, final, unbatched, self.batch_first)

    def _backward(self, doutput, dfinal):
        caches, T, B, unbatched, batch_first, fast = self._stored_pass()
        H, dirs = self.hidden_size, self.num_directions
        out_size = ("dirs*hidden_size", dirs * H)
        doutput = check_float_array("doutput", doutput, dtype=self.dtype)
        if unbatched:
            check_shape("doutput", doutput, (("T", T), out_size))
            doutput = doutput[:, None, :]
        elif batch_first:
            check_shape("doutput", doutput, (("B", B), ("T", T), out_size))
            doutput = doutput.transpose(1, 0, 2)
        else:
            check_shape("doutput", doutput, (("T", T), ("B", B), out_size))
        dfinal = self._states_input(self._dstate_name, dfinal, B, unbatched)
        dinitial = [np.zeros_like(d) for d in dfinal]
        if B == 0:
            self.zero_grad()
            dx = np.zeros((T, 0, self.input_size), dtype=self.dtype)
            return self._layout(dx, dinitial, unbatched, batch_first)
        d_layer_out = doutput
        for layer in reversed(range(self.num_layers)):
            dx = None
            for direction, suffix in enumerate(self._suffixes(layer)):
                k = layer * dirs + direction
                cache, p = caches[k]
                dout = d_layer_out[..., direction * H:(direction + 1) * H]
                dxs, dstart, grads = self._direction_backward(
                    np.ascontiguousarray(dout if direction == 0 else dout[::-1]),
                    [d[k] for d in dfinal], cache, p, fast)
                for d, s in zip(dinitial, dstart):
                    d[k] = s
                for name, grad in grads.items():
                    if name + suffix in self.grads:
                        self.grads[name + suffix][...] = grad
                dxs = dxs if direction == 0 else dxs[::-1]
                dx = dxs if dx is None else dx + dxs
            d_layer_out = dx
        return self._layout(d_layer_out, dinitial, unbatched, batch_first)

    def forward(self, x, hx=None):
        """x: (T, B, D); hx: (num_layers*dirs, B, H) or None for zeros.
        Returns output (T, B, dirs*H) and h_n (num_layers*dirs, B, H)."""
        output, (h_n,) = self._forward(x, hx)
        return output, h_n

    def backward(self, doutput, dh_n=None):
        """doutput: like output; dh_n: like h_n or None. Returns (dx, dhx) and fills grads."""
        dx, (dh0,) = self._backward(doutput, dh_n)
        return dx, dh0

    # -- one direction: the readable path, and the dispatch to the fast one -----------------

    def _direction_forward(self, x, state, p):
        """x (T, B, D), state [h_0] or [h_0, c_0] -> outputs (T, B, H), the final state, and
        what the backward pass needs."""
        if self.fast:        # the kernels of _kernels.py: the same numbers, tested equal
            return self.fast_forward(x, state, p, **self._step_options())
        # the readable path: the step functions of cells.py, one step at a time
        outputs, caches = [], []
        for x_t in x:
            out, cache = self.step_forward(x_t, *state, **p, **self._step_options())
            state = list(out) if isinstance(out, tuple) else [out]
            outputs.append(state[0])
            caches.append(cache)
        return np.stack(outputs), state, caches

    def _direction_backward(self, dout, dstate, cache, p, fast):
        """dout (T, B, H), gradients of the final state -> dx (T, B, D), gradients of the
        initial state, and the parameter gradients summed over the steps. ``fast``: the path
        the forward pass took (its cache is that path's)."""
        if fast:
            return self.fast_backward(dout, dstate, cache, p, **self._step_options())
        dx = [None] * len(cache)
        grads = {name: np.zeros_like(value) for name, value in p.items()}
        for t in reversed(range(len(cache))):
            dstate[0] = dstate[0] + dout[t]
            step = self.step_backward(*dstate, cache[t])
            dx[t] = step["x"]
            dstate = [step[f"{name}_prev"] for name in self.state_names]
            for name in grads:
                grads[name] = grads[name] + step[name]
        return np.stack(dx), dstate, grads

    def _step_options(self):
        return {}


class RNN(_Recurrent):
    """Elman RNN, as ``torch.nn.RNN``: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    Args:
        input_size (D), hidden_size (H), num_layers, nonlinearity ("tanh" or "relu"), bias,
        batch_first, bidirectional: as in ``torch.nn.RNN``.
        dtype: float64 (default, exact) or float32 (fast). seed / rng: reproducible init.

        fast: False runs the readable step functions of :mod:`rnncore.cells` (same numbers).

    ``forward(x, hx=None) -> (output, h_n)``; ``backward(doutput, dh_n=None) -> (dx, dhx)``
    and fills ``self.grads``.
    """

    step_forward = staticmethod(cells.rnn_step_forward)
    step_backward = staticmethod(cells.rnn_step_backward)
    fast_forward = staticmethod(kernels.rnn_forward)
    fast_backward = staticmethod(kernels.rnn_backward)

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, bidirectional=False, *, dtype=np.float64, seed=None,
                 rng=None, fast=True):
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, seed=seed, rng=rng, fast=fast)

    def _step_options(self):
        return {"nonlinearity": self.nonlinearity}


class LSTM(_Recurrent):
    """Long short-term memory, as ``torch.nn.LSTM`` (gate order i, f, g, o; no projections).

    ``forward(x, hx=None) -> (output, (h_n, c_n))`` with hx = (h_0, c_0) or None;
    ``backward(doutput, dstate=None) -> (dx, (dh0, dc0))`` with dstate = (dh_n, dc_n) or None,
    and fills ``self.grads``. Other arguments as :class:`RNN` (no nonlinearity).
    """

    gate_count = 4
    state_names = ("h", "c")
    _dstate_name = "dstate"
    step_forward = staticmethod(cells.lstm_step_forward)
    step_backward = staticmethod(cells.lstm_step_backward)
    fast_forward = staticmethod(kernels.lstm_forward)
    fast_backward = staticmethod(kernels.lstm_backward)

    def forward(self, x, hx=None):
        """x: (T, B, D); hx: (h_0, c_0), each (num_layers*dirs, B, H), or None for zeros.
        Returns output (T, B, dirs*H) and (h_n, c_n)."""
        output, (h_n, c_n) = self._forward(x, hx)
        return output, (h_n, c_n)

    def backward(self, doutput, dstate=None):
        """doutput: like output; dstate: (dh_n, dc_n) or None. Returns (dx, (dh0, dc0))."""
        dx, (dh0, dc0) = self._backward(doutput, dstate)
        return dx, (dh0, dc0)


class GRU(_Recurrent):
    """Gated recurrent unit, as ``torch.nn.GRU`` (gate order r, z, n).

    reset_after=True (default) is PyTorch's formula n = tanh(x W_in^T + b_in + r * (h W_hn^T
    + b_hn)); reset_after=False is Cho et al. (2014)'s n = tanh(x W_in^T + b_in + (r * h)
    W_hn^T + b_hn), as Keras offers. Both keep torch's parameter names and shapes.
    Interface as :class:`RNN`.
    """

    gate_count = 3
    step_forward = staticmethod(cells.gru_step_forward)
    step_backward = staticmethod(cells.gru_step_backward)
    fast_forward = staticmethod(kernels.gru_forward)
    fast_backward = staticmethod(kernels.gru_backward)

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, *, reset_after=True, dtype=np.float64, seed=None,
                 rng=None, fast=True):
        self.reset_after = check_bool("reset_after", reset_after)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, seed=seed, rng=rng, fast=fast)

    def _step_options(self):
        return {"reset_after": self.reset_after}

    def extra_repr(self):
        return super().extra_repr() + f", reset_after={self.reset_after}"
