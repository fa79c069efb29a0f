"""Step functions: forward against the plain reference, backward against centred differences."""

import warnings

import numpy as np
import pytest

import rnncore
from rnncore.gradcheck import format_report, gradient_check

from . import reference as ref

B, D, H = 3, 4, 5


def random_step_params(rng, gates):
    return {"weight_ih": rng.normal(0, 0.5, (gates * H, D)),
            "weight_hh": rng.normal(0, 0.5, (gates * H, H)),
            "bias_ih": rng.normal(0, 0.5, gates * H),
            "bias_hh": rng.normal(0, 0.5, gates * H)}


def assert_grads_match(f, inputs, grads, df):
    errors = gradient_check(f, inputs, grads, df=df)
    assert max(errors.values()) < 1e-6, "\n" + format_report(errors)


# The cells with one state: (kind, gates, extra argument, reference cell).
SINGLE_STATE = [
    ("rnn", 1, {"nonlinearity": "tanh"}, ref.rnn_cell),
    ("rnn", 1, {"nonlinearity": "relu"}, ref.rnn_cell),
    ("gru", 3, {"reset_after": True}, ref.gru_cell),
    ("gru", 3, {"reset_after": False}, ref.gru_cell),
]


@pytest.mark.parametrize("kind,gates,extra,reference_cell", SINGLE_STATE,
                         ids=["rnn-tanh", "rnn-relu", "gru-after", "gru-before"])
def test_single_state_step(rng, kind, gates, extra, reference_cell):
    forward = getattr(rnncore, f"{kind}_step_forward")
    backward = getattr(rnncore, f"{kind}_step_backward")
    p = random_step_params(rng, gates)
    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    h, cache = forward(x, h_prev, **p, **extra)
    np.testing.assert_allclose(h, reference_cell(x, h_prev, *p.values(), *extra.values()),
                               rtol=0, atol=1e-14)
    dh = rng.normal(size=h.shape)
    grads = backward(dh, cache)
    inputs = {"x": x, "h_prev": h_prev, **p}
    assert set(grads) == set(inputs)
    assert_grads_match(lambda: forward(x, h_prev, **p, **extra)[0], inputs, grads, dh)


def test_lstm_step(rng):
    p = random_step_params(rng, 4)
    x, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    (h, c), cache = rnncore.lstm_step_forward(x, h_prev, c_prev, **p)
    h_ref, c_ref = ref.lstm_cell(x, h_prev, c_prev, *p.values())
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c, c_ref, rtol=0, atol=1e-14)
    dh, dc = rng.normal(size=h.shape), rng.normal(size=c.shape)
    grads = rnncore.lstm_step_backward(dh, dc, cache)
    inputs = {"x": x, "h_prev": h_prev, "c_prev": c_prev, **p}
    assert set(grads) == set(inputs)

    def both():
        (h, c), _ = rnncore.lstm_step_forward(x, h_prev, c_prev, **p)
        return np.concatenate([h, c])
    assert_grads_match(both, inputs, grads, np.concatenate([dh, dc]))


def test_gru_variants_differ(rng):
    """The two reset formulas are different functions (else one test would cover both)."""
    p = random_step_params(rng, 3)
    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    after, _ = rnncore.gru_step_forward(x, h_prev, **p, reset_after=True)
    before, _ = rnncore.gru_step_forward(x, h_prev, **p, reset_after=False)
    assert np.abs(after - before).max() > 1e-3


def test_sigmoid_is_exact_at_the_tails():
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no overflow warning reaches the learner
        s = rnncore.sigmoid(x)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert s[1] == pytest.approx(np.exp(-40.0), rel=1e-15)
    assert float(rnncore.sigmoid(0.0)) == 0.5 and rnncore.sigmoid([0, 0]).dtype == np.float64
    assert rnncore.sigmoid(np.zeros(2, dtype=np.float32)).dtype == np.float32


def test_step_functions_do_not_modify_inputs(rng):
    p = random_step_params(rng, 4)
    x, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    before = [a.copy() for a in (x, h_prev, c_prev, *p.values())]
    (h, c), cache = rnncore.lstm_step_forward(x, h_prev, c_prev, **p)
    rnncore.lstm_step_backward(np.ones_like(h), np.ones_like(c), cache)
    for a, b in zip((x, h_prev, c_prev, *p.values()), before):
        np.testing.assert_array_equal(a, b)
