"""Optimizers, clipping and the gradient checker, against hand-written formulas."""

import numpy as np
import pytest

import rnncore
from rnncore.gradcheck import format_report, gradient_check, numerical_gradient, relative_error


def layer_with_grads(rng):
    layer = rnncore.RNN(2, 3, seed=0)
    for grad in layer.grads.values():
        grad[...] = rng.normal(size=grad.shape)
    return layer


def test_sgd_step_and_momentum(rng):
    layer = layer_with_grads(rng)
    before = layer.state_dict()
    grads = {k: v.copy() for k, v in layer.grads.items()}
    opt = rnncore.SGD(layer, lr=0.1, momentum=0.5)
    opt.step()
    opt.step()          # same gradient twice: v = g, then v = 0.5 g + g
    for k in before:
        np.testing.assert_allclose(layer.params[k], before[k] - 0.1 * (grads[k] + 1.5 * grads[k]))


def test_adam_first_steps_follow_the_formula(rng):
    layer = layer_with_grads(rng)
    before = layer.state_dict()
    g = {k: v.copy() for k, v in layer.grads.items()}
    opt = rnncore.Adam(layer, lr=0.01)
    opt.step()
    for k in before:   # after one bias-corrected step each entry moves by lr * sign(g)
        np.testing.assert_allclose(layer.params[k], before[k] - 0.01 * g[k] / (np.abs(g[k]) + 1e-8),
                                   rtol=1e-12)


def test_clip_grad_norm(rng):
    layer = layer_with_grads(rng)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in layer.grads.values()))
    assert rnncore.grad_norm(layer) == pytest.approx(norm)
    assert rnncore.clip_grad_norm(layer, 2 * norm) == pytest.approx(norm)
    assert rnncore.grad_norm(layer) == pytest.approx(norm)          # below max: untouched
    assert rnncore.clip_grad_norm(layer, 0.5) == pytest.approx(norm)
    assert rnncore.grad_norm(layer) == pytest.approx(0.5, rel=1e-5)


def test_optimizer_rejects_non_modules():
    with pytest.raises(TypeError, match=r"modules\[0\]: expected an rnncore Module, got dict"):
        rnncore.Adam([{"w": np.zeros(2)}])
    with pytest.raises(ValueError, match="lr: expected a number >= 0.0, got -1"):
        rnncore.SGD(rnncore.Linear(2, 2), lr=-1)


def test_numerical_gradient_of_known_function():
    x = np.array([0.3, -1.2, 2.0])
    grad = numerical_gradient(lambda: np.sum(np.sin(x) * x), x)
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])       # restored


def test_gradient_check_flags_a_wrong_gradient():
    x = np.array([1.0, 2.0])
    errors = gradient_check(lambda: np.sum(x ** 2), {"x": x}, {"x": 2 * x + 0.1})
    assert errors["x"] > 1e-3
    assert "FAIL" in format_report(errors)
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
