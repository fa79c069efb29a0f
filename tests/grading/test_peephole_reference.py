"""The course's LSTM step with peepholes (the lstm assignment's Part 1), held to rnncore's plain
step when the peepholes are zero, and to a formulation written here independently, gate by
gate and row by row, when they are not."""

import math

import numpy as np
import pytest

import rnncore
from rnncourse.grading import load_checks

checks = load_checks("lstm")


def logistic(value):
    return 1.0 / (1.0 + math.exp(-value)) if value >= 0 else \
        math.exp(value) / (1.0 + math.exp(value))


def per_gate_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh, weight_ci,
                  weight_cf, weight_co):
    """The peephole LSTM of Greff et al. (2017), one example and one unit at a time, each
    gate from its own block of rows, the peepholes as diagonal matrices."""
    H = h_prev.shape[1]
    blocks = {gate: slice(k * H, (k + 1) * H) for k, gate in enumerate("ifgo")}
    h, c = np.empty_like(h_prev), np.empty_like(c_prev)
    for b in range(x.shape[0]):
        pre = {gate: weight_ih[rows] @ x[b] + bias_ih[rows] + weight_hh[rows] @ h_prev[b]
               + bias_hh[rows] for gate, rows in blocks.items()}
        i = [logistic(v) for v in pre["i"] + np.diag(weight_ci) @ c_prev[b]]
        f = [logistic(v) for v in pre["f"] + np.diag(weight_cf) @ c_prev[b]]
        g = [math.tanh(v) for v in pre["g"]]
        for u in range(H):
            c[b, u] = f[u] * c_prev[b, u] + i[u] * g[u]
        o = [logistic(v) for v in pre["o"] + np.diag(weight_co) @ c[b]]
        for u in range(H):
            h[b, u] = o[u] * math.tanh(c[b, u])
    return h, c


SHAPES = [dict(seed=0), dict(seed=1, B=2, D=3, H=2), dict(seed=3, B=1, D=4, H=3),
          dict(seed=4, peephole_scale=4.0), dict(seed=8, scale=1000.0)]


@pytest.mark.parametrize("shape", SHAPES)
def test_without_peepholes_it_is_rnncores_plain_step(shape):
    problem = checks.peephole_problem(**{**shape, "peephole_scale": 0.0})
    plain = {k: v for k, v in problem.items() if k not in checks.PEEPHOLES}
    (h, c), _ = rnncore.lstm_step_forward(**plain)
    got_h, got_c = checks.peephole_step(**problem)
    np.testing.assert_allclose(got_h, h, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got_c, c, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
def test_with_peepholes_it_is_the_per_gate_formulation(shape):
    problem = checks.peephole_problem(**shape)
    assert all(np.abs(problem[name]).min() > 0 for name in checks.PEEPHOLES)
    want_h, want_c = per_gate_step(**problem)
    got_h, got_c = checks.peephole_step(**problem)
    np.testing.assert_allclose(got_c, want_c, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-12, atol=1e-14)


def test_the_peepholes_change_the_step():
    """Each peephole moves the result, so the comparison above could fail: the output gate's
    reads the new cell state, not the old one."""
    problem = checks.peephole_problem(0)
    h, c = per_gate_step(**problem)
    for name in checks.PEEPHOLES:
        moved_h, _ = checks.peephole_step(**{**problem, name: np.zeros_like(problem[name])})
        assert np.abs(moved_h - h).max() > 1e-3, name
    old_h, old_c = checks.peephole_step(**problem, o_reads_c_prev=True)
    np.testing.assert_allclose(old_c, c, rtol=1e-12)
    assert np.abs(old_h - h).max() > 1e-3


@pytest.mark.parametrize("shape", SHAPES[:4])
def test_every_likely_cause_is_its_own(shape):
    """On the checks with peepholes, each slip's result differs from the right one and from
    every other slip's, so the feedback names the slip that was made."""
    problem = checks.peephole_problem(**shape)
    want = np.concatenate([v.ravel() for v in checks.peephole_step(**problem)])
    found = [(why, np.concatenate([v.ravel() for v in alternative]))
             for why, alternative in checks._peephole_alternatives(problem)]
    for k, (why, values) in enumerate(found):
        assert np.abs(values - want).max() > 1e-6, why
        for other, other_values in found[k + 1:]:
            assert np.abs(values - other_values).max() > 1e-6, (why, other)
