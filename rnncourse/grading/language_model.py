"""The language_model assignment's checks: a text stream cut into windows for truncated BPTT,
the masked cross-entropy and the perplexity, sampling with a temperature (exactly, from a
SplitMix64), one training step that carries the state from window to window, and a short
training run on tiny Shakespeare; the course's versions of the earlier parts; and the
catalogue.

Parts 4 and 5 use what the notebook imports from rnncore (``LanguageModel``, ``Adam``,
``clip_grad_norm``): while they are checked, those names hold the checks' private copies
(:func:`.framework.with_course_copies`), and the model and optimizer a check hands over are
built from the same copy."""

import copy
import functools
import math
from pathlib import Path

import numpy as np

from .catalogue import Mistake as M
from .framework import (
    CheckFailed,
    Part,
    compare,
    compare_all,
    course_code,
    describe_error,
    graded_on_its_own,
    guard,
    learner,
    learner_frames,
    note,
    reference,
    with_course_copies,
)
from .messages import say

__all__ = ["Part", "stream_windows_case", "masked_cross_entropy_case", "perplexity_case",
           "sample_index_case", "train_step_case", "train_model_case"]

# What the notebook imports from rnncore for Parts 4 and 5, by the names it imports them as.
COPIES = {"LanguageModel": reference.LanguageModel, "Adam": reference.Adam,
          "clip_grad_norm": reference.clip_grad_norm, "SplitMix64": reference.SplitMix64,
          "generate": reference.generate}

# The model and the run of Part 5, as the notebook's setup cell states them (a test holds the
# two equal), and the threshold its hidden check holds the held-out perplexity to: the model
# answer reaches 8.59, a bigram count table 11.9, a unigram one 28.
EMBEDDING, HIDDEN, BATCH, WINDOW = 16, 64, 64, 16
LEARNING_RATE, CLIP, STEPS, SEED = 0.02, 1.0, 100, 0
THRESHOLD = 10.0
HELD_OUT_STREAMS, HELD_OUT_WINDOW, HELD_OUT_LENGTH = 8, 256, 8 * 1024 + 1


def _plain(name, value):
    """A learner's array as a plain float64 array built by the course (read through the genuine
    ndarray type), or CheckFailed naming what it is instead."""
    try:
        shape, values, _ = guard.as_numbers(value)
    except guard.NotNumbers as problem:
        raise CheckFailed(f"{name}: {problem}") from None
    return np.array(values, dtype=np.float64).reshape(shape)


def _pair(name, result, first, second):
    """``result`` as a pair (a tuple or list of two), or CheckFailed saying what it is."""
    if type(result) not in (tuple, list) or len(result) != 2:
        if type(result) in (tuple, list):
            raise CheckFailed(say("expected {name} to return the pair ({first}, {second}), got "
                                  "a {kind} of {count}", name=name, first=first, second=second,
                                  kind=type(result).__name__, count=len(result)))
        raise CheckFailed(say("expected {name} to return the pair ({first}, {second}), got "
                              "{kind}", name=name, first=first, second=second,
                              kind=type(result).__name__))
    return result


# -- Part 1: the stream cut into windows -------------------------------------------------------

def course_stream_windows(ids, batch_size, window):
    return reference.stream_windows(ids, batch_size, window)


def _joined(windows):
    """The windows' inputs and targets joined along time: two (L, B) arrays."""
    return tuple(np.concatenate([pair[k] for pair in windows]) for k in (0, 1))


def _cut_before_rows(ids, B, T):
    """The windows of a stream cut into blocks of B * T tokens first, each block then dealt
    into B rows: row b of one window does not continue where it stopped in the one before."""
    L = (len(ids) - 1) // B
    windows = []
    for start in range(0, L, T):
        t = min(T, L - start)
        block = slice(B * start, B * (start + t))
        windows.append((ids[block].reshape(B, t).T,
                        ids[block.start + 1:block.stop + 1].reshape(B, t).T))
    return windows


def _stream_slips(ids, B, T):
    """(explanation, (x joined, y joined)) for the usual slips in cutting the stream."""
    L = (len(ids) - 1) // B
    x, y = ids[:B * L], ids[1:B * L + 1]
    return [
        (say("the targets are not shifted: y[t, b] is the token after x[t, b], the inputs "
             "shifted by one"), (x.reshape(B, L).T, x.reshape(B, L).T)),
        (say("each row must be one contiguous stretch of the text: reshape the stream to "
             "(B, L), one row per stream, not to (L, B), which deals the tokens out to the rows "
             "in turn"),
         (x.reshape(L, B), y.reshape(L, B))),
        (say("row b of a window must continue where row b of the window before it stopped: "
             "split the stream into B rows first, then cut every row into windows of T"),
         _joined(_cut_before_rows(ids, B, T)))]


RESHAPE_HINT = say(". Hint: each row needs one token more than it reads, the target of its "
                   "last input, so a row holds L = (N - 1) // B inputs")


