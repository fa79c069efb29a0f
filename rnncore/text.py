"""Character language models: a text stream cut into windows for truncated BPTT, the model
(embedding -> recurrent layer -> linear readout, N-to-N), and sampling with a temperature.

Sampling draws from :class:`SplitMix64`, a generator small enough to write the same way in
any language, so that a page's JavaScript and this module, given the same weights, prompt,
temperature and seed, write the same text.
"""

import math
import numbers

import numpy as np

from .dense import Embedding, Linear
from .layers import GRU, LSTM, RNN
from .module import Module, grad_enabled, make_rng, no_grad
from .validation import check_choice, check_int_array, check_positive_int, check_shape

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def stream_windows(ids, batch_size, window):
    """Cut one long stream of token ids into windows for truncated BPTT.

    The stream is split into ``batch_size`` equal parallel streams, one per batch row, so that
    window k + 1 of every row continues where window k stopped and a state carried from one
    window to the next has read the text just before it. Targets are the inputs shifted by one
    token. The tail that does not fill a row is dropped; the last window may be shorter.

    Args:
        ids: (N,) integer token ids.
        batch_size: B, the number of parallel streams.
        window: T, the number of steps the gradient flows back through.

    Returns:
        a list of (x, y) pairs, each (T, B) time-major: y[t, b] is the token after x[t, b].
    """
    ids = check_int_array("ids", ids, 0)
    check_shape("ids", ids, ("N",))
    B = check_positive_int("batch_size", batch_size)
    T = check_positive_int("window", window)
    L = (len(ids) - 1) // B                 # each row needs one more token for its last target
    if L < 1:
        raise ValueError(f"ids: expected at least batch_size + 1 = {B + 1} tokens, got {len(ids)}")
    x = ids[:B * L].reshape(B, L)
    y = ids[1:B * L + 1].reshape(B, L)
    return [(x[:, s:s + T].T.copy(), y[:, s:s + T].T.copy()) for s in range(0, L, T)]


class SplitMix64:
    """The SplitMix64 generator (Steele, Lea & Flood, 2014): a 64-bit counter advanced by a
    fixed odd constant and mixed by two multiply-xorshift rounds.

    ``random()`` returns the top 53 bits of the next output as a float in [0, 1), the way
    NumPy and JavaScript build a double. Written with Python integers so that each step reads
    like its JavaScript twin (which uses BigInt).
    """

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or \
                not 0 <= seed < 2 ** 64:
            raise ValueError(f"seed: expected an int from 0 to 2**64 - 1, got {seed!r}")
        self.state = int(seed)

    def next_uint64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def random(self):
        return (self.next_uint64() >> 11) * 2.0 ** -53


def sample_index(logits, temperature, rng):
    """Draw a token id from softmax(logits / temperature) with one draw of ``rng``.

    Args:
        logits: (V,) scores for the next token.
        temperature: > 0 divides the logits (below 1 sharpens, above 1 flattens); 0 takes the
            most likely token and draws nothing.
        rng: a :class:`SplitMix64`.

    The weights exp((l - max) / temperature) are summed in index order and the first index
    whose running sum passes u * total is taken: plain float operations in a fixed order, so
    that another language doing the same steps picks the same token.
    """
    logits = np.asarray(logits, dtype=np.float64)
    check_shape("logits", logits, ("V",))
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or \
            not 0 <= temperature < math.inf:
        raise ValueError(f"temperature: expected a finite number >= 0, got {temperature!r}")
    if not isinstance(rng, SplitMix64):
        raise TypeError(f"rng: expected a SplitMix64, got {type(rng).__name__}")
    scores = [float(v) for v in logits]
    top = max(scores)
    if temperature == 0:
        return scores.index(top)
    weights = [math.exp((v - top) / temperature) for v in scores]
    threshold = rng.random() * _sum(weights)
    running = 0.0
    for k, w in enumerate(weights):
        running += w
        if running > threshold:
            return k
    return len(weights) - 1        # u * total rounded up to the total itself


