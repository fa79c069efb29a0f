"""Layers without recurrence: ``Linear`` (the article's V, the readout) and ``Embedding``."""

import numpy as np

from .module import Module, make_rng
from .validation import (
    check_bool,
    check_float_array,
    check_int_array,
    check_positive_int,
    check_shape,
)


class Linear(Module):
    """y = x W^T + b over the last axis, as ``torch.nn.Linear``.

    Args:
        in_features (D), out_features (O); bias; dtype; seed / rng.
    Parameters: ``weight`` (O, D), ``bias`` (O,), initialised U(-1/sqrt(D), 1/sqrt(D)).
    """


    def __init__(self, in_features, out_features, bias=True, *, dtype=np.float64, seed=None,
                 rng=None):
        super().__init__(dtype)
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        rng = make_rng(seed, rng)
        bound = 1.0 / np.sqrt(in_features)
        self._add_param("weight", rng.uniform(-bound, bound, (out_features, in_features)))
        if check_bool("bias", bias):
            self._add_param("bias", rng.uniform(-bound, bound, out_features))

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features}, bias={'bias' in self.params})"

    def forward(self, x):
        """x: (..., D) -> (..., O)."""
        x = check_float_array("x", x, dtype=self.dtype)
        check_shape("x", x, (*(f"N{i}" for i in range(x.ndim - 1)),
                             ("in_features", self.in_features)))
        weight = self.params["weight"].copy()     # what backward must use, whatever happens
        self._store((x.copy(), weight))            # to x or the parameter in between
        y = x @ weight.T
        if "bias" in self.params:
            y += self.params["bias"]
        return y

    def backward(self, dy):
        """dy: (..., O) -> dx (..., D); fills ``grads``."""
        x, weight = self._stored_pass()
        dy = check_float_array("dy", dy, dtype=self.dtype)
        check_shape("dy", dy, (*x.shape[:-1], ("out_features", self.out_features)))
        dy2 = dy.reshape(-1, self.out_features)
        self.grads["weight"][...] = dy2.T @ x.reshape(-1, self.in_features)
        if "bias" in self.params:
            self.grads["bias"][...] = dy2.sum(axis=0)
        return dy @ weight


class Embedding(Module):
    """Token ids -> vectors, as ``torch.nn.Embedding``.

    Parameter: ``weight`` (num_embeddings, embedding_dim), initialised N(0, 1).
    """


    def __init__(self, num_embeddings, embedding_dim, *, dtype=np.float64, seed=None, rng=None):
        super().__init__(dtype)
        self.num_embeddings = check_positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        rng = make_rng(seed, rng)
        self._add_param("weight", rng.standard_normal((num_embeddings, embedding_dim)))

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    def forward(self, ids):
        """ids: integer array (...) with values in [0, num_embeddings) -> (..., dim)."""
        ids = check_int_array("ids", ids, 0, self.num_embeddings)
        self._store(ids.copy())
        return self.params["weight"][ids]

    def backward(self, dy):
        """dy: (..., dim); fills ``grads["weight"]`` (rows of repeated ids add up)."""
        ids = self._stored_pass()
        dy = check_float_array("dy", dy, dtype=self.dtype)
        check_shape("dy", dy, (*ids.shape, ("embedding_dim", self.embedding_dim)))
        grad = self.grads["weight"]
        grad.fill(0.0)
        np.add.at(grad, ids.ravel(), dy.reshape(-1, self.embedding_dim))