def stream_windows_case(fn, seed, N=103, B=4, T=6):
    """The learner's stream_windows on N random token ids against rnncore's, every window."""
    ids = np.random.default_rng(seed).integers(0, 50, size=N)
    want = reference.stream_windows(ids, B, T)
    try:
        got = learner(fn, ids=ids, batch_size=B, window=T)
    except ValueError as error:
        if "reshape" not in str(error) or not learner_frames(error):
            raise
        raise CheckFailed(describe_error(error) + RESHAPE_HINT) from None
    if type(got) not in (list, tuple) or \
            any(type(pair) not in (tuple, list) or len(pair) != 2 for pair in got):
        if type(got) in (list, tuple):
            raise CheckFailed(say("expected a list of (x, y) pairs, one per window, got {kind} "
                                  "of other things", kind=type(got).__name__))
        raise CheckFailed(say("expected a list of (x, y) pairs, one per window, got {kind}",
                              kind=type(got).__name__))
    windows = [(_plain(say("x of window {k}", k=k), x), _plain(say("y of window {k}", k=k), y))
               for k, (x, y) in enumerate(got)]
    L = (N - 1) // B
    if len(windows) != len(want):
        if len(windows) == L // T and L % T:
            raise CheckFailed(say(
                "expected {want} windows, got {got}. Likely cause: the last window, shorter "
                "than T, is missing: keep it (the rows hold L = {L} inputs, {full} windows of "
                "{T} and one of {rest})", want=len(want), got=len(windows), L=L, full=L // T,
                T=T, rest=L % T))
        raise CheckFailed(say("expected {want} windows, got {got}", want=len(want),
                              got=len(windows)))
    for k, ((x, y), (want_x, want_y)) in enumerate(zip(windows, want)):
        if x.shape != want_x.shape or y.shape != want_y.shape:
            compare_all([(say("x of window {k}", k=k), x, want_x, ()),
                         (say("y of window {k}", k=k), y, want_y, ())])
    x, y = _joined(windows)
    want_x, want_y = _joined(want)
    slips = _stream_slips(ids, B, T)
    compare_all([(say("x, the windows joined along time"), x, want_x,
                  [(why, alternative[0]) for why, alternative in slips]),
                 (say("y, the windows joined along time"), y, want_y,
                  [(why, alternative[1]) for why, alternative in slips])])


# -- Part 2: the masked cross-entropy and the perplexity ---------------------------------------

def course_masked_cross_entropy(logits, targets, mask):
    return reference.softmax_cross_entropy(logits, targets, mask)


def cross_entropy_problem(seed, T=4, B=3, V=6, scale=1.0, counted=0.6):
    """logits (T, B, V), targets (T, B) and a mask (T, B) of 1.0 and 0.0 that counts a share
    ``counted`` of the positions: different numbers in every row and column (so that a mean
    taken per sequence or per step gives other numbers), and at least one."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(T, B, V)) * scale
    targets = rng.integers(0, V, size=(T, B))
    mask = (rng.random((T, B)) < counted).astype(np.float64)
    mask[0, 0] = 1.0
    return {"logits": logits, "targets": targets, "mask": mask}


def per_position(logits, targets):
    """-log softmax(logits)[target] at every position, (T, B)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]


def masked_cross_entropy_case(fn, seed, **shape):
    problem = cross_entropy_problem(seed, **shape)
    mask = problem["mask"]
    want_loss, want_d = reference.softmax_cross_entropy(**problem)
    loss_all, d_all = reference.softmax_cross_entropy(problem["logits"], problem["targets"])
    count, size = mask.sum(), mask.size
    unmasked_d = d_all * size / count
    loss, dlogits = _pair("masked_cross_entropy", learner(fn, **problem), "loss", "dlogits")
    ignored = say("the mask is ignored: only the positions where mask is 1 count, in the sum and "
                  "in the count that divides it")
    every = say("the sum is divided by every position; divide by the number of counted ones, "
                "mask.sum()")
    compare_all([
        (say("loss"), loss, want_loss, [
            (ignored, loss_all),
            (every, want_loss * count / size),
            (say("the loss is the sum over the counted positions; it is their mean"),
             want_loss * count)]),
        ("dlogits", dlogits, want_d, [
            (ignored, d_all),
            (every, want_d * count / size),
            (say("the gradient is not divided by the number of counted positions: the loss is "
                 "their mean, so each one's gradient is (softmax - one_hot) / mask.sum()"),
             want_d * count),
            (say("the gradient is not masked: a position that does not count has no gradient"),
             unmasked_d)])])