def _sum(values):
    """Left-to-right float sum (the order a JavaScript loop adds in)."""
    total = 0.0
    for v in values:
        total += v
    return total


class LanguageModel(Module):
    """Embedding -> recurrent layer -> Linear readout at every step: ids (T, B) -> logits
    (T, B, V), the N-to-N pattern on a stream of tokens.

    Args:
        vocab_size: V, the number of distinct tokens.
        embedding_dim: E, the size of each token's vector.
        hidden_size: H; num_layers; cell: "rnn", "lstm" or "gru".
        conditions: 0, or the number of values of a condition given once before the text (a
            poem's form, say). Each value then has a learnt initial state (the 1-to-N pattern:
            the condition is the state the text starts from).
        forget_bias: added to the LSTM's forget-gate biases at initialisation.
        dropout: the share of the recurrent layer's outputs zeroed before the readout while
            training (Zaremba et al., 2014: dropout on the non-recurrent connections only, so
            the state itself is never cut); the rest are scaled by 1 / (1 - dropout). Off
            after ``model.training = False``, and inside ``rnncore.no_grad()``.

    Parameters: ``embedding.weight`` (V, E); the recurrent layer's, prefixed ``recurrent.``;
    ``readout.weight`` (V, H), ``readout.bias`` (V,); with conditions, ``initial_state``
    (conditions, S * num_layers * H) for S states (2 for the LSTM's h and c, else 1).
    """

    _settable = ("training",)

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers=1, cell="lstm",
                 conditions=0, forget_bias=0.0, dropout=0.0, *, dtype=np.float32, seed=None,
                 rng=None):
        super().__init__(dtype)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or \
                not 0 <= dropout < 1:
            raise ValueError(f"dropout: expected a number from 0 up to (not including) 1, "
                             f"got {dropout!r}")
        self.dropout, self.training = float(dropout), True
        self.cell = check_choice("cell", cell, tuple(CELLS))
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        if isinstance(conditions, bool) or not isinstance(conditions, numbers.Integral) or \
                conditions < 0:
            raise ValueError(f"conditions: expected an int >= 0, got {conditions!r}")
        self.conditions = int(conditions)
        rng = make_rng(seed, rng)
        self._dropout_rng = np.random.default_rng(rng.integers(2 ** 63))
        self.embedding = self._add_child(
            "embedding", Embedding(vocab_size, embedding_dim, dtype=dtype, rng=rng))
        self.recurrent = self._add_child("recurrent", CELLS[cell](
            embedding_dim, hidden_size, num_layers, dtype=dtype, rng=rng))
        self.readout = self._add_child("readout",
                                       Linear(hidden_size, vocab_size, dtype=dtype, rng=rng))
        self.state_count = 2 if cell == "lstm" else 1
        if cell == "lstm":
            H = hidden_size
            for layer in range(num_layers):
                self.recurrent.params[f"bias_ih_l{layer}"][H:2 * H] += forget_bias
        if self.conditions:
            self._add_param("initial_state", np.zeros(
                (self.conditions, self.state_count * num_layers * hidden_size)))

    def initial_state(self, condition):
        """The learnt state for ``condition`` (B,) ints: h_0, or (h_0, c_0) for the LSTM, each
        (num_layers, B, H)."""
        if not self.conditions:
            raise ValueError("condition: this model was built with conditions=0; give no "
                             "condition, or a state")
        condition = check_int_array("condition", condition, 0, self.conditions)
        check_shape("condition", condition, ("B",))
        layers, H = self.recurrent.num_layers, self.recurrent.hidden_size
        rows = self.params["initial_state"][condition]
        states = rows.reshape(len(condition), self.state_count, layers, H).transpose(1, 2, 0, 3)
        states = tuple(s.copy() for s in states)
        return states if self.cell == "lstm" else states[0]

    def forward(self, ids, state=None, condition=None):
        """ids: (T, B) token ids; state: the recurrent layer's state from the previous window
        (h_n, or (h_n, c_n) for the LSTM), or None for zeros; condition: (B,) ints, the
        condition whose learnt state to start from instead (models built with conditions).

        Returns logits (T, B, V) and the state after the last step, to pass to the next
        window. The backward pass of a window stops at its first step: the state passed in
        is a constant to it (truncated BPTT), so there is nothing to detach.
        """
        if condition is not None:
            if state is not None:
                raise ValueError("state, condition: give one or the other, got both")
            state = self.initial_state(condition)
        output, state = self.recurrent(self.embedding(ids), state)
        keep = None
        if self.dropout and self.training and grad_enabled():
            keep = (self._dropout_rng.random(output.shape) >= self.dropout) / \
                (1 - self.dropout)
            output = output * keep.astype(self.dtype)
        self._store((None if condition is None else np.asarray(condition).copy(), keep))
        return self.readout(output), state

    def backward(self, dlogits):
        """dlogits: (T, B, V); fills ``grads`` (the window's gradients only)."""
        condition, keep = self._stored_pass()
        with self._gradients_kept_on_error():
            doutput = self.readout.backward(dlogits)
            if keep is not None:
                doutput = doutput * keep.astype(self.dtype)
            dx, dstate = self.recurrent.backward(doutput)
            self.embedding.backward(dx)
            if condition is not None:
                dstates = dstate if self.cell == "lstm" else (dstate,)
                rows = np.stack(dstates).transpose(2, 0, 1, 3).reshape(len(condition), -1)
                grad = self.grads["initial_state"]
                grad.fill(0.0)
                np.add.at(grad, condition, rows)


