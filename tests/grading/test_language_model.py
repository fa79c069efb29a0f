"""The language_model assignment's own computations, each held to a second formulation written
here: the windows to the index formula, SplitMix64 to its published outputs, the sampler to a
cumulative sum and to the distribution it samples, the masked loss to a loop and to central
differences, the course's training step to one written out, the held-out perplexity to one
pass over whole rows; and the notebook to the checks' constants and data."""

import math
import re

import nbformat
import numpy as np
import pytest

import rnncore
from rnncourse.experiments.language_models import shakespeare_text
from rnncourse.grading import load_checks
from rnncourse.manifest import ROOT

from .test_checks import model_answers, run_part

checks = load_checks("language_model")


# -- Part 1 ------------------------------------------------------------------------------------

def windows_by_index(ids, B, T):
    """x[t, b] = ids[b L + kT + t] and y one token later, one number at a time."""
    L = (len(ids) - 1) // B
    windows = []
    for start in range(0, L, T):
        steps = range(start, min(start + T, L))
        windows.append((np.array([[ids[b * L + s] for b in range(B)] for s in steps]),
                        np.array([[ids[b * L + s + 1] for b in range(B)] for s in steps])))
    return windows


@pytest.mark.parametrize("N,B,T", [(103, 4, 6), (100, 4, 5), (20, 1, 6), (21, 4, 8), (73, 4, 3),
                                   (13, 3, 1), (11, 2, 3)])