def perplexity_case(fn, seed, **shape):
    problem = cross_entropy_problem(seed, **shape)
    mask = problem["mask"]
    loss, _ = reference.softmax_cross_entropy(**problem)
    losses = per_position(problem["logits"], problem["targets"])
    sequences = [b for b in range(mask.shape[1]) if mask[:, b].sum()]
    steps = [t for t in range(mask.shape[0]) if mask[t].sum()]
    causes = [
        (say("the mean of the sequences' perplexities: the perplexity is exp of the mean over "
             "every counted position of the batch at once"),
         np.mean([math.exp((losses[:, b] * mask[:, b]).sum() / mask[:, b].sum())
                  for b in sequences])),
        (say("exp is taken at every position, then averaged: the mean comes first, then exp"),
         (np.exp(losses) * mask).sum() / mask.sum()),
        (say("the mean of the time steps' mean losses: each counted position weighs the same, "
             "so take one mean over all of them"),
         math.exp(np.mean([(losses[t] * mask[t]).sum() / mask[t].sum() for t in steps]))),
        (say("the mask is ignored: only the positions where mask is 1 count"),
         math.exp(losses.mean())),
        (say("2 ** loss: the cross-entropy is in nats (natural logarithms), so the perplexity "
             "is exp(loss)"), 2.0 ** loss),
        (say("the perplexity is exp of the mean cross-entropy, not the cross-entropy itself"),
         loss)]

    def run():
        compare(say("perplexity"), learner(fn, **problem), math.exp(loss),
                likely_causes=causes)
    graded_on_its_own(fn, run, {"masked_cross_entropy": EARLIER["masked_cross_entropy"]},
                      STAND_INS)


# -- Part 3: sampling with a temperature -------------------------------------------------------

GAMMA = 0x9E3779B97F4A7C15          # SplitMix64's step: its state after n draws is seed + n * GAMMA


def draws_made(seed, state):
    """How many numbers a SplitMix64 seeded with ``seed`` has drawn when its state is ``state``
    (None when no number of draws leads there)."""
    if type(state) is not int or not 0 <= state < 2 ** 64:
        return None
    return (state - seed) * pow(GAMMA, -1, 2 ** 64) % 2 ** 64


def _first_past(weights, threshold):
    running = 0.0
    for k, w in enumerate(weights):
        running += w
        if running > threshold:
            return k
    return len(weights) - 1


AFTER_SOFTMAX = say("the temperature is applied after the softmax, where it changes nothing "
                    "once the weights are normalised: divide the logits by it, "
                    "exp((l - max) / T)")
MULTIPLIED = say("the logits are multiplied by the temperature; divide them by it")
UNSCALED = say("the threshold is u itself: the weights are not normalised, so compare their "
               "running sum with u * total")
UNSHIFTED = say("exp overflows: subtract the largest logit first, exp((l - max) / T) (the same "
                "probabilities, and no weight above 1)")
TIES_LAST = say("at temperature 0 the last of the tied largest logits is taken; take the first, "
                "as np.argmax does")
OVERFLOW_HINT = say(". Hint: subtract the largest logit before exp: exp((l - max) / T) never "
                    "overflows, and gives the same probabilities")


class _Draw(reference.SplitMix64):
    """A generator whose one draw is ``u``: the course's sampler run on a slip's draw."""

    def __init__(self, u):
        super().__init__(0)
        self.u = u

    def random(self):
        return self.u


def _slipped_samples(logits, temperature, u):
    """{explanation: token} of the usual slips in sampling, for the draw ``u`` the right answer
    uses (at temperature 0, only the one slip that can differ there)."""
    scores = [float(v) for v in logits]
    top = max(scores)
    if temperature == 0:
        return {TIES_LAST: len(scores) - 1 - scores[::-1].index(top)}
    with np.errstate(over="ignore"):
        unshifted = np.exp(np.array(scores) / temperature).tolist()
    return {AFTER_SOFTMAX: reference.sample_index(logits, 1.0, _Draw(u)),
            MULTIPLIED: reference.sample_index(logits, 1.0 / temperature, _Draw(u)),
            UNSCALED: _first_past([math.exp((v - top) / temperature) for v in scores], u),
            UNSHIFTED: _first_past(unshifted, u * sum(unshifted))}


