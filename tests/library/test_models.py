"""Readout, embedding, seq2seq and losses: gradients against centred differences."""

import numpy as np
import pytest

import rnncore
from rnncore.gradcheck import format_report, gradient_check, numerical_gradient, relative_error


def check_module(module, objective, extra_inputs=None, extra_grads=None):
    inputs = {**module.params, **(extra_inputs or {})}
    analytic = {**{k: v.copy() for k, v in module.grads.items()}, **(extra_grads or {})}
    errors = gradient_check(objective, inputs, analytic)
    assert max(errors.values()) < 1e-6, "\n" + format_report(errors)


def test_linear_backward(rng):
    layer = rnncore.Linear(4, 3, seed=0)
    x = rng.normal(size=(5, 2, 4))
    dy = rng.normal(size=(5, 2, 3))
    layer(x)
    dx = layer.backward(dy)
    check_module(layer, lambda: np.sum(layer(x) * dy), {"x": x}, {"x": dx})


def test_embedding_backward_adds_repeated_ids(rng):
    emb = rnncore.Embedding(6, 3, seed=0)
    ids = np.array([[1, 1], [4, 1]])
    dy = rng.normal(size=(2, 2, 3))
    np.testing.assert_array_equal(emb(ids), emb.weight[ids])
    emb.backward(dy)
    check_module(emb, lambda: np.sum(emb(ids) * dy))
    np.testing.assert_allclose(emb.grads["weight"][1], dy[0, 0] + dy[0, 1] + dy[1, 1])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_seq2seq_backward(cell, num_layers, rng):
    model = rnncore.Seq2Seq(5, 6, embedding_size=3, hidden_size=4, cell=cell,
                            num_layers=num_layers, seed=0)
    src, tgt_in = rng.integers(0, 5, (4, 2)), rng.integers(0, 6, (3, 2))
    targets = rng.integers(0, 6, (3, 2))

    def objective():
        return rnncore.softmax_cross_entropy(model(src, tgt_in), targets)[0]

    _, dlogits = rnncore.softmax_cross_entropy(model(src, tgt_in), targets)
    model.backward(dlogits)
    assert set(model.grads) == set(model.params)
    assert any(k.startswith("encoder.") for k in model.params)
    assert np.abs(model.grads[f"encoder.weight_hh_l{num_layers - 1}"]).max() > 0
    check_module(model, objective)


def test_greedy_decode_feeds_back_its_own_predictions(rng):
    model = rnncore.Seq2Seq(5, 6, embedding_size=3, hidden_size=8, cell="gru", seed=1)
    src = rng.integers(0, 5, (4, 3))
    decoded = model.greedy_decode(src, bos_id=0, max_len=5)
    assert decoded.shape == (5, 3)
    # Teacher forcing on [bos, decoded[:-1]] must reproduce each decoded token as the argmax.
    tgt_in = np.concatenate([np.zeros((1, 3), dtype=int), decoded[:-1]])
    np.testing.assert_array_equal(model(src, tgt_in).argmax(axis=-1), decoded)
    dlogits = rng.normal(size=(5, 3, 6))
    model.backward(dlogits)
    grads = {k: v.copy() for k, v in model.grads.items()}
    # Decoding between a training forward and its backward stores nothing (it runs under
    # no_grad), so the backward still belongs to the training forward.
    model(src, tgt_in)
    model.greedy_decode(src, bos_id=0, max_len=2)
    model.backward(dlogits)
    for name, grad in grads.items():
        np.testing.assert_array_equal(model.grads[name], grad)


def test_seq2seq_learns_to_reverse():
    """A small end-to-end check that the pieces train together: reverse 3-token sequences."""
    rng = np.random.default_rng(0)
    model = rnncore.Seq2Seq(6, 7, embedding_size=8, hidden_size=32, cell="lstm", seed=0)
    optimizer = rnncore.Adam(model, lr=0.02)
    bos = 6
    for _ in range(300):
        src = rng.integers(0, 6, (3, 32))
        target = src[::-1]
        tgt_in = np.concatenate([np.full((1, 32), bos), target[:-1]])
        loss, dlogits = rnncore.softmax_cross_entropy(model(src, tgt_in), target)
        model.backward(dlogits)
        rnncore.clip_grad_norm(model, 5.0)
        optimizer.step()
    src = rng.integers(0, 6, (3, 200))
    accuracy = (model.greedy_decode(src, bos, 3) == src[::-1]).mean()
    assert accuracy > 0.9, f"reversal accuracy {accuracy:.2f}, loss {loss:.3f}"


def test_softmax_cross_entropy_gradient_and_mask(rng):
    logits = rng.normal(size=(4, 3, 5))
    targets = rng.integers(0, 5, (4, 3))
    mask = np.ones((4, 3), dtype=bool)
    mask[3, :] = False
    loss, dlogits = rnncore.softmax_cross_entropy(logits, targets, mask)
    num = numerical_gradient(lambda: rnncore.softmax_cross_entropy(logits, targets, mask)[0],
                             logits)
    assert relative_error(dlogits, num) < 1e-7
    np.testing.assert_array_equal(dlogits[3], 0.0)
    unmasked_only, _ = rnncore.softmax_cross_entropy(logits[:3], targets[:3])
    assert loss == pytest.approx(unmasked_only, rel=1e-13)
    # Uniform logits give log(V) whatever the targets.
    assert rnncore.softmax_cross_entropy(np.zeros((2, 5)), np.array([0, 4]))[0] == \
        pytest.approx(np.log(5))


def test_softmax_cross_entropy_is_stable_for_large_logits():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    loss, dlogits = rnncore.softmax_cross_entropy(logits, np.array([1]))
    assert loss == pytest.approx(1000.0) and np.isfinite(dlogits).all()


def test_mse_loss(rng):
    pred, target = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    loss, dpred = rnncore.mse_loss(pred, target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2))
    num = numerical_gradient(lambda: rnncore.mse_loss(pred, target)[0], pred)
    assert relative_error(dpred, num) < 1e-8
