import numpy as np
import pytest

import rnncore

LAYERS = {"rnn": rnncore.RNN, "lstm": rnncore.LSTM, "gru": rnncore.GRU}

# (kind, extra constructor arguments): every cell variant the course offers.
VARIANTS = [
    ("rnn", {}),
    ("rnn", {"nonlinearity": "relu"}),
    ("lstm", {}),
    ("gru", {}),
    ("gru", {"reset_after": False}),
]
VARIANT_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru", "gru-reset-before"]


def cell_kwargs(kind, extra):
    """The extra arguments as the reference cell functions name them."""
    return dict(extra) if kind != "lstm" else {}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
