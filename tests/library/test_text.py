"""rnncore.text: truncated-BPTT windows, the character language model, exact sampling."""

import math

import numpy as np
import pytest

import rnncore
from rnncore.text import LanguageModel, SplitMix64, generate, sample_index, stream_windows


def test_windows_continue_each_row_and_shift_the_targets():
    ids = np.arange(103)
    windows = stream_windows(ids, batch_size=4, window=7)
    L = (103 - 1) // 4                                   # 25 steps a row, the tail dropped
    assert len(windows) == math.ceil(L / 7) and windows[-1][0].shape == (L % 7, 4)
    rows = np.concatenate([x for x, _ in windows]).T     # (B, L): each row read in order
    targets = np.concatenate([y for _, y in windows]).T
    for b in range(4):
        np.testing.assert_array_equal(rows[b], ids[b * L:(b + 1) * L])
        np.testing.assert_array_equal(targets[b], ids[b * L + 1:(b + 1) * L + 1])


def test_windows_refuse_bad_input():
    with pytest.raises(ValueError, match=r"ids: expected at least batch_size \+ 1 = 5"):
        stream_windows(np.arange(4), 4, 2)
    with pytest.raises(ValueError, match="window"):
        stream_windows(np.arange(40), 4, 0)
    with pytest.raises((TypeError, ValueError), match="ids"):
        stream_windows(np.arange(40.0), 4, 2)


def splitmix64_numpy(seed, n):
    """The same generator with NumPy's wrapping uint64 arithmetic, all n outputs at once."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * \
            np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@pytest.mark.parametrize("seed", [0, 1, 2 ** 64 - 1, 123456789])
def test_splitmix64_matches_a_vectorised_twin(seed):
    rng = SplitMix64(seed)
    ours = [rng.next_uint64() for _ in range(500)]
    assert ours == [int(v) for v in splitmix64_numpy(seed, 500)]


def test_splitmix64_first_outputs_are_the_published_ones():
    # The reference implementation's first outputs from state 0 (Vigna's splitmix64.c).
    rng = SplitMix64(0)
    assert [rng.next_uint64() for _ in range(3)] == [
        0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_random_is_in_the_unit_interval_with_53_bits():
    rng = SplitMix64(7)
    draws = [rng.random() for _ in range(2000)]
    assert all(0 <= u < 1 for u in draws)
    assert all((u * 2 ** 53).is_integer() for u in draws)
    assert abs(np.mean(draws) - 0.5) < 0.03


def sample_numpy(logits, temperature, u):
    """The inverse-CDF draw written with NumPy's cumulative sum and a binary search."""
    weights = np.exp((logits - logits.max()) / temperature)
    cumulative = np.cumsum(weights)
    return min(int(np.searchsorted(cumulative, u * cumulative[-1], side="right")),
               len(logits) - 1)


@pytest.mark.parametrize("temperature", [0.2, 0.7, 1.0, 1.9])
def test_sampling_agrees_with_an_independent_draw(temperature):
    logits = np.random.default_rng(3).normal(scale=3, size=40)
    ours, twin = SplitMix64(11), SplitMix64(11)
    for _ in range(300):
        assert sample_index(logits, temperature, ours) == \
            sample_numpy(logits, temperature, twin.random())


