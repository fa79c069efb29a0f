"""Sequence layers: against the plain reference and centred differences
(tests/library/test_kernels.py holds them equal to the step functions)."""

import itertools

import numpy as np
import pytest

import rnncore
from rnncore.gradcheck import format_report, numerical_gradient, relative_error

from ..conftest import LAYERS, VARIANT_IDS, VARIANTS, cell_kwargs
from . import reference as ref

T, B, D, H = 4, 3, 3, 4
GRID = list(itertools.product([1, 2], [False, True], [False, True]))  # layers, bidir, batch_first
GRID_IDS = [f"L{L}-{'bi' if bi else 'uni'}-{'bf' if bf else 'tm'}" for L, bi, bf in GRID]
BATCHES = pytest.mark.parametrize("batch", [B, 1], ids=[f"B{B}", "B1"])  # a batch of one takes
                                                                          # its own LSTM products


def build(kind, extra, num_layers=1, bidirectional=False, batch_first=False, **kw):
    return LAYERS[kind](D, H, num_layers=num_layers, bidirectional=bidirectional,
                        batch_first=batch_first, seed=7, **extra, **kw)


def initial_state(kind, layer, rng, batch=B):
    shape = (layer.num_layers * layer.num_directions, batch, H)
    if kind == "lstm":
        return rng.normal(size=shape), rng.normal(size=shape)
    return rng.normal(size=shape)


def as_list(kind, state):
    """h_n, or (h_n, c_n) for the LSTM, as a list of arrays."""
    return list(state) if kind == "lstm" else [state]


def to_time_major(a, batch_first):
    return a.transpose(1, 0, 2) if batch_first else a


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("num_layers,bidirectional,batch_first", GRID, ids=GRID_IDS)
@BATCHES
def test_forward_matches_reference(kind, extra, num_layers, bidirectional, batch_first, batch,
                                   rng):
    layer = build(kind, extra, num_layers, bidirectional, batch_first)
    x = rng.normal(size=(batch, T, D) if batch_first else (T, batch, D))
    hx = initial_state(kind, layer, rng, batch)
    output, state = layer(x, hx)
    h0, c0 = hx if kind == "lstm" else (hx, None)
    want_out, want_h, want_c = ref.sequence(kind, layer.params, to_time_major(x, batch_first),
                                            h0, c0, num_layers, bidirectional,
                                            **cell_kwargs(kind, extra))
    assert output.shape == ((batch, T) if batch_first else (T, batch)) + (layer.num_directions * H,)
    np.testing.assert_allclose(to_time_major(output, batch_first), want_out, rtol=0, atol=1e-13)
    h_n, c_n = state if kind == "lstm" else (state, None)
    np.testing.assert_allclose(h_n, want_h, rtol=0, atol=1e-13)
    if kind == "lstm":
        np.testing.assert_allclose(c_n, want_c, rtol=0, atol=1e-13)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("num_layers,bidirectional,batch_first", GRID, ids=GRID_IDS)
@BATCHES
def test_backward_matches_numerical_gradients(kind, extra, num_layers, bidirectional,
                                              batch_first, batch, rng):
    """Every parameter, the input and the initial state(s), with upstream gradients on both
    the output and the final state(s)."""
    layer = build(kind, extra, num_layers, bidirectional, batch_first)
    x = rng.normal(size=(batch, T, D) if batch_first else (T, batch, D))
    hx = initial_state(kind, layer, rng, batch)
    output, state = layer(x, hx)
    states = as_list(kind, state)
    doutput = rng.normal(size=output.shape)
    dstates = [rng.normal(size=s.shape) for s in states]
    dx, dhx = layer.backward(doutput, tuple(dstates) if kind == "lstm" else dstates[0])
    dhx = as_list(kind, dhx)

    def objective():
        out, st = layer(x, hx)
        return np.sum(out * doutput) + sum(np.sum(s * d)
                                           for s, d in zip(as_list(kind, st), dstates))

    analytic = {"x": dx, **{f"hx[{k}]": d for k, d in enumerate(dhx)},
                **{name: layer.grads[name].copy() for name in layer.params}}
    arrays = {"x": x, **{f"hx[{k}]": h for k, h in enumerate(as_list(kind, hx))},
              **layer.params}
    errors = {name: relative_error(analytic[name], numerical_gradient(objective, array))
              for name, array in arrays.items()}
    assert max(errors.values()) < 1e-6, "\n" + format_report(errors)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_unbatched_input_equals_batch_of_one(kind, extra, rng):
    layer = build(kind, extra, num_layers=2, bidirectional=True)
    x = rng.normal(size=(T, D))
    with rnncore.no_grad():
        out_batched, state_batched = layer(x[:, None, :])
    out_unbatched, state_unbatched = layer(x)
    np.testing.assert_array_equal(out_unbatched, out_batched[:, 0])
    for a, b in zip(as_list(kind, state_unbatched), as_list(kind, state_batched)):
        np.testing.assert_array_equal(a, b[:, 0])
    dx, _ = layer.backward(np.ones_like(out_unbatched))
    assert dx.shape == x.shape


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_without_bias(kind, extra, rng):
    layer = build(kind, extra, bias=False)
    assert sorted(layer.params) == ["weight_hh_l0", "weight_ih_l0"]
    x = rng.normal(size=(T, B, D))
    output, _ = layer(x)
    want, _, _ = ref.sequence(kind, layer.params, x, np.zeros((1, B, H)), np.zeros((1, B, H)),
                              **cell_kwargs(kind, extra))
    np.testing.assert_allclose(output, want, rtol=0, atol=1e-13)
    layer.backward(np.ones_like(output))
    assert sorted(layer.grads) == sorted(layer.params)