def sample_problem(seed, V=7, temperatures=(0.0, 0.5, 1.0, 1.7), draws=8, scale=2.0,
                   ties=False):
    """[(logits (V,), temperature, SplitMix64 seed)]: ``draws`` logits vectors, each at every
    temperature; with ``ties``, the largest logit appears twice or more in each."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(draws):
        logits = rng.normal(size=V) * scale
        if ties:
            logits[rng.choice(V, size=min(V, 3), replace=False)] = logits.max() + 1.0
        for temperature in temperatures:
            cases.append((logits, float(temperature), int(rng.integers(2 ** 63)) * 2 + 1))
    return cases


def sample_index_case(fn, seed, **problem):
    """The learner's sample_index on a grid of logits, temperatures and seeds: the same token
    as rnncore's for every one, from the same single draw (none at temperature 0)."""
    cases = sample_problem(seed, **problem)
    got, drawn, wrong_type = [], [], None
    for logits, temperature, rng_seed in cases:
        rng = reference.SplitMix64(rng_seed)
        try:
            token = learner(fn, logits=logits, temperature=temperature, rng=rng,
                            _allow=course_code(reference.SplitMix64))
        except OverflowError as error:
            raise CheckFailed(describe_error(error) + OVERFLOW_HINT) from None
        try:
            shape, (value,), _ = guard.as_numbers(token)
            if shape != () or value != int(value):
                raise guard.NotNumbers("")
        except (guard.NotNumbers, ValueError, OverflowError):
            wrong_type = wrong_type or type(token).__name__
            value = None
        got.append(value)
        drawn.append(draws_made(rng_seed, rng.state))
    if wrong_type:
        raise CheckFailed(say("expected a token id, one int, got {kind}", kind=wrong_type))
    want, slips = [], {why: [] for why in (AFTER_SOFTMAX, MULTIPLIED, UNSCALED, UNSHIFTED,
                                            TIES_LAST)}
    for logits, temperature, rng_seed in cases:
        u = reference.SplitMix64(rng_seed).random()
        want.append(reference.sample_index(logits, temperature, reference.SplitMix64(rng_seed)))
        slipped = _slipped_samples(logits, temperature, u)
        for why, tokens in slips.items():
            tokens.append(slipped.get(why, want[-1]))      # a slip that changes nothing here
    messages = []
    wrong = [k for k, (g, w) in enumerate(zip(got, want)) if g != w]
    if wrong:
        logits, temperature, rng_seed = cases[wrong[0]]
        message = say("token: wrong for {wrong} of {count} draws; the first at temperature "
                      "{temperature:g}, logits {logits}, rng SplitMix64({seed}): expected "
                      "{expected}, got {got:g}", wrong=len(wrong), count=len(cases),
                      temperature=temperature, logits=np.array2string(logits, precision=3),
                      seed=rng_seed, expected=want[wrong[0]], got=got[wrong[0]])
        # a slip is named when it explains every token that differs
        for why, tokens in slips.items():
            if all(got[k] == tokens[k] for k in wrong):
                message += say(". Likely cause: {cause}", cause=why)
                break
        messages.append(message)
    expected = [0 if temperature == 0 else 1 for _, temperature, _ in cases]
    off = [k for k, (d, e) in enumerate(zip(drawn, expected)) if d != e]
    if off:
        k = off[0]
        if drawn[k] is None:
            message = say("draws: at temperature {temperature:g}, an unknown number of numbers "
                          "were drawn from rng; expected {expected} ({off} of {count} calls "
                          "drew otherwise)", temperature=cases[k][1], expected=expected[k],
                          off=len(off), count=len(cases))
        else:
            message = say("draws: at temperature {temperature:g}, {drawn} numbers were drawn "
                          "from rng; expected {expected} ({off} of {count} calls drew "
                          "otherwise)", temperature=cases[k][1], drawn=drawn[k],
                          expected=expected[k], off=len(off), count=len(cases))
        if expected[k] == 0:
            message += say(". Likely cause: temperature 0 takes the most likely token and draws "
                           "nothing: test for it before calling rng.random()")
        elif drawn[k] == 0:
            message += say(". Likely cause: u is not drawn from rng: call rng.random() "
                           "(np.random is another generator, which the checks cannot "
                           "reproduce)")
        else:
            message += say(". Likely cause: call rng.random() once per token")
        messages.append(message)
    if messages:
        raise CheckFailed("\n".join(messages))


# -- Part 4: one training step, the state carried across windows -------------------------------

def course_train_step(model, optimizer, x, y, state, clip, *, from_zeros=False, clipped=True):
    """The course's step (``from_zeros`` and ``clipped`` reproduce two slips)."""
    logits, next_state = model(x, None if from_zeros else state)
    loss, dlogits = reference.softmax_cross_entropy(logits, y)
    model.backward(dlogits)
    if clipped:
        reference.clip_grad_norm(model, clip)
    optimizer.step()
    return loss, next_state


def train_step_problem(seed, cell="lstm", optimizer="sgd", windows=3, T=4, B=3, V=7, E=3,
                       H=5):
    """A float64 LanguageModel, its optimizer (SGD, whose step shows every change in the
    gradients, or Adam) and ``windows`` windows of a random stream."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=B * T * windows + 1)
    model = reference.LanguageModel(V, E, H, cell=cell, dtype=np.float64, seed=seed)
    step = reference.SGD(model, lr=0.5) if optimizer == "sgd" else \
        reference.Adam(model, lr=0.05)
    return model, step, reference.stream_windows(ids, B, T)


def _after(pair, x, y, state, clip, **slip):
    """(loss, next state, parameters) of the course's step on a copy of (model, optimizer)."""
    model, optimizer = copy.deepcopy(pair)
    loss, next_state = course_train_step(model, optimizer, x, y, state, clip, **slip)
    return loss, next_state, model.state_dict()


def _states(state):
    """A state as a tuple of arrays: (h,), or the LSTM's (h, c)."""
    return state if type(state) is tuple else (state,)


STATE_HINT = say(". Hint: the state the previous window left must stay as it was; take the "
                 "new state from what model(x, state) returns")


