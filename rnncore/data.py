"""Synthetic sequence tasks and a tiny character corpus, all generated or shipped locally.

Every generator takes ``n`` (how many sequences), a length, and ``rng`` or ``seed``, and
returns time-major arrays: inputs (T, n, ...) and targets, ready for the layers.
"""

import numbers
from importlib import resources

import numpy as np

from .module import check_dtype, make_rng
from .validation import check_int_array, check_positive_int


def adding_problem(n, T, *, seed=None, rng=None):
    """The adding problem (Hochreiter & Schmidhuber, 1997), uniform variant.

    Each step carries two features: a value drawn from U(0, 1) and a marker that is 1 at
    exactly two steps (one in each half of the sequence) and 0 elsewhere. The target is the sum
    of the two marked values. Always predicting 1 gives a mean squared error of 1/6 (the
    variance of a sum of two uniforms): the baseline a model must beat.

    Returns x (T, n, 2) and y (n, 1), float64.
    """
    n, T = check_positive_int("n", n), check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"T: expected at least 2 steps (one marker per half), got {T}")
    rng = make_rng(seed, rng)
    values = rng.uniform(0.0, 1.0, (T, n))
    markers = np.zeros((T, n))
    first = rng.integers(0, T // 2, n)
    second = rng.integers(T // 2, T, n)
    columns = np.arange(n)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    y = (values[first, columns] + values[second, columns])[:, None]
    return np.stack([values, markers], axis=-1), y


def copy_task(n, delay, length=10, symbols=8, *, seed=None, rng=None):
    """The copy-memory task (Hochreiter & Schmidhuber, 1997; Arjovsky et al., 2016).

    Token 0 is blank, 1..symbols are data, symbols + 1 is the "recall now" marker. The input
    shows ``length`` random data tokens, then ``delay`` blanks whose last is the marker, then
    ``length`` blanks; the target is blank everywhere except the last ``length`` steps, which
    repeat the data. Guessing blanks, then uniform data, scores length * log(symbols) / T nats.

    Returns x, y: int arrays (T, n) with T = 2 * length + delay; vocabulary size symbols + 2.
    """
    n, delay = check_positive_int("n", n), check_positive_int("delay", delay)
    length, symbols = check_positive_int("length", length), check_positive_int("symbols", symbols)
    rng = make_rng(seed, rng)
    T = 2 * length + delay
    data = rng.integers(1, symbols + 1, (length, n))
    x = np.zeros((T, n), dtype=np.int64)
    y = np.zeros((T, n), dtype=np.int64)
    x[:length] = data
    x[length + delay - 1] = symbols + 1
    y[-length:] = data
    return x, y


def temporal_order(n, T, *, seed=None, rng=None):
    """The temporal-order task (Hochreiter & Schmidhuber, 1997, experiment 6a), scaled to T.

    Tokens: 0-3 distractors (a, b, c, d), 4 = X, 5 = Y, 6 = start, 7 = end. Two of X/Y appear,
    the first in [0.1 T, 0.2 T), the second in [0.5 T, 0.6 T), amid random distractors; the
    class is their order: XX=0, XY=1, YX=2, YY=3.

    Returns x: int (T, n) tokens (vocabulary 8), y: int (n,) classes.
    """
    n, T = check_positive_int("n", n), check_positive_int("T", T)
    if T < 10:
        raise ValueError(f"T: expected at least 10 steps, got {T}")
    rng = make_rng(seed, rng)
    x = rng.integers(0, 4, (T, n))
    x[0], x[-1] = 6, 7
    first = rng.integers(max(1, T // 10), max(2, T // 5), n)
    second = rng.integers(T // 2, max(T // 2 + 1, 3 * T // 5), n)
    symbols = rng.integers(0, 2, (2, n))
    columns = np.arange(n)
    x[first, columns] = 4 + symbols[0]
    x[second, columns] = 4 + symbols[1]
    return x.astype(np.int64), (2 * symbols[0] + symbols[1]).astype(np.int64)


def one_hot(ids, size, dtype=np.float64):
    """Integer ids (...) -> one-hot vectors (..., size)."""
    size = check_positive_int("size", size)
    ids = check_int_array("ids", ids, 0, size)
    return np.eye(size, dtype=check_dtype(dtype))[ids]


def tiny_corpus():
    """A short English text (about 1,500 characters) that ships with rnncore."""
    return resources.files("rnncore").joinpath("corpus/tiny.txt").read_text(encoding="utf-8")


class Vocabulary:
    """Maps characters (or any hashable tokens) to ids 0..size-1 and back, in sorted order."""

    def __init__(self, tokens):
        try:
            self.tokens = sorted(set(tokens))
        except TypeError as error:
            raise TypeError(f"tokens: expected an iterable of tokens of one kind (all str, say), "
                            f"got {type(tokens).__name__} ({error})") from None
        if not self.tokens:
            raise ValueError("tokens: expected at least one token, got none")
        self.index = {tok: k for k, tok in enumerate(self.tokens)}

    def __len__(self):
        return len(self.tokens)

    def encode(self, sequence):
        """A sequence of tokens -> int64 array of ids."""
        unhashable = [tok for tok in sequence if getattr(tok, "__hash__", None) is None]
        if unhashable:
            raise TypeError(f"sequence: expected a flat sequence of tokens (characters), got "
                            f"{type(unhashable[0]).__name__} {unhashable[0]!r} inside it; encode "
                            f"one sequence at a time")
        unknown = [tok for tok in set(sequence) if tok not in self.index]
        if unknown:
            shown = sorted(unknown, key=repr)[:5]
            raise ValueError(f"sequence: tokens not in the vocabulary: {shown}")
        return np.array([self.index[tok] for tok in sequence], dtype=np.int64)

    def decode(self, ids):
        """A sequence of ids (1-D) -> a string (tokens joined without separator)."""
        ids = check_int_array("ids", ids, 0, len(self.tokens))
        if ids.ndim > 1:
            raise ValueError(f"ids: expected one sequence (1-D), got shape {ids.shape}; for a "
                             "(T, B) batch decode each column: decode(ids[:, b])")
        return "".join(str(self.tokens[k]) for k in ids.ravel())


# The article's example as a task: 我是法国人，……，我会说 -> 法语. The country word decides the
# language word at the end; filler tokens in between set the distance.
COUNTRIES = {"法国": "法语", "德国": "德语", "中国": "汉语", "日本": "日语", "英国": "英语",
             "西班牙": "西班牙语"}
FILLERS = ("，", "我", "在", "这里", "工作", "了", "很多", "年", "每天", "都", "喜欢", "看书",
           "朋友", "也", "住", "城市", "里", "。")
LANGUAGE_VOCABULARY = Vocabulary(["我", "是", "人", "会", "说", *COUNTRIES, *FILLERS])
LANGUAGES = tuple(COUNTRIES.values())


def language_task(n, distance, *, seed=None, rng=None):
    """Synthetic sentences "我是<country>人 <filler x distance> 我会说" whose label is the
    country's language (the article's "I am French, ..., I speak French").

    Returns tokens: int (T, n) ids in LANGUAGE_VOCABULARY with T = distance + 7, and
    labels: int (n,) indices into LANGUAGES. Guessing scores 1 / len(LANGUAGES).
    """
    n = check_positive_int("n", n)
    if isinstance(distance, bool) or not isinstance(distance, numbers.Integral) or distance < 0:
        raise ValueError(f"distance: expected an int >= 0, got {distance!r}")
    distance = int(distance)
    rng = make_rng(seed, rng)
    countries = list(COUNTRIES)
    labels = rng.integers(0, len(countries), n)
    fillers = rng.integers(0, len(FILLERS), (distance, n))
    tokens = np.empty((distance + 7, n), dtype=np.int64)
    encode = LANGUAGE_VOCABULARY.index
    tokens[0], tokens[1] = encode["我"], encode["是"]
    tokens[2] = [encode[countries[k]] for k in labels]
    tokens[3] = encode["人"]
    tokens[4:4 + distance] = np.array([encode[word] for word in FILLERS])[fillers]
    tokens[-3], tokens[-2], tokens[-1] = encode["我"], encode["会"], encode["说"]
    return tokens, labels.astype(np.int64)
