"""The fast kernels equal the readable step functions.

Every layer is built twice from the same weights: ``fast=True`` runs the kernels of
``rnncore/_kernels.py``, ``fast=False`` loops the step functions of ``rnncore.cells``. Forward
outputs, final states, input and initial-state gradients and every parameter gradient must
agree to a few units in the last place (ulps) of float64: the two paths add the same terms in
a different order, and nothing more.
"""

import itertools
import zlib

import numpy as np
import pytest

from ..conftest import LAYERS, VARIANT_IDS, VARIANTS

T, B, D, H = 7, 3, 4, 5
EPS = np.finfo(np.float64).eps
ULPS = 16   # in eps times the array's largest magnitude (measured: at most 11 in 4,000 runs)

GRID = list(itertools.product([1, 2], [False, True], [False, True], [False, True], [B, 1]))
GRID_IDS = [f"L{L}-{'bi' if bi else 'uni'}-{'bf' if bf else 'tm'}-"
            f"{'h0' if given else 'zeros'}-B{b}" for L, bi, bf, given, b in GRID]


def ulps(actual, expected):
    """The largest difference, in ulps of the largest magnitude of ``expected``."""
    scale = max(np.abs(expected).max(), np.finfo(np.float64).tiny)
    return float(np.abs(actual - expected).max() / (EPS * scale))


def run(layer, x, hx, doutput, dstate):
    output, state = layer(x, hx)
    dx, dhx = layer.backward(doutput, dstate)
    results = {"output": output, "dx": dx}
    for name, value in (("state", state), ("dhx", dhx)):
        for k, array in enumerate(value if isinstance(value, tuple) else (value,)):
            results[f"{name}[{k}]"] = array
    results.update({f"grads[{name}]": grad.copy() for name, grad in layer.grads.items()})
    return results


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("num_layers,bidirectional,batch_first,given,batch", GRID,
                         ids=GRID_IDS)
def test_fast_layer_equals_readable_steps(kind, extra, num_layers, bidirectional,
                                          batch_first, given, batch):
    case = f"{kind}{extra}{num_layers}{bidirectional}{batch_first}{given}{batch}"
    rng = np.random.default_rng(zlib.crc32(case.encode()))      # the same numbers every run
    options = dict(num_layers=num_layers, bidirectional=bidirectional,
                   batch_first=batch_first, seed=3, **extra)
    fast = LAYERS[kind](D, H, **options)
    readable = LAYERS[kind](D, H, fast=False, **options)
    readable.load_state_dict(fast.state_dict())
    x = rng.normal(size=(batch, T, D) if batch_first else (T, batch, D))
    state_shape = (num_layers * fast.num_directions, batch, H)
    states = 2 if kind == "lstm" else 1
    hx = [rng.normal(size=state_shape) for _ in range(states)] if given else None
    dstate = [rng.normal(size=state_shape) for _ in range(states)]
    if kind == "lstm":
        hx, dstate = (tuple(hx) if hx else None), tuple(dstate)
    else:
        hx, dstate = (hx[0] if hx else None), dstate[0]
    output_shape = x.shape[:2] + (fast.num_directions * H,)
    doutput = rng.normal(size=output_shape)
    want = run(readable, x, hx, doutput, dstate)
    got = run(fast, x, hx, doutput, dstate)
    assert got.keys() == want.keys()
    errors = {name: ulps(got[name], want[name]) for name in want}
    assert max(errors.values()) <= ULPS, {k: round(v, 1) for k, v in errors.items() if v > ULPS}


@pytest.mark.parametrize("kind,extra", VARIANTS, ids=VARIANT_IDS)
def test_the_two_paths_are_really_two(kind, extra, monkeypatch):
    """The comparison can fail: a readable step that is off in its last digits shows."""
    from rnncore import cells
    step = getattr(cells, f"{kind}_step_forward")

    def off_by_a_little(*args, **kwargs):
        out, cache = step(*args, **kwargs)
        nudged = tuple(o * (1 + 64 * EPS) for o in out) if isinstance(out, tuple) \
            else out * (1 + 64 * EPS)
        return nudged, cache
    fast = LAYERS[kind](D, H, seed=0, **extra)
    readable = LAYERS[kind](D, H, seed=0, fast=False, **extra)
    monkeypatch.setattr(type(readable), "step_forward", staticmethod(off_by_a_little))
    x = np.random.default_rng(0).normal(size=(T, B, D))
    assert ulps(fast(x)[0], readable(x)[0]) > ULPS
