"""The synthetic tasks have the properties the course relies on."""

import numpy as np
import pytest

import rnncore


def test_adding_problem():
    x, y = rnncore.adding_problem(2000, 50, seed=0)
    assert x.shape == (50, 2000, 2) and y.shape == (2000, 1)
    markers = x[..., 1]
    np.testing.assert_array_equal(markers.sum(axis=0), 2)
    assert (markers[:25].sum(axis=0) == 1).all()                 # one marker per half
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(axis=0))
    baseline = np.mean((y - 1.0) ** 2)
    assert baseline == pytest.approx(1 / 6, abs=0.01)
    x2, _ = rnncore.adding_problem(2000, 50, seed=0)
    np.testing.assert_array_equal(x, x2)


def test_copy_task():
    x, y = rnncore.copy_task(5, delay=7, length=4, symbols=3, seed=0)
    assert x.shape == y.shape == (15, 5)
    np.testing.assert_array_equal(y[-4:], x[:4])
    assert (x[:4] >= 1).all() and (x[:4] <= 3).all()
    np.testing.assert_array_equal(x[10], 4)                     # the recall marker
    assert (y[:-4] == 0).all() and (x[4:10] == 0).all() and (x[11:] == 0).all()


def test_temporal_order():
    x, y = rnncore.temporal_order(500, 100, seed=0)
    assert x.shape == (100, 500) and y.shape == (500,)
    relevant = (x == 4) | (x == 5)
    np.testing.assert_array_equal(relevant.sum(axis=0), 2)
    first, second = np.argwhere(relevant.T)[:, 1].reshape(500, 2).T
    assert (first >= 10).all() and (first < 20).all()
    assert (second >= 50).all() and (second < 60).all()
    cols = np.arange(500)
    np.testing.assert_array_equal(y, 2 * (x[first, cols] - 4) + (x[second, cols] - 4))
    assert set(np.unique(y)) == {0, 1, 2, 3}


def test_corpus_and_vocabulary():
    text = rnncore.tiny_corpus()
    assert len(text) > 1000
    vocab = rnncore.Vocabulary(text)
    ids = vocab.encode(text)
    assert vocab.decode(ids) == text and ids.max() == len(vocab) - 1
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("Q")


def test_one_hot():
    np.testing.assert_array_equal(rnncore.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"ids: expected values < 3, got 3"):
        rnncore.one_hot(np.array([3]), 3)