@pytest.mark.parametrize("steps_per_chunk", [1, 2, 3])
def test_lstm_backward_does_not_depend_on_its_chunks(steps_per_chunk, rng, monkeypatch):
    """The LSTM backward computes its coefficients a few steps at a time (one chunk at the
    test's sizes, several at realistic ones): every chunking gives the same digits."""
    layer = build("lstm", {}, num_layers=2, bidirectional=True)
    x = rng.normal(size=(T, B, D))
    output, _ = layer(x)
    doutput = rng.normal(size=output.shape)
    whole = layer.backward(doutput), {k: v.copy() for k, v in layer.grads.items()}
    monkeypatch.setattr(rnncore._kernels, "CACHE_ELEMENTS", steps_per_chunk * 4 * B * H)
    chunked = layer.backward(doutput), layer.grads
    (dx_whole, (dh_whole, dc_whole)), grads_whole = whole
    (dx_chunked, (dh_chunked, dc_chunked)), grads_chunked = chunked
    np.testing.assert_array_equal(dx_chunked, dx_whole)
    np.testing.assert_array_equal(dh_chunked, dh_whole)
    np.testing.assert_array_equal(dc_chunked, dc_whole)
    for name in grads_whole:
        np.testing.assert_array_equal(grads_chunked[name], grads_whole[name])


def test_parameter_names_shapes_and_init():
    layer = rnncore.LSTM(3, 5, num_layers=2, bidirectional=True, seed=0)
    want = {}
    for layer_index, suffix in itertools.product([0, 1], ["", "_reverse"]):
        d_in = 3 if layer_index == 0 else 10
        tag = f"_l{layer_index}{suffix}"
        want.update({"weight_ih" + tag: (20, d_in), "weight_hh" + tag: (20, 5),
                     "bias_ih" + tag: (20,), "bias_hh" + tag: (20,)})
    assert {k: v.shape for k, v in layer.params.items()} == want
    bound = 1 / np.sqrt(5)
    every = np.concatenate([p.ravel() for p in layer.params.values()])
    assert every.min() >= -bound and every.max() <= bound and every.std() > 0.2 * bound
    assert layer.weight_ih_l0 is layer.params["weight_ih_l0"]


def test_seed_makes_init_reproducible():
    a, b, c = (rnncore.GRU(3, 4, seed=s) for s in (1, 1, 2))
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert any(not np.array_equal(a.params[n], c.params[n]) for n in a.params)
    rng = np.random.default_rng(5)
    d = rnncore.GRU(3, 4, rng=rng)
    assert not np.array_equal(d.weight_hh_l0, rnncore.GRU(3, 4, rng=rng).weight_hh_l0)


def test_state_dict_round_trip(rng):
    source = rnncore.LSTM(D, H, num_layers=2, seed=1)
    target = rnncore.LSTM(D, H, num_layers=2, seed=2)
    state = source.state_dict()
    state["weight_hh_l1"] += 0      # a copy: editing it must not touch the layer
    state["bias_ih_l0"][0] = 123.0
    assert source.bias_ih_l0[0] != 123.0
    target.load_state_dict({k: v.astype(np.float32) for k, v in source.state_dict().items()})
    x = rng.normal(size=(T, B, D))
    np.testing.assert_allclose(target(x)[0], source(x)[0], rtol=0, atol=1e-6)


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_float32_follows_float64(kind, extra, rng):
    wide = build(kind, extra, num_layers=2, bidirectional=True)
    narrow = build(kind, extra, num_layers=2, bidirectional=True, dtype=np.float32)
    x = rng.normal(size=(T, B, D))
    out64, _ = wide(x)
    out32, _ = narrow(x.astype(np.float32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=0, atol=1e-5)
    dx64, _ = wide.backward(np.ones_like(out64))
    dx32, _ = narrow.backward(np.ones_like(out32))
    assert dx32.dtype == np.float32 and narrow.grads["weight_hh_l1"].dtype == np.float32
    np.testing.assert_allclose(dx32, dx64, rtol=0, atol=1e-4)


def test_gru_reset_variants_differ_as_layers(rng):
    after = rnncore.GRU(D, H, seed=3)
    before = rnncore.GRU(D, H, seed=3, reset_after=False)
    x = rng.normal(size=(T, B, D))
    assert np.abs(after(x)[0] - before(x)[0]).max() > 1e-3


def test_long_sequences_stay_finite():
    layer = rnncore.LSTM(2, 8, seed=0)
    x = np.random.default_rng(0).normal(0, 50, size=(300, 2, 2))   # saturating inputs
    output, (h_n, c_n) = layer(x)
    dx, _ = layer.backward(np.ones_like(output))
    assert np.isfinite(output).all() and np.isfinite(dx).all()
    assert np.abs(output).max() <= 1.0
