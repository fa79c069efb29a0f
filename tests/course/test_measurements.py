"""The experiment functions behave as the theory says they must."""

import numpy as np
import pytest

import rnncore
from rnncourse.book import gradients
from rnncourse.experiments import language, training
from rnncourse.explorers import maths


def test_with_spectral_radius():
    m = gradients.with_spectral_radius(np.random.default_rng(0).normal(size=(6, 6)), 0.7)
    assert np.max(np.abs(np.linalg.eigvals(m))) == pytest.approx(0.7)


@pytest.mark.parametrize("nonlinearity", ["identity", "tanh"])
def test_small_radius_vanishes(nonlinearity):
    k, norms = gradients.gradient_norms("rnn", 0.5, 40, nonlinearity)
    assert k.tolist() == list(range(40))
    assert norms[30] < 1e-6 * norms[0]


def test_large_radius_explodes_in_a_linear_rnn():
    _, norms = gradients.gradient_norms("rnn", 1.5, 40, "identity")
    assert norms[39] > 1e4 * norms[0]


def test_tanh_saturation_keeps_large_radius_bounded():
    _, linear = gradients.gradient_norms("rnn", 1.5, 40, "identity")
    _, squashed = gradients.gradient_norms("rnn", 1.5, 40, "tanh")
    assert squashed[39] < 1e-3 * linear[39]