def test_the_windows_are_the_index_formula(N, B, T):
    ids = np.random.default_rng(N).integers(0, 50, size=N)
    want = windows_by_index(ids, B, T)
    got = checks.course_stream_windows(ids, B, T)
    assert len(got) == len(want) == math.ceil(((N - 1) // B) / T)
    for (x, y), (want_x, want_y) in zip(got, want):
        np.testing.assert_array_equal(x, want_x)
        np.testing.assert_array_equal(y, want_y)
    x, y = checks._joined(got)
    if B > 1 and len(got) > 1:        # one stream or one window leaves no rows to deal out
        for why, (slip_x, slip_y) in checks._stream_slips(ids, B, T):
            assert slip_x.shape == x.shape and (np.any(slip_x != x) or np.any(slip_y != y)), why


def test_the_notebooks_example():
    (first, second) = checks.course_stream_windows(np.arange(11), 2, 3)
    assert first[0].tolist() == [[0, 5], [1, 6], [2, 7]] and \
        first[1].tolist() == [[1, 6], [2, 7], [3, 8]]
    assert second[0].tolist() == [[3, 8], [4, 9]] and second[1].tolist() == [[4, 9], [5, 10]]


# -- Part 2 ------------------------------------------------------------------------------------

def loss_by_loop(logits, targets, mask):
    total, count = 0.0, 0.0
    for t in range(logits.shape[0]):
        for b in range(logits.shape[1]):
            if mask[t, b]:
                row = logits[t, b].tolist()
                top = max(row)
                log_z = top + math.log(sum(math.exp(v - top) for v in row))
                total += log_z - row[targets[t, b]]
                count += 1
    return total / count


@pytest.mark.parametrize("shape", [{}, {"scale": 1000.0}, {"counted": 1.1}, {"counted": 0.0},
                                   {"T": 8, "B": 5, "V": 65}], ids=str)
def test_the_masked_loss_is_a_loop_and_its_gradient_central_differences(shape):
    problem = checks.cross_entropy_problem(7, **shape)
    loss, dlogits = checks.course_masked_cross_entropy(**problem)
    assert loss == pytest.approx(loss_by_loop(**problem), rel=1e-12)
    if shape.get("scale", 1.0) > 1 or shape.get("V", 6) > 6:
        return                                   # the differences below need small logits
    numerical, step = np.zeros_like(problem["logits"]), 1e-6
    for index in np.ndindex(problem["logits"].shape):
        for sign in (1, -1):
            moved = problem["logits"].copy()
            moved[index] += sign * step
            numerical[index] += sign * loss_by_loop(moved, problem["targets"], problem["mask"])
    np.testing.assert_allclose(dlogits, numerical / (2 * step), atol=1e-8)


def test_the_perplexity_of_a_uniform_guess_is_the_vocabulary_size():
    problem = checks.cross_entropy_problem(1, V=65)
    problem["logits"] = np.zeros_like(problem["logits"])
    loss, _ = checks.course_masked_cross_entropy(**problem)
    assert math.exp(loss) == pytest.approx(65, rel=1e-12)


# -- Part 3 ------------------------------------------------------------------------------------

def splitmix64(seed, count):
    """SplitMix64's outputs in NumPy's wrapping uint64 arithmetic."""
    state, out = np.uint64(seed), []
    with np.errstate(over="ignore"):
        for _ in range(count):
            state = state + np.uint64(0x9E3779B97F4A7C15)
            z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            out.append(int(z ^ (z >> np.uint64(31))))
    return out


def test_splitmix64_gives_the_published_outputs():
    """Vigna's splitmix64.c, seeded with 0, starts with 0xe220a8397b1dcdaf."""
    rng = rnncore.SplitMix64(0)
    assert rng.next_uint64() == 0xE220A8397B1DCDAF
    for seed in (0, 1, 2 ** 64 - 1, 1234567):
        rng = checks.reference.SplitMix64(seed)
        assert [rng.next_uint64() for _ in range(5)] == splitmix64(seed, 5)
        assert checks.draws_made(seed, rng.state) == 5
    rng = checks.reference.SplitMix64(3)
    assert rng.random() == (splitmix64(3, 1)[0] >> 11) / 2 ** 53
    assert checks.draws_made(3, rng.state) == 1 and checks.draws_made(3, 3) == 0


def sample_by_cumsum(logits, temperature, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    running = np.cumsum(np.exp((logits - logits.max()) / temperature))
    return min(int(np.searchsorted(running, rng.random() * running[-1], side="right")),
               len(logits) - 1)


@pytest.mark.parametrize("seed,problem", [(0, {}), (1, {"temperatures": (0.0,), "ties": True}),
                                          (2, {"scale": 800.0, "temperatures": (0.5, 1.0, 3.0)}),
                                          (3, {"temperatures": (0.05, 0.2)}), (4, {"V": 1}),
                                          (5, {"V": 65, "draws": 4})], ids=str)
def test_the_sampler_is_a_cumulative_sum(seed, problem):
    for logits, temperature, rng_seed in checks.sample_problem(seed, **problem):
        want = sample_by_cumsum(logits, temperature, checks.reference.SplitMix64(rng_seed))
        assert checks.reference.sample_index(logits, temperature,
                                             checks.reference.SplitMix64(rng_seed)) == want


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_the_sampler_draws_from_softmax_over_the_temperature(temperature):
    logits = np.array([1.0, -0.5, 0.3, 2.0, 0.0])
    rng, n = rnncore.SplitMix64(11), 20000
    counts = np.bincount([rnncore.sample_index(logits, temperature, rng) for _ in range(n)],
                         minlength=len(logits))
    p = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
    assert np.all(np.abs(counts / n - p) < 4 * np.sqrt(p * (1 - p) / n))


def test_every_likely_cause_of_sampling_differs_from_the_answer_somewhere():
    cases = checks.sample_problem(0) + checks.sample_problem(1, temperatures=(0.0,), ties=True) \
        + checks.sample_problem(2, scale=800.0, temperatures=(0.5, 1.0, 3.0))
    differs = set()
    for logits, temperature, rng_seed in cases:
        want = checks.reference.sample_index(logits, temperature,
                                             checks.reference.SplitMix64(rng_seed))
        u = checks.reference.SplitMix64(rng_seed).random()
        differs |= {why for why, token in checks._slipped_samples(logits, temperature, u).items()
                    if token != want}
    assert differs == {checks.AFTER_SOFTMAX, checks.MULTIPLIED, checks.UNSCALED,
                       checks.UNSHIFTED, checks.TIES_LAST}


# -- Part 4 ------------------------------------------------------------------------------------

def step_written_out(model, x, y, state, clip, lr):
    """Forward, the loss's gradient by hand, backward, the norm of every gradient together,
    and p -= lr * g."""
    logits, next_state = model(x, state)
    T, B, V = logits.shape
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    loss = -np.log(p[np.arange(T)[:, None], np.arange(B)[None, :], y]).mean()
    p[np.arange(T)[:, None], np.arange(B)[None, :], y] -= 1.0
    model.backward(p / (T * B))
    norm = math.sqrt(sum(float((g * g).sum()) for g in model.grads.values()))
    scale = min(1.0, clip / (norm + 1e-6))
    for name, param in model.params.items():
        param -= lr * scale * model.grads[name]
    return loss, next_state


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("clip", [0.05, 100.0])
def test_the_course_step_is_the_step_written_out(cell, clip):
    model, optimizer, windows = checks.train_step_problem(3, cell=cell)
    mine, _, _ = checks.train_step_problem(3, cell=cell)
    state = mine_state = None
    for x, y in windows:
        loss, state = checks.course_train_step(model, optimizer, x, y, state, clip)
        want_loss, mine_state = step_written_out(mine, x, y, mine_state, clip, lr=0.5)
        assert loss == pytest.approx(want_loss, rel=1e-12)
        for name, value in mine.params.items():
            np.testing.assert_allclose(model.params[name], value, rtol=1e-12, atol=1e-14)
    for got, want in zip(checks._states(state), checks._states(mine_state)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


BUFFERED = '''
def train_step(model, optimizer, x, y, state, clip):
    logits, next_state = model(x, state)
    loss, dlogits = masked_cross_entropy(logits, y, np.ones(y.shape))
    model.backward(dlogits)
    clip_grad_norm(model, clip)
    optimizer.step()
    held = train_step.__dict__.setdefault("held", [np.empty_like(s) for s in next_state])
    for h, s in zip(held, next_state):       # one set of arrays, filled at every window
        h[...] = s
    return loss, tuple(held)
'''


def test_a_state_kept_in_one_buffer_is_named():
    """The state returned for one window is what the caller passes to the next: a call that
    fills the same arrays again changes it under the caller (not cut from the next window)."""
    source = model_answers("language_model")["masked_cross_entropy"] + BUFFERED
    score, printed = run_part("language_model", "from rnncore import clip_grad_norm\n" + source,
                              "train_step_case", seed=0)
    assert score == 0, printed
    assert "train_step changed its argument `state` in place" in printed, printed
    assert "the state the previous window left must stay as it was" in printed


def test_a_step_that_calls_rnncores_loss_earns_nothing():
    source = model_answers("language_model")["train_step"].replace(
        "masked_cross_entropy(logits, y, np.ones(y.shape))",
        "rnncore.softmax_cross_entropy(logits, y)")
    score, printed = run_part("language_model", "import rnncore\nfrom rnncore import "
                              "clip_grad_norm\n" + source, "train_step_case", seed=0)
    assert score == 0 and "runs the course's own code (losses.py:softmax_cross_entropy" in \
        printed, printed


# -- Part 5 ------------------------------------------------------------------------------------

def test_the_checks_read_the_split_the_notebook_reads():
    vocab_size, train_ids, held_out = checks.shakespeare_ids()
    train_text, validation_text = shakespeare_text()
    vocabulary = sorted(set(train_text + validation_text))
    assert vocab_size == len(vocabulary) == 65
    assert "".join(vocabulary[k] for k in train_ids) == train_text
    assert "".join(vocabulary[k] for k in held_out) == validation_text[:len(held_out)]


def test_the_held_out_perplexity_is_one_pass_over_whole_rows():
    """The state carried from window to window gives what one forward pass over each whole
    row gives."""
    vocab_size, train_ids, held_out = checks.shakespeare_ids()
    weights = checks.course_train_model(train_ids, vocab_size, 5)
    model = checks.built(vocab_size)
    model.load_state_dict(weights)
    (x, y), = rnncore.stream_windows(held_out, checks.HELD_OUT_STREAMS, len(held_out))
    with checks.reference.no_grad():
        logits, _ = model(x)
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    want = math.exp(-np.log(picked).mean())
    assert checks.held_out_perplexity(weights, vocab_size, held_out) == \
        pytest.approx(want, rel=1e-10)


def test_the_course_run_clears_the_threshold_with_room():
    vocab_size, train_ids, held_out = checks.shakespeare_ids()
    weights = checks.course_train_model(train_ids, vocab_size, checks.STEPS)
    value = checks.held_out_perplexity(weights, vocab_size, held_out)
    assert value < checks.THRESHOLD - 1.0, value
    untrained = checks.held_out_perplexity(checks.built(vocab_size).state_dict(), vocab_size,
                                           held_out)
    assert untrained > 50


# -- the notebook --------------------------------------------------------------------------------

def cell(folder, grade_id):
    notebook = nbformat.read(str(ROOT / folder / "language_model" / "language_model.ipynb"), 4)
    (found,) = [c for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return found.source


def test_the_notebook_states_the_checks_constants():
    assert cell("exercises", "setup") == cell("solutions", "setup")
    namespace = {}
    exec(cell("solutions", "setup").split("# Tiny Shakespeare")[0], namespace)
    for name in ("EMBEDDING", "HIDDEN", "BATCH", "WINDOW", "LEARNING_RATE", "CLIP", "STEPS",
                 "SEED"):
        assert namespace[name] == getattr(checks, name), name
    hidden = cell("solutions", "test_train_model")
    assert f"steps={checks.STEPS}, threshold={checks.THRESHOLD}" in hidden
    text = "\n".join(c.source for c in nbformat.read(
        str(ROOT / "solutions" / "language_model" / "language_model.ipynb"), 4).cells
        if c.cell_type == "markdown")
    assert f"**below {checks.THRESHOLD:g}**" in text
    assert re.search(r"`STEPS` = (\d+)", text).group(1) == str(checks.STEPS)
