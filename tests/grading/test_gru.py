"""The gru assignment's own computations: the step the notebook gives is rnncore's, the
sequence's expected values agree with a loop written here from the equations, every likely
cause differs from the right answer, and the loop is graded on its own code when the name
gru_step_forward holds something else."""

import nbformat
import numpy as np
import pytest

import rnncore
from rnncourse.grading import load_checks
from rnncourse.grading.cells import CACHE_LAYOUTS
from rnncourse.manifest import ROOT

from .test_checks import model_answers, run_part


def setup_cell(folder):
    notebook = nbformat.read(str(ROOT / folder / "gru" / "gru.ipynb"), 4)
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    return cell.source


def given_step(folder="solutions"):
    namespace = {}
    exec(setup_cell(folder), namespace)
    return namespace["gru_step_forward"]


def test_the_release_gives_the_same_step():
    assert setup_cell("exercises") == setup_cell("solutions")


@pytest.mark.parametrize("reset_after", [True, False])
def test_the_given_step_is_rnncores(reset_after):
    rng = np.random.default_rng(0)
    B, D, H = 3, 4, 5
    arguments = {"x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H)),
                 "weight_ih": rng.normal(size=(3 * H, D)),
                 "weight_hh": rng.normal(size=(3 * H, H)),
                 "bias_ih": rng.normal(size=3 * H), "bias_hh": rng.normal(size=3 * H)}
    h, cache = given_step()(**arguments, reset_after=reset_after)
    want, want_cache = rnncore.gru_step_forward(**arguments, reset_after=reset_after)
    np.testing.assert_allclose(h, want, rtol=1e-12, atol=1e-12)
    assert type(cache) is tuple and len(cache) == len(CACHE_LAYOUTS["gru"])
    for name, got, expected in zip(CACHE_LAYOUTS["gru"], cache, want_cache):
        if name == "reset_after":
            assert got is expected is reset_after
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=name)
    other, _ = rnncore.gru_step_forward(**arguments, reset_after=not reset_after)
    assert not np.allclose(h, other)                  # the two variants are distinguishable


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def written_out(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, reset_after):
    """A GRU over a sequence written from the notebook's equations, one gate at a time and
    one batch row at a time."""
    H = h0.shape[1]
    W_ir, W_iz, W_in = weight_ih[:H], weight_ih[H:2 * H], weight_ih[2 * H:]
    W_hr, W_hz, W_hn = weight_hh[:H], weight_hh[H:2 * H], weight_hh[2 * H:]
    b_ir, b_iz, b_in = bias_ih[:H], bias_ih[H:2 * H], bias_ih[2 * H:]
    b_hr, b_hz, b_hn = bias_hh[:H], bias_hh[H:2 * H], bias_hh[2 * H:]
    hs = np.zeros((len(x),) + h0.shape)
    for b in range(h0.shape[0]):
        h = h0[b]
        for t in range(len(x)):
            r = sigmoid(W_ir @ x[t, b] + b_ir + W_hr @ h + b_hr)
            z = sigmoid(W_iz @ x[t, b] + b_iz + W_hz @ h + b_hz)
            if reset_after:
                n = np.tanh(W_in @ x[t, b] + b_in + r * (W_hn @ h + b_hn))
            else:
                n = np.tanh(W_in @ x[t, b] + b_in + W_hn @ (r * h) + b_hn)
            h = (1 - z) * n + z * h
            hs[t, b] = h
    return hs


SHAPES = [{}, {"T": 1}, {"B": 1, "H": 1}, {"T": 1, "B": 1, "D": 2, "H": 1}]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_expected_sequence_is_the_equations(reset_after, shape):
    checks = load_checks("gru")
    layer, x, h0 = checks.gru_sequence_problem(3, reset_after, **shape)
    weights = checks.weights_of(layer)
    want, _ = checks.expected_outputs(layer, x, h0[None])
    np.testing.assert_allclose(want, written_out(x, h0, **weights, reset_after=reset_after),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(checks.gru_loop(x, h0, weights, reset_after), want,
                               rtol=1e-10, atol=1e-12)
    if len(x) > 1:                 # a slip in the loop changes the numbers
        assert not np.allclose(checks.gru_loop(x, h0, weights, reset_after, carry=False), want)


@pytest.mark.parametrize("reset_after", [True, False])
def test_every_likely_cause_differs_from_the_answer(reset_after):
    """On the visible problem each slip gives other numbers than the right answer (else its
    explanation could never be shown, or a right answer could be blamed)."""
    checks = load_checks("gru")
    layer, x, h0 = checks.gru_sequence_problem(0, reset_after)
    weights = checks.weights_of(layer)
    want, _ = checks.expected_outputs(layer, x, h0[None])
    slips = [checks.gru_loop(x, h0, weights, not reset_after),
             checks.gru_loop(x, h0, weights, reset_after, carry=False),
             checks.gru_loop(x, np.zeros_like(h0), weights, reset_after),
             np.concatenate([h0[None], want[:-1]]),
             checks.gru_loop(x[:1].repeat(len(x), axis=0), h0, weights, reset_after),
             want[-1:].repeat(len(x), axis=0)]
    for slip in slips:
        assert np.abs(slip - want).max() > 1e-3


WRONG_STEP = '''def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def gru_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, reset_after=True):
    H = h_prev.shape[1]
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
    z, r = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])          # the gates read as z, r
    n = np.tanh(a[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev, None


'''


def test_the_loop_is_graded_on_its_own_code_when_the_step_is_replaced():
    score, printed = run_part("gru", WRONG_STEP + model_answers("gru")["gru_forward"],
                              "gru_forward_case", seed=0, reset_after=False)
    assert score == 1, printed
    assert "is not the one given at the top" in printed and "this part's own code is right" \
        in printed, printed


def test_the_loop_is_graded_on_its_own_code_when_the_step_is_missing():
    score, printed = run_part("gru", model_answers("gru")["gru_forward"], "gru_forward_case",
                              seed=0)
    assert score == 1, printed
    assert "this part's own code is right" in printed, printed


def test_a_wrong_loop_fails_with_the_given_step_in_place_too():
    loop = model_answers("gru")["gru_forward"].replace("h, hs = h0, []",
                                                       "h, hs = np.zeros_like(h0), []")
    score, printed = run_part("gru", WRONG_STEP + loop, "gru_forward_case", seed=0)
    assert score == 0
    assert "h0 is ignored" in printed, printed
    assert "is not the one given at the top" in printed and "also fails with the given one" \
        in printed, printed


def test_a_right_loop_over_the_given_step_earns_no_note():
    source = setup_cell("solutions") + "\n\n\n" + model_answers("gru")["gru_forward"]
    score, printed = run_part("gru", source, "gru_forward_case", seed=1, reset_after=False)
    assert score == 1 and "note:" not in printed, printed
