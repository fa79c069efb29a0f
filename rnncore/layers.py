"""Sequence layers ``RNN``, ``LSTM`` and ``GRU`` with the interface of ``torch.nn``.

Shapes (time-major by default, as in PyTorch):

    x       (T, B, D)          or (B, T, D) with batch_first=True, or (T, D) unbatched
    output  (T, B, dirs * H)   forward and reverse directions concatenated on the last axis
    h_n     (num_layers * dirs, B, H), index = layer * dirs + direction

Two paths compute the same numbers, side by side:

- ``fast=True`` (the default): each direction of each layer runs one GEMM for the input
  projection of all T steps, then a Python loop over time that calls the kernels of
  ``rnncore/_kernels.py`` on views of preallocated buffers; the backward loop stores every
  step's gate gradients so that the weight gradients are again single GEMMs after the loop.
- ``fast=False``: the manual path, a loop over time of the readable step functions of
  :mod:`rnncore.cells`, forward and backward.

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

# Elements of per-step temporaries processed together: 512 KB in float32, which a core's L2
# cache holds (measured best of 2^15 to 2^18 on a 1 MB L2).
_CACHE_ELEMENTS = 1 << 17


class _Recurrent(Module):
    """Multi-layer, optionally bidirectional recurrence; subclasses supply one direction."""

    gate_count = 1          # G: rows of weight_ih per hidden unit
    state_names = ("h",)    # the LSTM carries (h, c)
    _dstate_name = "dh_n"
    _configuration = ("input_size", "hidden_size", "num_layers", "bias", "batch_first",
                      "bidirectional", "num_directions", "dtype", "nonlinearity", "reset_after")

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
        self._built = True

    def __setattr__(self, name, value):
        if name == "fast":           # may change at any time: both paths give the same numbers
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
                run = self._forward_direction if self.fast else self._forward_by_steps
                out, last, cache = run(np.ascontiguousarray(xs), [s[k] for s in initial], p)
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
                run = self._backward_direction if fast else self._backward_by_steps
                dxs, dstart, grads = run(
                    np.ascontiguousarray(dout if direction == 0 else dout[::-1]),
                    [d[k] for d in dfinal], cache, p)
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

    # -- one direction, the manual path: the readable step functions, step by step ----------

    def _forward_by_steps(self, x, state, p):
        """x (T, B, D), state [h_0] or [h_0, c_0] -> outputs (T, B, H), final state, caches."""
        outputs, caches = [], []
        for x_t in x:
            out, cache = self.step_forward(x_t, *state, **p, **self._step_options())
            state = list(out) if isinstance(out, tuple) else [out]
            outputs.append(state[0])
            caches.append(cache)
        return np.stack(outputs), state, caches

    def _backward_by_steps(self, dout, dstate, caches, p):
        """dout (T, B, H), gradients of the final state -> dx (T, B, D), gradients of the
        initial state, and the parameter gradients summed over the steps."""
        dx = [None] * len(caches)
        grads = {name: np.zeros_like(value) for name, value in p.items()}
        for t in reversed(range(len(caches))):
            dstate[0] = dstate[0] + dout[t]
            step = self.step_backward(*dstate, caches[t])
            dx[t] = step["x"]
            dstate = [step[f"{name}_prev"] for name in self.state_names]
            for name in grads:
                grads[name] = grads[name] + step[name]
        return np.stack(dx), dstate, grads

    def _step_options(self):
        return {}

    # -- one direction, the fast path: subclasses -------------------------------------------

    def _input_projection(self, x, p, gate_bias):
        """x (T, B, D) -> x W_ih^T + gate_bias as (T, B, G*H), in a single GEMM."""
        T, B, D = x.shape
        a = (x.reshape(T * B, D) @ p["weight_ih"].T).reshape(T, B, -1)
        a += gate_bias
        return a

    @staticmethod
    def _gemm_grads(x, da, dgh, h_in, p, dh0, rh=None):
        """Weight, bias and input gradients for one direction as single GEMMs over all steps."""
        T, B, D = x.shape

        def flat(a):
            return None if a is None else a.reshape(T * B, a.shape[-1])

        da_flat = flat(da)
        grads = kernels.parameter_gradients(da_flat, da_flat if dgh is da else flat(dgh), flat(x),
                                          flat(h_in), p["weight_ih"], dh0, flat(rh))
        return grads.pop("x").reshape(T, B, D), grads


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

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, bidirectional=False, *, dtype=np.float64, seed=None,
                 rng=None, fast=True):
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, seed=seed, rng=rng, fast=fast)

    def _step_options(self):
        return {"nonlinearity": self.nonlinearity}

    def _forward_direction(self, x, state, p):
        T, B, _ = x.shape
        hs = np.empty((T + 1, B, self.hidden_size), dtype=self.dtype)  # hs[t + 1] = h_t
        hs[0] = state[0]
        hs[1:] = self._input_projection(x, p, p["bias_ih"] + p["bias_hh"])
        for t in range(T):
            kernels.rnn_recurrence(hs[t + 1], hs[t], p["weight_hh"], self.nonlinearity)
        return hs[1:], [hs[T]], (x, hs)

    def _backward_direction(self, dout, dstate, cache, p):
        x, hs = cache
        T = x.shape[0]
        da = np.empty_like(dout)
        dh = dstate[0].copy()
        for t in reversed(range(T)):
            dh += dout[t]
            dh = kernels.rnn_recurrence_backward(dh, hs[t + 1], p["weight_hh"],
                                               self.nonlinearity, da[t])
        dx, grads = self._gemm_grads(x, da, da, hs[:T], p, dh)
        return dx, [grads.pop("h_prev")], grads


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

    def forward(self, x, hx=None):
        """x: (T, B, D); hx: (h_0, c_0), each (num_layers*dirs, B, H), or None for zeros.
        Returns output (T, B, dirs*H) and (h_n, c_n)."""
        output, (h_n, c_n) = self._forward(x, hx)
        return output, (h_n, c_n)

    def backward(self, doutput, dstate=None):
        """doutput: like output; dstate: (dh_n, dc_n) or None. Returns (dx, (dh0, dc0))."""
        dx, (dh0, dc0) = self._backward(doutput, dstate)
        return dx, (dh0, dc0)

    def _forward_direction(self, x, state, p):
        T, B, _ = x.shape
        H = self.hidden_size
        gates = self._gate_inputs(x, p)          # (T, 4, B, H); each step turns its own block
        scratch = np.empty_like(gates[0])        # into the activations i, f, o, g, in place
        hs = np.empty((T + 1, B, H), dtype=self.dtype)              # hs[t + 1] = h_t
        cs = np.empty((T + 1, B, H), dtype=self.dtype)
        tanh_cs = np.empty((T, B, H), dtype=self.dtype)
        hs[0], cs[0] = state
        weight_hh_t = kernels.lstm_kernel_weight(p["weight_hh"])      # (4, H, H)
        with np.errstate(over="ignore"):
            for t in range(T):
                kernels.lstm_recurrence(gates[t], hs[t], cs[t], weight_hh_t, scratch,
                                      cs[t + 1], tanh_cs[t], hs[t + 1])
        return hs[1:], [hs[T], cs[T]], (x, gates, hs, cs, tanh_cs)

    @staticmethod
    def _gate_inputs(x, p):
        """The input side of every step, as :func:`_kernels.lstm_recurrence` takes it, viewed as
        (T, 4, B, H) with each step's gate blocks contiguous: computed gate-major, (4, T, B, H),
        in one batched GEMM; for B = 1, (T, 4H) already keeps each step's gates together."""
        T, B, D = x.shape
        weight = kernels.lstm_kernel_weight(p["weight_ih"])                 # (4, D, H)
        bias = kernels.lstm_kernel_weight(p["bias_ih"] + p["bias_hh"])      # (4, 1, H)
        x_flat = x.reshape(T * B, D)
        if B == 1:
            a = x_flat @ weight.transpose(1, 0, 2).reshape(D, -1)        # (T, 4H)
            a += bias.reshape(-1)
            return a.reshape(T, 4, 1, -1)
        a = np.matmul(x_flat, weight)                                       # (4, T*B, H)
        a += bias
        return a.reshape(4, T, B, -1).swapaxes(0, 1)

    def _backward_direction(self, dout, dstate, cache, p):
        x, gates, hs, cs, tanh_cs = cache
        T, B, H = dout.shape
        # da keeps torch's (T, B, 4H) layout, so that the weight gradients are single GEMMs;
        # the step kernel writes it through a gate-major view.
        da = np.empty((T, B, 4 * H), dtype=self.dtype)
        da_by_gate = kernels.by_gate(da, 4)                                # (T, 4, B, H)
        scratch = np.empty_like(gates[0])
        # per-gate products of the hidden weights, except for a batch of one (see the kernel)
        weight_hh = p["weight_hh"] if B == 1 else p["weight_hh"].reshape(4, H, H)
        dh, dc = (d.copy() for d in dstate)
        # The coefficients are computed a few steps at a time, so that they are still in the
        # cache when the loop reads them (whole-sequence arrays would not be).
        chunk = max(1, _CACHE_ELEMENTS // gates[0].size)
        for stop in range(T, 0, -chunk):
            start = max(0, stop - chunk)
            m, k = kernels.lstm_backward_coefficients(gates[start:stop], cs[start:stop],
                                                    tanh_cs[start:stop])
            for t in reversed(range(start, stop)):
                dh += dout[t]
                dh, dc = kernels.lstm_recurrence_backward(dh, dc, gates[t, 1], m[t - start],
                                                        k[t - start], weight_hh,
                                                        da_by_gate[t], da[t], scratch)
        dx, grads = self._gemm_grads(x, da, da, hs[:T], p, dh)
        return dx, [grads.pop("h_prev"), dc], grads


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

    def _forward_direction(self, x, state, p):
        T, B, _ = x.shape
        H = self.hidden_size
        gates = self._input_projection(x, p, p["bias_ih"])                 # (T, B, 3H)
        gh = np.empty_like(gates)
        rh = np.empty((T, B, H), dtype=self.dtype)
        hs = np.empty((T + 1, B, H), dtype=self.dtype)
        hs[0] = state[0]
        with np.errstate(over="ignore"):
            for t in range(T):
                kernels.gru_recurrence(gates[t], hs[t], p["weight_hh"], p["bias_hh"],
                                       self.reset_after, gh[t], rh[t], hs[t + 1])
        return hs[1:], [hs[T]], (x, gates, gh, rh, hs)

    def _backward_direction(self, dout, dstate, cache, p):
        x, gates, gh, rh, hs = cache
        T = x.shape[0]
        da, dgh = np.empty_like(gates), np.empty_like(gh)
        dh = dstate[0].copy()
        for t in reversed(range(T)):
            dh += dout[t]
            dh = kernels.gru_recurrence_backward(dh, gates[t], gh[t], hs[t], p["weight_hh"],
                                               self.reset_after, da[t], dgh[t])
        rh_flat = None if self.reset_after else rh.reshape(-1, self.hidden_size)
        dx, grads = self._gemm_grads(x, da, dgh, hs[:T], p, dh, rh_flat)
        return dx, [grads.pop("h_prev")], grads