def generate(model, prompt, length, temperature, seed, condition=None, forced=None):
    """Sample ``length`` tokens after ``prompt`` from ``model``, in float64, one step at a time.

    Args:
        model: a :class:`LanguageModel`; its weights are read in float64 (as a page's
            JavaScript reads them), whatever its dtype.
        prompt: token ids read first (at least one: a model built with conditions is
            trained to start each text after a boundary token, such as a newline).
        length: how many tokens to write.
        temperature: as :func:`sample_index`; seed: the :class:`SplitMix64` seed.
        condition: an int, for a model built with conditions.
        forced: {position: id}, tokens written at those positions of the output instead of
            drawn (the first character of each line of an acrostic poem, say); no draw is made
            there.

    Returns:
        ids: the ``length`` written token ids (a list of ints).
    """
    if not isinstance(model, LanguageModel):
        raise TypeError(f"model: expected a LanguageModel, got {type(model).__name__}")
    prompt = [int(k) for k in check_int_array("prompt", np.asarray(prompt, dtype=np.int64), 0,
                                              model.vocab_size)]
    length = check_positive_int("length", length)
    forced = dict(forced or {})
    for position, token in forced.items():
        check_int_array(f"forced[{position!r}]", np.asarray(token), 0, model.vocab_size)
    exact = model if model.dtype == np.float64 else _in_float64(model)
    rng = SplitMix64(seed)
    with no_grad():
        state = None if condition is None else exact.initial_state(np.array([condition]))
        if not prompt:
            raise ValueError("prompt: expected at least one token id, got none")
        for token in prompt:
            logits, state = _step(exact, token, state)
        written = []
        for position in range(length):
            if position in forced:
                token = int(forced[position])
            else:
                token = sample_index(logits, temperature, rng)
            written.append(token)
            logits, state = _step(exact, token, state)
    return written


def _step(model, token, state):
    logits, state = model(np.array([[token]]), state)
    return logits[0, 0], state


def _in_float64(model):
    copy = LanguageModel(model.vocab_size, model.embedding.embedding_dim,
                         model.recurrent.hidden_size, model.recurrent.num_layers, model.cell,
                         model.conditions, dtype=np.float64, seed=0)
    copy.load_state_dict(model.state_dict())
    return copy