def test_sampling_follows_the_softmax_of_the_scaled_logits():
    logits = np.array([1.0, 0.0, -1.0, 2.0])
    rng, n = SplitMix64(5), 40_000
    counts = np.bincount([sample_index(logits, 0.5, rng) for _ in range(n)], minlength=4)
    p = np.exp(logits / 0.5) / np.exp(logits / 0.5).sum()
    assert np.all(np.abs(counts / n - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12)


def test_temperature_zero_takes_the_argmax_and_draws_nothing():
    rng = SplitMix64(9)
    assert sample_index(np.array([0.1, 3.0, 3.0, -2.0]), 0, rng) == 1
    assert rng.state == 9


@pytest.mark.parametrize("bad,match", [(-0.1, "temperature"), (math.inf, "temperature"),
                                       (math.nan, "temperature"), (True, "temperature")])
def test_sampling_refuses_bad_temperatures(bad, match):
    with pytest.raises(ValueError, match=match):
        sample_index(np.zeros(3), bad, SplitMix64(0))


def test_sampling_refuses_another_generator():
    with pytest.raises(TypeError, match="rng: expected a SplitMix64, got Generator"):
        sample_index(np.zeros(3), 1.0, np.random.default_rng(0))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("conditions", [0, 3])
def test_language_model_gradients(cell, conditions):
    model = LanguageModel(7, 3, 4, 2, cell, conditions=conditions, dtype=np.float64, seed=1)
    if conditions:
        model.params["initial_state"] = np.random.default_rng(0).normal(
            size=model.params["initial_state"].shape)
    ids = np.random.default_rng(1).integers(0, 7, (5, 3))
    condition = np.array([0, 2, 2]) if conditions else None
    dlogits = np.random.default_rng(2).normal(size=(5, 3, 7))
    model(ids, condition=condition)
    model.backward(dlogits)
    errors = rnncore.gradient_check(
        lambda: np.sum(model(ids, condition=condition)[0] * dlogits), model.params,
        {k: v.copy() for k, v in model.grads.items()})
    assert max(errors.values()) < 1e-6, rnncore.format_report(errors)


def test_carrying_the_state_reads_the_stream_as_one_sequence():
    model = LanguageModel(9, 4, 6, 2, "lstm", dtype=np.float64, seed=3)
    ids = np.random.default_rng(4).integers(0, 9, (12, 2))
    with rnncore.no_grad():
        whole, _ = model(ids)
        first, state = model(ids[:5])
        second, _ = model(ids[5:], state)
    np.testing.assert_allclose(np.concatenate([first, second]), whole, rtol=1e-12)


def test_dropout_zeroes_the_readouts_input_while_training_only():
    model = LanguageModel(5, 3, 40, dropout=0.5, dtype=np.float64, seed=0)
    plain = LanguageModel(5, 3, 40, dtype=np.float64, seed=0)
    ids = np.zeros((1, 1), dtype=np.int64)        # one position: one keep mask over 40 units
    dlogits = np.ones((1, 1, 5))
    with rnncore.no_grad():
        np.testing.assert_allclose(model(ids)[0], plain(ids)[0])
    noisy, _ = model(ids)
    assert not np.allclose(noisy, plain(ids)[0])
    model.backward(dlogits)
    # The readout's weight gradient sums h * keep: about half the units contribute nothing.
    zeroed = np.isclose(model.grads["readout.weight"], 0).all(axis=0)
    assert 0.2 < zeroed.mean() < 0.8
    model.training = False
    np.testing.assert_allclose(model(ids)[0], plain(ids)[0])


@pytest.mark.parametrize("kwargs,match", [
    ({"dropout": 1.0}, "dropout: expected a number from 0 up to"),
    ({"conditions": -1}, "conditions: expected an int >= 0, got -1"),
    ({"cell": "transformer"}, "cell"),
])
def test_language_model_refuses_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LanguageModel(5, 3, 4, **kwargs)


def test_condition_needs_a_conditioned_model_and_not_a_state_too():
    model = LanguageModel(5, 3, 4, conditions=2, seed=0)
    with pytest.raises(ValueError, match="state, condition: give one or the other"):
        model(np.zeros((2, 1), dtype=np.int64), model.initial_state(np.array([0])),
              condition=np.array([1]))
    with pytest.raises(ValueError, match="conditions=0"):
        LanguageModel(5, 3, 4, seed=0)(np.zeros((2, 1), dtype=np.int64),
                                       condition=np.array([0]))
    with pytest.raises(ValueError, match="condition"):
        model(np.zeros((2, 1), dtype=np.int64), condition=np.array([2]))


def manual_generate(model, prompt, length, temperature, seed, condition=None, forced=()):
    """generate() as a plain loop over whole-prefix forward passes (no carried state)."""
    rng, forced, text = SplitMix64(seed), dict(forced), list(prompt)
    model64 = LanguageModel(model.vocab_size, model.embedding.embedding_dim,
                            model.recurrent.hidden_size, model.recurrent.num_layers, model.cell,
                            model.conditions, dtype=np.float64, seed=0)
    model64.load_state_dict(model.state_dict())
    with rnncore.no_grad():
        for position in range(length):
            logits, _ = model64(np.array(text)[:, None],
                                condition=None if condition is None else np.array([condition]))
            text.append(forced[position] if position in forced else
                        sample_index(logits[-1, 0], temperature, rng))
    return text[len(prompt):]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("temperature", [0, 0.6, 1.3])
def test_generate_equals_rereading_the_whole_prefix(cell, temperature):
    model = LanguageModel(11, 4, 8, 2, cell, conditions=2, seed=2)
    model.params["initial_state"] = np.random.default_rng(1).normal(
        size=model.params["initial_state"].shape)
    forced = {3: 5, 7: 1}
    ours = generate(model, [1, 2], 12, temperature, seed=4, condition=1, forced=forced)
    assert ours == manual_generate(model, [1, 2], 12, temperature, 4, 1, forced)
    assert ours[3] == 5 and ours[7] == 1


def test_generate_refuses_an_empty_prompt_and_unknown_tokens():
    model = LanguageModel(5, 3, 4, seed=0)
    with pytest.raises(ValueError, match="prompt: expected at least one token"):
        generate(model, [], 3, 1.0, seed=0)
    with pytest.raises(ValueError, match="prompt"):
        generate(model, [7], 3, 1.0, seed=0)
    with pytest.raises(ValueError, match="forced"):
        generate(model, [1], 3, 1.0, seed=0, forced={0: 9})
