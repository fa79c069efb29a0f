"""The bptt assignment's Part 1, one RNN step backward with the weights joined: the course's
expected gradients (rnncore's two-matrix backward, its weight gradients joined) against central
differences of the joined step written here from its equation, and the cache the checks build
against the one the notebook's given forward returns."""

import nbformat
import numpy as np
import pytest

import rnncore
from rnncourse.grading import bptt
from rnncourse.grading.problems import step_problem
from rnncourse.instructor import submissions
from rnncourse.manifest import ROOT


def joined_loss(x, h_prev, weight, bias, dh):
    """sum(dh * h) for h = tanh([x, h_prev] weight^T + bias): its gradients are the step's
    backward for the upstream gradient dh."""
    z = np.concatenate([x, h_prev], axis=1)
    return float(np.sum(dh * np.tanh(z @ weight.T + bias)))


def central_differences(arguments, dh, step=1e-6):
    found = {}
    for name in ("x", "h_prev", "weight", "bias"):
        value = arguments[name]
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += step
            minus[index] -= step
            gradient[index] = (joined_loss(**{**arguments, name: plus}, dh=dh)
                               - joined_loss(**{**arguments, name: minus}, dh=dh)) / (2 * step)
        found[name] = gradient
    return found


SHAPES = [dict(B=3, D=4, H=5), dict(B=2, D=3, H=2), dict(B=3, D=4, H=4), dict(B=1, D=1, H=3)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "B{B}-D{D}-H{H}".format(**s))
def test_the_expected_gradients_are_the_joined_steps_own(shape):
    problem = step_problem("rnn", 5, **shape)
    arguments, _ = bptt.joined_step(problem)
    dh = np.random.default_rng(7).normal(size=(shape["B"], shape["H"]))
    want = bptt.expected_joined_backward(problem, dh)
    numerical = central_differences(arguments, dh)
    assert set(want) == {"x", "h_prev", "weight", "bias"}
    for name in want:
        assert want[name].shape == arguments[name].shape, name
        np.testing.assert_allclose(want[name], numerical[name], rtol=1e-6, atol=1e-8,
                                   err_msg=name)
    if shape["D"] == shape["H"]:       # the check that tells the two halves apart
        assert not np.allclose(want["x"], numerical["h_prev"])


def given_code():
    """The functions the notebook's locked setup cell gives."""
    (setup,) = [c for c in nbformat.read(str(ROOT / "solutions" / "bptt" / "bptt.ipynb"), 4).cells
                if submissions.grade_id(c) == "setup"]
    namespace = {}
    exec(setup.source, namespace)
    return namespace


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "B{B}-D{D}-H{H}".format(**s))
def test_the_checks_cache_is_the_given_forwards(shape):
    given = given_code()
    problem = step_problem("rnn", 3, **shape)
    arguments, cache = bptt.joined_step(problem)
    h, given_cache = given["rnn_step_joined_forward"](**arguments)
    assert len(given_cache) == len(cache) == 3
    for ours, theirs in zip(cache, given_cache):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    # the joined step is rnncore's two-matrix step
    np.testing.assert_allclose(h, rnncore.rnn_step_forward(**problem)[0], rtol=1e-12)


def test_the_given_step_backward_is_rnncores():
    given = given_code()
    problem = step_problem("rnn", 4)
    dh = np.random.default_rng(2).normal(size=problem["h_prev"].shape)
    got = given["rnn_step_backward"](dh, given["rnn_step_forward"](**problem)[1])
    want = rnncore.rnn_step_backward(dh, rnncore.rnn_step_forward(**problem)[1])
    # The course's version, put in place of a redefined one, is the same step.
    ours = bptt.course_rnn_step_backward(dh, given["rnn_step_forward"](**problem)[1])
    assert set(got) == set(want) == set(ours)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(ours[name], want[name], rtol=1e-12, atol=1e-14, err_msg=name)


def test_the_model_answer_matches_the_expected_gradients():
    """The notebook's model answer, on the given forward's cache, for D == H and D != H."""
    namespace = {"np": np}
    exec(submissions.strip_solution_markers(
        [c for c in nbformat.read(str(ROOT / "solutions" / "bptt" / "bptt.ipynb"), 4).cells
         if submissions.grade_id(c) == "rnn_step_joined_backward"][0].source), namespace)
    given = given_code()
    for shape in SHAPES:
        problem = step_problem("rnn", 8, **shape)
        arguments, _ = bptt.joined_step(problem)
        dh = np.random.default_rng(1).normal(size=(shape["B"], shape["H"]))
        got = namespace["rnn_step_joined_backward"](
            dh, given["rnn_step_joined_forward"](**arguments)[1])
        want = bptt.expected_joined_backward(problem, dh)
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-10, err_msg=name)