def test_forget_bias_carries_gradients_further():
    _, plain = gradients.gradient_norms("lstm", 1.0, 60, forget_bias=0.0)
    _, biased = gradients.gradient_norms("lstm", 1.0, 60, forget_bias=3.0)
    assert biased[50] / biased[0] > 100 * plain[50] / plain[0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell: expected one of 'rnn', 'lstm', got 'gru'"):
        gradients.gradient_norms("gru")


def test_constant_gate_lstm_follows_the_recurrence():
    a = np.array([0.5, -1.0, 2.0])
    c, h = maths.constant_gate_lstm(0.9, 0.5, 0.8, a)
    expected_c = []
    prev = 0.0
    for value in a:
        prev = 0.9 * prev + 0.5 * np.tanh(value)
        expected_c.append(prev)
    np.testing.assert_allclose(c, expected_c)
    np.testing.assert_allclose(h, 0.8 * np.tanh(expected_c))


def test_tanh_candidate_keeps_the_cell_bounded_and_relu_does_not():
    a = np.full(200, 3.0)
    c_tanh, h_tanh = maths.constant_gate_lstm(0.95, 1.0, 1.0, a, "tanh")
    c_relu, h_relu = maths.constant_gate_lstm(0.95, 1.0, 1.0, a, "relu")
    assert np.abs(c_tanh).max() <= 1 / (1 - 0.95) and np.abs(h_tanh).max() <= 1
    assert c_relu[-1] > 50 and h_relu[-1] > 50


def test_memory_survival():
    np.testing.assert_allclose(maths.memory_survival(0.5, 4), [1, 0.5, 0.25, 0.125])
    with pytest.raises(ValueError, match=r"forget: expected a gate value in \[0, 1\], got 1.5"):
        maths.constant_gate_lstm(1.5, 1, 1, [0.0])


def test_input_patterns():
    assert maths.input_pattern("pulse", 4).tolist() == [1, 0, 0, 0]
    assert maths.input_pattern("two pulses", 6).tolist() == [1, 0, 0, -1, 0, 0]
    assert maths.input_pattern("step", 3).tolist() == [1, 1, 1]
    np.testing.assert_array_equal(maths.input_pattern("noise", 5, seed=1),
                                  maths.input_pattern("noise", 5, seed=1))
    with pytest.raises(ValueError, match="pattern: expected one of"):
        maths.input_pattern("sine", 5)


def test_constant_gate_gru_follows_the_formula():
    x = np.array([1.0, 0.0, -0.5])
    h = maths.constant_gate_gru(0.7, 0.3, x)
    prev, expected = 0.0, []
    for value in x:
        n = np.tanh(2.0 * value + 0.3 * prev)
        prev = 0.3 * n + 0.7 * prev
        expected.append(prev)
    np.testing.assert_allclose(h, expected)
    # A pulse decays as update**t once the input is gone and reset is 0.
    h = maths.constant_gate_gru(0.9, 0.0, maths.input_pattern("pulse", 10))
    np.testing.assert_allclose(h[1:] / h[0], 0.9 ** np.arange(1, 10))


def test_lstm_with_forget_bias_keeps_more_with_a_larger_bias():
    x = maths.input_pattern("pulse", 50)
    low = maths.lstm_with_forget_bias(-2.0, x)
    high = maths.lstm_with_forget_bias(4.0, x)
    assert high["forget"].min() > low["forget"].max()
    assert high["survival"][-1] > 0.1 and low["survival"][-1] < 1e-10
    np.testing.assert_allclose(low["survival"][1:], np.cumprod(low["forget"][1:]))
    # The traced cell state is the layer's own.
    layer = rnncore.LSTM(1, 1, seed=0)
    layer.bias_ih_l0[1] += 4.0
    output, (h_n, c_n) = layer(x[:, None, None])
    np.testing.assert_allclose(high["h"], output[:, 0, 0])
    assert high["c"][-1] == pytest.approx(c_n.item())


@pytest.mark.parametrize("forget_bias,k", [(0.0, 1), (1.0, 7), (3.0, 12)])
def test_cell_state_jacobian_matches_finite_differences(forget_bias, k):
    """dc_T/dc_{T-k}, perturbing c_{T-k} (and so h_{T-k}) and running the LSTM on."""
    steps = 12
    found = gradients.cell_state_jacobians(forget_bias, steps)
    layer, x, _ = gradients.gradient_setup("lstm", 1.0, steps + 1, forget_bias=forget_bias)
    weights = {name.removesuffix("_l0"): value for name, value in layer.params.items()}
    H = layer.hidden_size

    def final_cell(delta):
        h, c = np.zeros((1, H)), np.zeros((1, H))
        for t, x_t in enumerate(x[:, :1]):
            (h, c), cache = rnncore.lstm_step_forward(x_t, h, c, **weights)
            if t == steps - k:               # step T-k, counting the first step as 0
                c = c + delta
                h = cache.o * np.tanh(c)
        return c[0]

    jacobian = np.empty((H, H))
    for j in range(H):
        nudge = np.zeros((1, H))
        nudge[0, j] = 1e-6
        jacobian[:, j] = (final_cell(nudge) - final_cell(-nudge)) / 2e-6
    assert found["full"][k - 1] == pytest.approx(np.linalg.norm(jacobian, 2), rel=1e-6)
    # the direct path alone is the product of the last k forget gates: smaller here
    assert found["direct"][k - 1] < found["full"][k - 1]
    # its norm is the product's largest entry: the unit whose gates stay most open
    assert found["forget"].shape == (steps + 1, H)
    assert found["direct"][k - 1] == pytest.approx(np.prod(found["forget"][-k:], axis=0).max())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_language_state_agrees_with_the_layer(cell):
    task = training.LanguageTask(6)
    x, labels = task.batch(200, np.random.default_rng(0))
    biases = {"input_bias": -2.0, "forget_bias": 2.0} if cell == "lstm" else {}
    model = training.SequenceModel(cell, task.input_size, 8, task.output_size,
                                   dtype=np.float64, seed=0, **biases)
    state = language.state(model, x, labels)
    output, final = model.recurrent(x)
    h = output[-1]
    within = sum(((h[labels == k] - h[labels == k].mean(axis=0)) ** 2).sum(axis=0)
                 for k in np.unique(labels)) / len(labels)
    assert state["share"] == pytest.approx(np.mean(1 - within / h.var(axis=0)))
    if cell == "lstm":
        c_n = final[1][0]
        assert state["cell"] == pytest.approx(np.abs(c_n).mean())
        assert state["slope"] == pytest.approx(np.mean(1 - np.tanh(c_n) ** 2))


def test_language_state_reads_shut_and_open_gates():
    task = training.LanguageTask(6)
    x, labels = task.batch(50, np.random.default_rng(1))
    shut = training.SequenceModel("lstm", task.input_size, 8, task.output_size,
                                  input_bias=-40.0, forget_bias=40.0, seed=0)
    state = language.state(shut, x, labels)
    assert state["written_word"] < 1e-15 and state["written_filler"] < 1e-15
    assert state["kept"] == pytest.approx(1.0) and state["cell"] < 1e-15


def test_language_training_trace_records_every_evaluation():
    trace = language.training_trace("lstm", -5.0, 5.0, fillers=3, steps=20, every=10)
    assert trace["step"] == [0, 10, 20]
    assert set(trace) == {"step", "written_word", "written_filler", "kept", "share", "cell",
                          "slope", "accuracy"}
    assert all(len(values) == 3 for values in trace.values())
