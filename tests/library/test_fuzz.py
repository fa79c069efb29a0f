"""Random configurations and random sequences of calls, against an oracle.

The oracle is torch.nn where torch is installed (gradients by autograd), and otherwise the
independent plain implementation of tests/library/reference.py (gradients by centred
differences). Hypothesis draws the cases; derandomized, so every run tries the same ones.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

import rnncore
from rnncore.gradcheck import numerical_gradient

from ..conftest import LAYERS, VARIANTS
from . import reference as ref

try:
    import torch
except ImportError:
    torch = None

FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
TORCH_CLASSES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def as_list(state):
    return list(state) if isinstance(state, tuple) else [state]


def as_state(kind, arrays):
    return tuple(arrays) if kind == "lstm" else arrays[0]


def oracle(layer, kind, extra, params, x, hx, doutput, dstate):
    """(output, states, dx, dhx, grads) for ``layer``'s configuration with ``params``, from
    torch.nn when it can, else from the plain reference and centred differences."""
    if torch is not None and extra.get("reset_after", True):
        return torch_oracle(layer, kind, extra, params, x, hx, doutput, dstate)
    return reference_oracle(layer, kind, extra, params, x, hx, doutput, dstate)


def torch_oracle(layer, kind, extra, params, x, hx, doutput, dstate):
    options = {k: v for k, v in extra.items() if k != "reset_after"}
    twin = getattr(torch.nn, TORCH_CLASSES[kind])(
        layer.input_size, layer.hidden_size, num_layers=layer.num_layers, bias=layer.bias,
        batch_first=layer.batch_first, bidirectional=layer.bidirectional,
        dtype=torch.float64, **options)
    twin.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in params.items()})
    x_t = torch.tensor(x, requires_grad=True)
    hx_t = [torch.tensor(h, requires_grad=True) for h in hx] if hx is not None else None
    out_t, state_t = twin(x_t, None if hx_t is None else as_state(kind, hx_t))
    loss = (out_t * torch.from_numpy(doutput)).sum() + sum(
        (s * torch.from_numpy(d)).sum() for s, d in zip(as_list(state_t), dstate))
    loss.backward()
    grads = {name: p.grad.numpy() for name, p in twin.named_parameters()}
    dhx = [h.grad.numpy() for h in hx_t] if hx_t is not None else None
    return (out_t.detach().numpy(), [s.detach().numpy() for s in as_list(state_t)],
            x_t.grad.numpy(), dhx, grads)


def reference_oracle(layer, kind, extra, params, x, hx, doutput, dstate):
    params = {k: v.copy() for k, v in params.items()}
    x = x.copy()
    unbatched = x.ndim == 2
    LD = layer.num_layers * layer.num_directions
    states = 2 if kind == "lstm" else 1
    hx = [h.copy() for h in hx] if hx is not None else [
        np.zeros((LD, H) if unbatched else (LD, x.shape[0 if layer.batch_first else 1], H))
        for H in [layer.hidden_size] * states]
    cell = {"reset_after": extra["reset_after"]} if "reset_after" in extra else \
        {"nonlinearity": extra["nonlinearity"]} if "nonlinearity" in extra else {}

    def forward():
        xt = x[:, None] if unbatched else (x.transpose(1, 0, 2) if layer.batch_first else x)
        h0 = [h[:, None] if unbatched else h for h in hx]
        out, h_n, c_n = ref.sequence(kind, params, xt, h0[0], h0[1] if states == 2 else None,
                                     layer.num_layers, layer.bidirectional, **cell)
        out = out[:, 0] if unbatched else (out.transpose(1, 0, 2) if layer.batch_first else out)
        finals = [h_n, c_n][:states]
        return out, [f[:, 0] if unbatched else f for f in finals]

    def objective():
        out, finals = forward()
        return np.sum(out * doutput) + sum(np.sum(f * d) for f, d in zip(finals, dstate))

    output, finals = forward()
    grads = {name: numerical_gradient(objective, value) for name, value in params.items()}
    dhx = [numerical_gradient(objective, h) for h in hx]
    return output, finals, numerical_gradient(objective, x), dhx, grads


def close(got, want, name):
    tolerance = dict(rtol=1e-7, atol=1e-9) if torch is not None else dict(rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got, want, err_msg=name, **tolerance)


def check_against_oracle(layer, kind, extra, params, x, hx, got, doutput, dstate):
    output, states, dx, dhx = got
    want_out, want_states, want_dx, want_dhx, want_grads = oracle(
        layer, kind, extra, params, x, hx, doutput, dstate)
    close(output, want_out, "output")
    for k, (s, w) in enumerate(zip(states, want_states)):
        close(s, w, f"state[{k}]")
    close(dx, want_dx, "dx")
    if want_dhx is not None:
        for k, (d, w) in enumerate(zip(dhx, want_dhx)):
            close(d, w, f"dhx[{k}]")
    for name, grad in want_grads.items():
        close(layer.grads[name], grad, f"grads[{name}]")


CONFIGS = st.fixed_dictionaries({
    "variant": st.integers(0, len(VARIANTS) - 1), "num_layers": st.integers(1, 2),
    "bidirectional": st.booleans(), "batch_first": st.booleans(), "bias": st.booleans(),
    "fast": st.booleans(), "T": st.integers(1, 4), "B": st.integers(0, 3),
    "D": st.integers(1, 3), "H": st.integers(1, 3), "unbatched": st.booleans(),
    "hx_given": st.booleans(), "seed": st.integers(0, 2**16)})


@settings(FUZZ, max_examples=60 if torch is not None else 15)
@given(CONFIGS)
def test_random_configurations_match_the_oracle(config):
    kind, extra = VARIANTS[config["variant"]]
    T, B, D, H = config["T"], config["B"], config["D"], config["H"]
    layer = LAYERS[kind](D, H, num_layers=config["num_layers"],
                         bidirectional=config["bidirectional"], batch_first=config["batch_first"],
                         bias=config["bias"], fast=config["fast"], seed=config["seed"], **extra)
    rng = np.random.default_rng(config["seed"])
    LD = config["num_layers"] * layer.num_directions
    if config["unbatched"]:
        x, state_shape = rng.normal(size=(T, D)), (LD, H)
    else:
        x = rng.normal(size=(B, T, D) if config["batch_first"] else (T, B, D))
        state_shape = (LD, B, H)
    states = 2 if kind == "lstm" else 1
    hx = [rng.normal(size=state_shape) for _ in range(states)] if config["hx_given"] else None
    output, state = layer(x, None if hx is None else as_state(kind, hx))
    doutput = rng.normal(size=output.shape)
    dstate = [rng.normal(size=s.shape) for s in as_list(state)]
    dx, dhx = layer.backward(doutput, as_state(kind, dstate))
    if output.size == 0:
        assert dx.shape == x.shape and all(not g.any() for g in layer.grads.values())
        return
    check_against_oracle(layer, kind, extra, layer.state_dict(), x, hx,
                         (output, as_list(state), dx, as_list(dhx)), doutput, dstate)


class LayerMisuse(RuleBasedStateMachine):
    """Forward passes with and without no_grad, arrays changed in place, optimizer steps and
    backward passes, in any order: every backward either matches the oracle for the forward it
    belongs to, or raises a clear error."""

    @initialize(variant=st.integers(0, len(VARIANTS) - 1), fast=st.booleans(),
                bidirectional=st.booleans(), seed=st.integers(0, 1000))
    def build(self, variant, fast, bidirectional, seed):
        self.kind, self.extra = VARIANTS[variant]
        self.layer = LAYERS[self.kind](2, 2, bidirectional=bidirectional, fast=fast, seed=seed,
                                       **self.extra)
        self.rng = np.random.default_rng(seed)
        self.stored = None            # (x, params) of the forward a backward belongs to
        self.unused = 0               # recording forwards since the last backward
        self.used = False             # whether a backward has used the stored pass
        self.no_grad_since_used = False
        self.arrays = []              # everything the caller holds and may change in place

    @rule(T=st.integers(1, 3), B=st.integers(1, 2), record=st.booleans())
    def forward(self, T, B, record):
        x = self.rng.normal(size=(T, B, 2))
        snapshot = (x.copy(), self.layer.state_dict())
        if record:
            output, state = self.layer(x)
            self.stored, self.unused, self.used = snapshot, self.unused + 1, False
            self.no_grad_since_used = False
        else:
            with rnncore.no_grad():
                output, state = self.layer(x)
            self.no_grad_since_used = self.no_grad_since_used or self.used
        self.arrays = [x, output, *as_list(state)]

    @precondition(lambda self: self.arrays)
    @rule(scale=st.sampled_from([0.0, -2.0, 3.0]))
    def change_in_place(self, scale):
        for array in self.arrays:
            array *= scale

    @rule()
    def optimizer_step(self):
        for grad in self.layer.grads.values():
            grad[...] = self.rng.normal(size=grad.shape)
        rnncore.SGD(self.layer, lr=0.5).step()

    def refused(self):
        return self.stored is None or self.unused > 1 or self.no_grad_since_used

    @precondition(refused)
    @rule()
    def backward_is_refused(self):
        message = "call forward first" if self.stored is None else \
            "ran forward" if self.unused > 1 else "already used"
        with pytest.raises(RuntimeError, match=message):
            self.layer.backward(np.ones((1, 1, self.layer.num_directions * 2)))
        if message != "already used":
            self.stored, self.unused = None, 0

    @precondition(lambda self: not self.refused())
    @rule()
    def backward(self):
        H, dirs = self.layer.hidden_size, self.layer.num_directions
        x, params = self.stored
        doutput = self.rng.normal(size=x.shape[:2] + (dirs * H,))
        dstate = [self.rng.normal(size=(dirs, x.shape[1], H))
                  for _ in range(2 if self.kind == "lstm" else 1)]
        dx, dhx = self.layer.backward(doutput, as_state(self.kind, dstate))
        self.unused, self.used = 0, True
        want = oracle(self.layer, self.kind, self.extra, params, x, None, doutput, dstate)
        close(dx, want[2], "dx")
        for k, (d, w) in enumerate(zip(as_list(dhx), want[3] or [])):
            close(d, w, f"dhx[{k}]")
        for name, grad in want[4].items():
            close(self.layer.grads[name], grad, f"grads[{name}]")


TestLayerMisuse = LayerMisuse.TestCase
TestLayerMisuse.settings = settings(FUZZ, max_examples=60 if torch is not None else 15,
                                    stateful_step_count=15)
