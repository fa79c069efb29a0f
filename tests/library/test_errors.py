"""Bad input raises an error that names the argument and shows expected against actual."""

import re

import numpy as np
import pytest

import rnncore


def raises(exc, message):
    return pytest.raises(exc, match=re.escape(message))


@pytest.fixture
def lstm():
    return rnncore.LSTM(3, 4, num_layers=2, seed=0)


def test_wrong_input_size(lstm):
    with raises(ValueError, "x: expected shape (T, B, input_size=3), got (5, 2, 7)"):
        lstm(np.zeros((5, 2, 7)))


def test_wrong_rank(lstm):
    with raises(ValueError, "x: expected shape (T, B, input_size=3), got (5, 2, 3, 1)"):
        lstm(np.zeros((5, 2, 3, 1)))


def test_batch_first_layout_is_named():
    layer = rnncore.GRU(3, 4, batch_first=True)
    with raises(ValueError, "x: expected shape (B, T, input_size=3), got (2, 5, 4)"):
        layer(np.zeros((2, 5, 4)))


def test_wrong_dtype(lstm):
    with raises(TypeError, "x: expected dtype float64, got float32 (convert with "
                           "x.astype(np.float64))"):
        lstm(np.zeros((5, 2, 3), dtype=np.float32))
    with raises(TypeError, "x: expected a NumPy array, got str"):
        lstm("hello")


def test_integer_input_is_refused(lstm):
    with raises(TypeError, "x: expected dtype float64, got int64"):
        lstm(np.zeros((5, 2, 3), dtype=np.int64))


def test_non_finite_input(lstm):
    x = np.zeros((5, 2, 3))
    x[1, 0, 2] = np.nan
    with raises(ValueError, "x: contains 1 non-finite value(s) (NaN or inf), first at index "
                            "(1, 0, 2): np.float64(nan)"):
        lstm(x)


def test_wrong_state_shapes(lstm):
    x = np.zeros((5, 2, 3))
    with raises(ValueError, "hx[0] (h): expected shape (num_layers*dirs=2, B=2, hidden_size=4), "
                            "got (1, 2, 4)"):
        lstm(x, (np.zeros((1, 2, 4)), np.zeros((2, 2, 4))))
    with raises(TypeError, "hx: expected a tuple (h, c) of 2 arrays, or None, got ndarray"):
        lstm(x, np.zeros((2, 2, 4)))
    gru = rnncore.GRU(3, 4)
    with raises(ValueError, "hx: expected shape (num_layers*dirs=1, B=2, hidden_size=4), "
                            "got (1, 3, 4)"):
        gru(x, np.zeros((1, 3, 4)))


def test_backward_errors(lstm):
    with raises(RuntimeError, "backward: call forward first"):
        lstm.backward(np.zeros((5, 2, 4)))
    lstm(np.zeros((5, 2, 3)))
    with raises(ValueError, "doutput: expected shape (T=5, B=2, dirs*hidden_size=4), "
                            "got (5, 2, 8)"):
        lstm.backward(np.zeros((5, 2, 8)))
    with raises(ValueError, "dstate[1] (c): expected shape (num_layers*dirs=2, B=2, "
                            "hidden_size=4), got (2, 4)"):
        lstm.backward(np.zeros((5, 2, 4)), (np.zeros((2, 2, 4)), np.zeros((2, 4))))


def test_state_dict_errors(lstm):
    state = lstm.state_dict()
    del state["bias_hh_l1"]
    state["weight_ih_l9"] = np.zeros(1)
    with raises(ValueError, "state_dict: missing keys ['bias_hh_l1'], unexpected keys "
                            "['weight_ih_l9']"):
        lstm.load_state_dict(state)
    state = lstm.state_dict()
    state["weight_hh_l0"] = np.zeros((4, 4))
    before = lstm.state_dict()
    with raises(ValueError, "state_dict['weight_hh_l0']: expected shape (16, 4), got (4, 4)"):
        lstm.load_state_dict(state)
    for name, value in lstm.params.items():         # nothing was half-loaded
        np.testing.assert_array_equal(value, before[name])
    state = lstm.state_dict()
    state["bias_ih_l0"][3] = np.inf
    with raises(ValueError, "state_dict['bias_ih_l0']: contains 1 non-finite value(s)"):
        lstm.load_state_dict(state)
    with raises(TypeError, "state_dict: expected a mapping of arrays, got list"):
        lstm.load_state_dict([1, 2])


