"""The rnn assignment's step with the weights joined: the course's version of it is rnncore's
step, and agrees with the formula written out number by number; its check accepts a right
answer written another way and names the usual slips."""

import math

import numpy as np
import pytest

import rnncore
from rnncourse.grading import load_checks

checks = load_checks("rnn")


def by_hand(x, h_prev, weight, bias):
    """h = tanh([x, h_prev] weight^T + bias), one number at a time, in plain Python."""
    h = []
    for x_row, h_row in zip(x.tolist(), h_prev.tolist()):
        joined = x_row + h_row
        h.append([math.tanh(sum(w * v for w, v in zip(weight_row, joined)) + b)
                  for weight_row, b in zip(weight.tolist(), bias.tolist())])
    return np.array(h)


@pytest.mark.parametrize("shape", [{}, {"B": 1, "D": 3, "H": 2}, {"D": 4, "H": 4},
                                   {"D": 7, "H": 2, "scale": 50.0}])
def test_the_course_step_is_the_formula(shape):
    problem = checks.joined_problem(3, **shape)
    assert problem["weight"].shape == (problem["h_prev"].shape[1],
                                       problem["x"].shape[1] + problem["h_prev"].shape[1])
    np.testing.assert_allclose(checks.course_rnn_step_joined(**problem), by_hand(**problem),
                               rtol=1e-12, atol=1e-12)


def test_the_joined_step_is_the_split_step():
    """[U W] with b_ih + b_hh gives rnncore's step; with W = 0 and h_prev ignored it is a
    feed-forward layer."""
    rng = np.random.default_rng(0)
    x, h_prev = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    U, W = rng.normal(size=(5, 4)), rng.normal(size=(5, 5))
    b_ih, b_hh = rng.normal(size=5), rng.normal(size=5)
    h, _ = rnncore.rnn_step_forward(x, h_prev, U, W, b_ih, b_hh)
    joined = checks.course_rnn_step_joined(x, h_prev, np.concatenate([U, W], axis=1),
                                           b_ih + b_hh)
    np.testing.assert_allclose(joined, h, rtol=1e-13, atol=1e-13)
    no_recurrence = checks.course_rnn_step_joined(
        x, h_prev, np.concatenate([U, np.zeros_like(W)], axis=1), b_ih)
    np.testing.assert_allclose(no_recurrence, np.tanh(x @ U.T + b_ih), rtol=1e-13, atol=1e-13)


def run(case, fn, *args, **kwargs):
    part = checks.Part("a part", points=1)
    part.check("a check", case, fn, *args, **kwargs)
    return part.results[0][2]


def test_the_check_takes_a_right_answer_written_another_way():
    def rnn_step_joined(x, h_prev, weight, bias):
        return np.array(by_hand(x, h_prev, weight, bias), dtype=np.float32)

    for seed, shape in ((0, {}), (9, {"D": 4, "H": 4}), (8, {"scale": 1000.0})):
        assert run(checks.joined_step_case, rnn_step_joined, seed, **shape) is None


def test_the_check_names_the_order_of_the_joined_row():
    def rnn_step_joined(x, h_prev, weight, bias):
        return by_hand(h_prev, x, weight, bias)

    for shape in ({}, {"D": 4, "H": 4}, {"D": 2, "H": 6}):
        message = run(checks.joined_step_case, rnn_step_joined, 0, **shape)
        assert "Likely cause: the row is joined in the order [h_prev, x]" in message, message


def rnn_step_joined(x, h_prev, weight, bias):
    return by_hand(x, h_prev, weight, bias)


def swapped_rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    weight = np.concatenate([weight_hh, weight_ih], axis=1)
    h, hs = h0, []
    for x_t in x:
        h = rnn_step_joined(x_t, h, weight, bias_ih + bias_hh)
        hs.append(h)
    return np.stack(hs)


def test_the_sequence_check_names_weights_joined_the_wrong_way_round():
    for shape in ({}, {"D": 4, "H": 4}):
        message = run(checks.rnn_forward_case, swapped_rnn_forward, 0, **shape)
        assert "Likely cause: the weights are joined in the wrong order" in message, message
        assert "earlier part" not in message, message