def train_step_case(fn, seed, clip=0.05, **problem):
    """The learner's train_step over consecutive windows, the state it returns carried to the
    next, against the course's step on a copy of the same model: the loss, the state and the
    parameters after every window. A state that changes while the next window runs (written
    into, or kept in one buffer that every call fills) is the guard's changed argument."""
    def run():
        model, optimizer, windows = train_step_problem(seed, **problem)
        state = None
        for k, (x, y) in enumerate(windows):
            state = _one_step(fn, model, optimizer, x, y, state, clip,
                              say("window {k} of {count}", k=k + 1, count=len(windows)))
    graded_on_its_own(fn, run, {"masked_cross_entropy": EARLIER["masked_cross_entropy"]},
                      STAND_INS)


def _changed_state(fn, failure):
    """Whether ``failure`` is the guard's verdict that ``fn`` changed its argument `state` in
    place, in any language: it names `state` in backticks, and ``fn`` takes a parameter
    ``state`` (so the message is not the one that names the parameters ``fn`` lacks)."""
    accepted = guard.parameters(fn)
    return "`state`" in str(failure) and (accepted is None or "state" in accepted)


def _one_step(fn, model, optimizer, x, y, state, clip, where):
    """The learner's train_step on one window, against the course's on a copy of the model
    and optimizer; returns the state the learner's returned."""
    pair = (model, optimizer)
    want_loss, want_state, want_params = _after(pair, x, y, state, clip)
    zeros_loss, zeros_state, zeros_params = _after(pair, x, y, state, clip, from_zeros=True)
    _, _, unclipped = _after(pair, x, y, state, clip, clipped=False)

    def call():
        return learner(fn, model=model, optimizer=optimizer, x=x, y=y, state=state, clip=clip,
                       _allow=course_code(type(optimizer)))
    try:
        result = with_course_copies(fn, COPIES, call)
    except CheckFailed as failure:
        if not _changed_state(fn, failure):
            raise
        raise CheckFailed(str(failure) + STATE_HINT) from None
    loss, next_state = _pair("train_step", result, "loss", "next_state")
    if next_state is None:
        raise CheckFailed(say("next_state ({where}): got None. Likely cause: the state returned "
                              "is the one given (None before the first window); return the "
                              "state after this window, the second thing model(x, state) "
                              "returns", where=where))
    if model.cell == "lstm" and (type(next_state) is not tuple or len(next_state) != 2):
        raise CheckFailed(say("next_state ({where}): expected the LSTM's state as "
                              "model(x, state) returns it, the tuple (h, c); got {kind}",
                              where=where, kind=type(next_state).__name__))
    started = state is not None
    zeros = say("the forward starts from zeros, not from the state it is given (the one the "
                "window before left): pass state to model(x, state)")
    given = say("the state returned is the one given; return the state after this window, the "
                "second thing model(x, state) returns")
    comparisons = [(say("loss ({where})", where=where), loss, want_loss,
                    [(zeros, zeros_loss)] if started else [])]
    for name, got, want, from_zeros, old in zip(
            ("h", "c"), _states(next_state), _states(want_state), _states(zeros_state),
            _states(state) if started else (None, None)):
        causes = [(zeros, from_zeros)] if started else []
        if old is not None:
            causes.append((given, old))
        comparisons.append((say("next_state's {name} ({where})", name=name, where=where), got,
                            want, causes))
    for name, want in want_params.items():
        causes = [(say("the optimizer stepped with gradients that were not clipped: call "
                       "clip_grad_norm(model, clip) after model.backward and before "
                       "optimizer.step()"), unclipped[name])]
        if started:
            causes.append((zeros, zeros_params[name]))
        comparisons.append((say("params['{name}'] after the step ({where})", name=name,
                                where=where),
                            model.params[name].copy(), want, causes))
    compare_all(comparisons)
    return next_state


# -- Part 5: a short training run --------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[1] / "experiments" / "corpora" / "tinyshakespeare.txt"