def test_constructor_errors():
    with raises(ValueError, "nonlinearity: expected one of 'tanh', 'relu', got 'sigmoid'"):
        rnncore.RNN(3, 4, nonlinearity="sigmoid")
    with raises(ValueError, "hidden_size: expected a positive int, got 0"):
        rnncore.GRU(3, 0)
    with raises(TypeError, "input_size: expected a positive int, got float"):
        rnncore.LSTM(3.0, 4)
    with raises(TypeError, "dtype: expected np.float32 or np.float64, got 'float16'"):
        rnncore.LSTM(3, 4, dtype="float16")
    with raises(ValueError, "seed, rng: give one or the other, got both"):
        rnncore.LSTM(3, 4, seed=1, rng=np.random.default_rng())
    with raises(ValueError, "cell: expected one of 'rnn', 'lstm', 'gru', got 'transformer'"):
        rnncore.Seq2Seq(3, 3, 2, 2, cell="transformer")


def test_step_function_errors():
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    w_ih, w_hh, b = rng.normal(size=(16, 3)), rng.normal(size=(16, 4)), np.zeros(16)
    with raises(ValueError, "weight_ih: expected shape (4*H, D), 4*H=16, D=3, got (12, 3)"):
        rnncore.lstm_step_forward(x, h, h, w_ih[:12], w_hh, b, b)
    with raises(ValueError, "c_prev: expected shape (B, H), B=2, H=4, got (2, 5)"):
        rnncore.lstm_step_forward(x, h, np.zeros((2, 5)), w_ih, w_hh, b, b)
    with raises(ValueError, "h_prev: expected shape (B, H), B=2, got (3, 4)"):
        rnncore.rnn_step_forward(x, np.zeros((3, 4)), w_ih[:4], w_hh[:4], b[:4], b[:4])
    with raises(TypeError, "h_prev: expected dtype float64 like x, weight_ih, weight_hh, "
                           "bias_ih, bias_hh, got float32 (convert with h_prev.astype"):
        rnncore.gru_step_forward(x, h.astype(np.float32), w_ih[:12], w_hh[:12], b[:12], b[:12])
    with raises(TypeError, "x: expected dtype float64 like h_prev, c_prev, weight_ih"):
        rnncore.lstm_step_forward(x.astype(np.float32), h, h, w_ih, w_hh, b, b)
    _, cache = rnncore.rnn_step_forward(x, h, w_ih[:4], w_hh[:4], b[:4], b[:4])
    with raises(ValueError, "dh: expected shape (2, 4), got (4, 2)"):
        rnncore.rnn_step_backward(np.zeros((4, 2)), cache)


def test_loss_errors():
    with raises(ValueError, "targets: expected values < 3, got 3"):
        rnncore.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with raises(TypeError, "targets: expected an integer array, got dtype float64"):
        rnncore.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with raises(ValueError, "targets: expected shape (N0,), N0=2, got (3,)"):
        rnncore.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with raises(ValueError, "mask: expected at least one position to count, got none"):
        rnncore.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), np.zeros(2))
    with raises(ValueError, "target: expected shape (4, 1), got (4,)"):
        rnncore.mse_loss(np.zeros((4, 1)), np.zeros(4))


def test_seq2seq_errors():
    model = rnncore.Seq2Seq(5, 6, 3, 4, seed=0)
    with raises(ValueError, "tgt_in: expected shape (T_tgt, B=2), got (3, 4)"):
        model(np.zeros((4, 2), dtype=int), np.zeros((3, 4), dtype=int))
    with raises(ValueError, "src: expected values < 5, got 7"):
        model(np.full((4, 2), 7), np.zeros((3, 2), dtype=int))