@functools.cache
def shakespeare_ids():
    """(V, training ids, held-out ids): tiny Shakespeare split as nanoGPT splits it, as
    rnncourse.experiments.language_models.shakespeare_text does (a test holds the two equal),
    but read from the file here: the notebook imports that function, so a notebook could
    rebind it, not the file. The held-out ids are the start of the validation text."""
    text = CORPUS.read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    vocabulary = sorted(set(text))
    index = {c: k for k, c in enumerate(vocabulary)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    return len(vocabulary), ids[:cut], ids[cut:cut + HELD_OUT_LENGTH]


def built(vocab_size):
    """The model Part 5 trains, before training."""
    return reference.LanguageModel(vocab_size, EMBEDDING, HIDDEN, seed=SEED, dtype=np.float64)


def course_train_model(train_ids, vocab_size, steps, *, carry=True, first_window=False,
                       new_model=False):
    """The course's run (the keywords reproduce three slips): the model after ``steps``
    steps."""
    windows = reference.stream_windows(train_ids, BATCH, WINDOW)
    model = built(vocab_size)
    optimizer = reference.Adam(model, lr=LEARNING_RATE)
    state = None
    for step in range(steps):
        if new_model:
            model = built(vocab_size)
            optimizer = reference.Adam(model, lr=LEARNING_RATE)
        k = step % len(windows)
        if k == 0 or not carry:
            state = None
        _, state = course_train_step(model, optimizer, *windows[0 if first_window else k],
                                     state, CLIP)
    return model.state_dict()


def held_out_perplexity(weights, vocab_size, ids):
    """exp of the mean cross-entropy per character of a model with these weights on ``ids``,
    read as parallel streams with the state carried from window to window."""
    model = built(vocab_size)
    model.load_state_dict(weights)
    total, count, state = 0.0, 0, None
    with reference.no_grad():
        for x, y in reference.stream_windows(ids, HELD_OUT_STREAMS, HELD_OUT_WINDOW):
            logits, state = model(x, state)
            loss, _ = reference.softmax_cross_entropy(logits, y)
            total, count = total + loss * y.size, count + y.size
    return math.exp(total / count)


def _weights_of(model, vocab_size):
    """The trained weights, checked to be those of the model the notebook asks for."""
    stated = say("`LanguageModel(vocab_size, EMBEDDING, HIDDEN, seed=SEED, dtype=np.float64)`, "
                 "one LSTM layer, here `LanguageModel({vocab_size}, {embedding}, {hidden})`",
                 vocab_size=vocab_size, embedding=EMBEDDING, hidden=HIDDEN)
    if not isinstance(model, reference.LanguageModel):
        raise CheckFailed(say("train_model must return the model it trained, {stated}; got "
                              "{kind}", stated=stated, kind=type(model).__name__))
    weights = reference.Module.state_dict(model)
    shapes = {name: value.shape for name, value in built(vocab_size).params.items()}
    if {name: value.shape for name, value in weights.items()} != shapes:
        raise CheckFailed(say("train_model must train {stated}; the model it returned has "
                              "other parameters", stated=stated))
    return weights


def train_model_case(fn, steps, threshold=None):
    """With ``threshold``, the held-out perplexity of the learner's model after ``steps`` steps
    must be below it; without, its parameters must be those of the course's run."""
    vocab_size, train_ids, held_out = shakespeare_ids()

    def run():
        model = with_course_copies(fn, COPIES, lambda: learner(
            fn, train_ids=train_ids, vocab_size=vocab_size, steps=steps))
        weights = _weights_of(model, vocab_size)
        if threshold is not None:
            value = held_out_perplexity(weights, vocab_size, held_out)
            if not value < threshold:
                raise CheckFailed(say(
                    "the perplexity on the held-out text is {value:.2f}, not below "
                    "{threshold:g}: the model learnt too little in {steps} steps. Check that "
                    "every step reads the next window, with the state the one before left",
                    value=value, threshold=threshold, steps=steps))
            note(say("the perplexity on the held-out text is {value:.2f} (below "
                     "{threshold:g})", value=value, threshold=threshold))
            return
        want = course_train_model(train_ids, vocab_size, steps)
        slips = [(say("the state is not carried from one window to the next: pass the state "
                      "train_step returned to the next call"),
                  course_train_model(train_ids, vocab_size, steps, carry=False)),
                 (say("every step trains on the first window; step k reads window k"),
                  course_train_model(train_ids, vocab_size, steps, first_window=True)),
                 (say("a new model (or optimizer) is built at every step: build them once, "
                      "before the loop"),
                  course_train_model(train_ids, vocab_size, steps, new_model=True))]
        compare_all([(say("params['{name}'] after {steps} steps", name=name, steps=steps),
                      weights[name], value,
                      [(why, slip[name]) for why, slip in slips])
                     for name, value in want.items()])
    graded_on_its_own(fn, run, EARLIER, STAND_INS, probe_first=threshold is not None)


# The probes that decide whether a later part's earlier function is wrong, and the course's
# versions put in its place.
EARLIER = {"stream_windows": lambda f: (stream_windows_case(f, 31),
                                        stream_windows_case(f, 32, N=100, B=4, T=5)),
           "masked_cross_entropy": lambda f: masked_cross_entropy_case(f, 33),
           "train_step": lambda f: train_step_case(f, 34)}
STAND_INS = {"stream_windows": course_stream_windows,
             "masked_cross_entropy": course_masked_cross_entropy,
             "train_step": course_train_step}


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

_ROWS = ("    inputs = ids[:batch_size * L].reshape(batch_size, L)\n"
         "    targets = ids[1:batch_size * L + 1].reshape(batch_size, L)\n")
_WINDOWS = ("    return [(inputs[:, s:s + window].T, targets[:, s:s + window].T)\n"
            "            for s in range(0, L, window)]")
_DRAW = ("    if temperature == 0:\n        return int(np.argmax(logits))\n"
         "    u = rng.random()\n")
_CLIP_AND_STEP = "    clip_grad_norm(model, clip)\n    optimizer.step()\n"
_BUILD = ("    model = LanguageModel(vocab_size, EMBEDDING, HIDDEN, seed=SEED, dtype=np.float64)\n"
          "    optimizer = Adam(model, lr=LEARNING_RATE)\n")

MISTAKES = [
    M("targets not shifted", "stream_windows", "targets = ids[1:batch_size * L + 1]",
      "targets = ids[:batch_size * L]", ("test_stream_windows",)),
    M("rows dealt out in turn", "stream_windows", _ROWS,
      _ROWS.replace(".reshape(batch_size, L)", ".reshape(L, batch_size).T"),
      ("test_stream_windows",)),
    M("windows cut before the rows", "stream_windows", _ROWS + _WINDOWS,
      "    windows = []\n"
      "    for s in range(0, L, window):\n"
      "        t = min(window, L - s)\n"
      "        block = ids[batch_size * s:batch_size * (s + t) + 1]\n"
      "        windows.append((block[:-1].reshape(batch_size, t).T,\n"
      "                        block[1:].reshape(batch_size, t).T))\n"
      "    return windows", ("test_stream_windows",)),
    M("windows batch-major", "stream_windows", "(inputs[:, s:s + window].T, "
      "targets[:, s:s + window].T)", "(inputs[:, s:s + window], targets[:, s:s + window])",
      ("test_stream_windows",)),
    M("last, shorter window dropped", "stream_windows", "range(0, L, window)",
      "range(0, L - window + 1, window)", ("test_stream_windows",)),
    M("no token left for the last target", "stream_windows",
      "L = (len(ids) - 1) // batch_size", "L = len(ids) // batch_size",
      ("test_stream_windows",)),
    M("mask ignored", "masked_cross_entropy", "weights = mask / mask.sum()",
      "weights = np.ones_like(mask) / mask.size", ("test_masked_cross_entropy",)),
    M("divided by every position", "masked_cross_entropy", "weights = mask / mask.sum()",
      "weights = mask / mask.size", ("test_masked_cross_entropy",)),
    M("gradient not divided by the count", "masked_cross_entropy", "* weights[..., None]",
      "* mask[..., None]", ("test_masked_cross_entropy",)),
    M("gradient not masked", "masked_cross_entropy", "* weights[..., None]",
      "/ mask.sum()", ("test_masked_cross_entropy",)),
    M("largest logit not subtracted", "masked_cross_entropy",
      "shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits",
      ("test_masked_cross_entropy",)),
    M("mean of the sequences' perplexities", "perplexity",
      "    loss, _ = masked_cross_entropy(logits, targets, mask)\n    return np.exp(loss)",
      "    counted = [b for b in range(logits.shape[1]) if mask[:, b].sum() > 0]\n"
      "    return np.mean([np.exp(masked_cross_entropy(logits[:, [b]], targets[:, [b]],\n"
      "                                                mask[:, [b]])[0]) for b in counted])",
      ("test_perplexity",)),
    M("exp at every position, then the mean", "perplexity",
      "    loss, _ = masked_cross_entropy(logits, targets, mask)\n    return np.exp(loss)",
      "    shifted = logits - logits.max(axis=-1, keepdims=True)\n"
      "    probs = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)\n"
      "    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]\n"
      "    return (mask / picked).sum() / mask.sum()", ("test_perplexity",)),
    M("mean of the time steps' losses", "perplexity",
      "    loss, _ = masked_cross_entropy(logits, targets, mask)\n    return np.exp(loss)",
      "    counted = [t for t in range(logits.shape[0]) if mask[t].sum() > 0]\n"
      "    return np.exp(np.mean([masked_cross_entropy(logits[[t]], targets[[t]], mask[[t]])[0]\n"
      "                           for t in counted]))", ("test_perplexity",)),
    M("mask ignored in the perplexity", "perplexity",
      "masked_cross_entropy(logits, targets, mask)",
      "masked_cross_entropy(logits, targets, np.ones_like(mask))", ("test_perplexity",)),
    M("perplexity as 2 ** loss", "perplexity", "np.exp(loss)", "2 ** loss",
      ("test_perplexity",)),
    M("temperature after the softmax", "sample_index", "math.exp((v - top) / temperature)",
      "math.exp(v - top) / temperature", ("test_sample_index",)),
    M("logits multiplied by the temperature", "sample_index", "(v - top) / temperature",
      "(v - top) * temperature", ("test_sample_index",)),
    M("threshold not scaled by the total", "sample_index", "threshold = u * total",
      "threshold = u", ("test_sample_index",)),
    M("a draw at temperature 0", "sample_index", _DRAW,
      "    u = rng.random()\n    if temperature == 0:\n        return int(np.argmax(logits))\n",
      ("test_sample_index",)),
    M("exp without the largest subtracted", "sample_index", "math.exp((v - top) / temperature)",
      "math.exp(v / temperature)", ("test_sample_index",)),
    M("drawn from np.random", "sample_index", "u = rng.random()", "u = np.random.random()",
      ("test_sample_index",)),
    M("the last of tied logits at temperature 0", "sample_index", "int(np.argmax(logits))",
      "len(logits) - 1 - int(np.argmax(logits[::-1]))", ("test_sample_index",)),
    M("state not carried", "train_step", "next_state = model(x, state)", "next_state = model(x)",
      ("test_train_step",)),
    M("the given state returned", "train_step", "return loss, next_state",
      "return loss, state", ("test_train_step",)),
    M("gradients not clipped", "train_step", _CLIP_AND_STEP, "    optimizer.step()\n",
      ("test_train_step",)),
    M("clipped after the step", "train_step", _CLIP_AND_STEP,
      "    optimizer.step()\n    clip_grad_norm(model, clip)\n", ("test_train_step",)),
    M("new state written into the given state's arrays", "train_step",
      "    return loss, next_state",
      "    if state is not None:                   # reuse the arrays the state already has\n"
      "        for old, new in zip(state, next_state):\n"
      "            old[...] = new\n"
      "        next_state = state\n"
      "    return loss, next_state", ("test_train_step",)),
    M("every step on the first window", "train_model", "x, y = windows[k]",
      "x, y = windows[0]", ("test_train_model",)),
    M("a new model at every step", "train_model",
      _BUILD + "    windows = stream_windows(train_ids, BATCH, WINDOW)\n    state = None\n"
      "    for step in range(steps):\n",
      "    windows = stream_windows(train_ids, BATCH, WINDOW)\n    state = None\n"
      "    for step in range(steps):\n" + _BUILD.replace("    ", "        "),
      ("test_train_model",)),
]

HONEST = [
    M("windows by index arithmetic", "stream_windows", _ROWS + _WINDOWS,
      "    starts = np.arange(batch_size) * L\n"
      "    windows = []\n"
      "    for s in range(0, L, window):\n"
      "        steps = np.arange(s, min(s + window, L))[:, None]\n"
      "        windows.append((ids[starts + steps], ids[starts + steps + 1]))\n"
      "    return windows", ""),
    M("a tuple of windows, prints their count", "stream_windows", _WINDOWS,
      "    windows = tuple((inputs[:, s:s + window].T.copy(), targets[:, s:s + window].T.copy())\n"
      "                    for s in range(0, L, window))\n"
      "    print(len(windows), 'windows', file=sys.stderr)\n"
      "    return windows", "printed"),
    M("a loop over the positions, the loss in float32", "masked_cross_entropy",
      "    V = logits.shape[-1]\n",
      "    T, B, V = logits.shape\n"
      "    count = mask.sum()\n"
      "    loss, dlogits = 0.0, np.zeros((T, B, V))\n"
      "    for t in range(T):\n"
      "        for b in range(B):\n"
      "            if mask[t, b]:\n"
      "                z = logits[t, b] - logits[t, b].max()\n"
      "                log_p = z - np.log(np.exp(z).sum())\n"
      "                loss -= log_p[targets[t, b]] / count\n"
      "                p = np.exp(log_p)\n"
      "                p[targets[t, b]] -= 1.0\n"
      "                dlogits[t, b] = p / count\n"
      "    return np.float32(loss), dlogits\n", ""),
    M("the mask as booleans", "masked_cross_entropy",
      "    weights = mask / mask.sum()                  # each counted position's share of "
      "the mean\n    loss = -(picked * weights).sum()\n",
      "    counted = mask.astype(bool)\n"
      "    loss = -picked[counted].mean()\n"
      "    weights = counted / counted.sum()\n", ""),
    M("perplexity with a log-softmax of its own", "perplexity",
      "    loss, _ = masked_cross_entropy(logits, targets, mask)\n",
      "    z = logits - logits.max(axis=-1, keepdims=True)\n"
      "    z = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))\n"
      "    picked = np.take_along_axis(z, targets[..., None], axis=-1)[..., 0]\n"
      "    loss = -(picked * mask).sum() / mask.sum()\n", ""),
    M("vectorised: np.cumsum and np.searchsorted", "sample_index",
      "    top = max(logits)\n    weights = [math.exp((v - top) / temperature) for v in logits]\n"
      "    total = 0.0\n    for w in weights:\n        total += w\n    threshold = u * total\n"
      "    running = 0.0\n    for k, w in enumerate(weights):\n        running += w\n"
      "        if running > threshold:\n            return k\n    return len(weights) - 1",
      "    running = np.cumsum(np.exp((logits - logits.max()) / temperature))\n"
      "    k = np.searchsorted(running, u * running[-1], side=\"right\")\n"
      "    return min(int(k), len(logits) - 1)", ""),
    M("returns a NumPy integer", "sample_index", "return int(np.argmax(logits))",
      "return np.argmax(logits)", ""),
    M("copies the state it returns", "train_step", "    return loss, next_state",
      "    if isinstance(next_state, tuple):\n"
      "        return loss, tuple(s.copy() for s in next_state)\n"
      "    return loss, next_state.copy()", ""),
    M("clips with its own code", "train_step", "    clip_grad_norm(model, clip)\n",
      "    norm = np.sqrt(sum((g * g).sum() for g in model.grads.values()))\n"
      "    if norm > clip:\n"
      "        for g in model.grads.values():\n"
      "            g *= clip / norm\n", ""),
    M("prints the loss", "train_step", "    return loss, next_state",
      "    print(f'loss {loss:.3f}')\n    return loss, next_state", "printed"),
    M("prints its progress", "train_model", "        _, state = train_step(",
      "        if step % 50 == 0:\n            print('step', step)\n"
      "        _, state = train_step(", "printed"),
]
