"""Numbers behind the book's experiments and the gate explorers, as plain functions.

Each function takes the values a learner would choose (a spectral radius, a gate value, a
length) and returns arrays computed with rnncore's own layers, so a chart or a widget only
has to draw them.
"""

import numpy as np

from .layers import LSTM, RNN
from .module import make_rng
from .validation import check_choice, check_positive_int

GRADIENT_CELLS = ("rnn", "lstm")
RNN_NONLINEARITIES = ("tanh", "relu", "identity")


def with_spectral_radius(matrix, radius):
    """``matrix`` rescaled so that its largest eigenvalue magnitude is ``radius``."""
    current = np.max(np.abs(np.linalg.eigvals(matrix)))
    return matrix * (radius / current)


def gradient_norms(cell="rnn", spectral_radius=1.0, steps=50, nonlinearity="tanh",
                   forget_bias=0.0, hidden_size=32, input_size=8, batch=16, *, seed=0):
    """How strongly the last hidden state responds to the input k steps earlier.

    The loss is L = v . h_T for a fixed random unit vector v; the result is the norm of
    dL/dx_{T-k}, averaged over a batch of random N(0, 1) input sequences, for k = 0..steps-1.
    The recurrent weights are random, rescaled to ``spectral_radius`` (for the LSTM, each
    gate's block of W_hh is); ``forget_bias`` is added to the LSTM's forget-gate bias.
    nonlinearity "identity" (a linear RNN) is computed as the product (W^T)^k directly.

    Returns (distance k, norms), both of shape (steps,).
    """
    check_choice("cell", cell, GRADIENT_CELLS)
    check_choice("nonlinearity", nonlinearity, RNN_NONLINEARITIES)
    steps = check_positive_int("steps", steps)
    hidden = check_positive_int("hidden_size", hidden_size)
    rng = make_rng(seed)
    v = rng.standard_normal(hidden)
    v /= np.linalg.norm(v)
    x = rng.standard_normal((steps, batch, input_size))
    if cell == "lstm":
        layer = LSTM(input_size, hidden, rng=rng)
        for gate in range(4):
            block = slice(gate * hidden, (gate + 1) * hidden)
            layer.weight_hh_l0[block] = with_spectral_radius(
                rng.standard_normal((hidden, hidden)), spectral_radius)
        layer.bias_ih_l0[hidden:2 * hidden] += forget_bias
    else:
        layer = RNN(input_size, hidden, nonlinearity="tanh" if nonlinearity == "identity"
                    else nonlinearity, rng=rng)
        layer.weight_hh_l0[...] = with_spectral_radius(rng.standard_normal((hidden, hidden)),
                                                       spectral_radius)
    distance = np.arange(steps)
    if cell == "rnn" and nonlinearity == "identity":
        # A linear RNN: dL/dx_{T-k} = U^T (W^T)^k v for every sequence alike.
        norms = np.empty(steps)
        g = v.copy()
        for k in range(steps):
            norms[k] = np.linalg.norm(layer.weight_ih_l0.T @ g)
            g = layer.weight_hh_l0.T @ g
        return distance, norms
    output, _ = layer(x)
    doutput = np.zeros_like(output)
    doutput[-1] = v
    dx, _ = layer.backward(doutput)
    norms = np.linalg.norm(dx, axis=-1).mean(axis=1)
    return distance, norms[::-1].copy()


CANDIDATE_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0)}


def constant_gate_lstm(forget, input_gate, output_gate, candidate, activation="tanh",
                       c0=0.0):
    """The LSTM's state update with its three gates held at fixed values.

    c_t = f * c_{t-1} + i * act(a_t) and h_t = o * act(c_t), where a_t = ``candidate[t]`` is
    the candidate's pre-activation and act is tanh (the LSTM's choice) or relu (to see why
    not). Gates in [0, 1]; candidate: (T,) or (T, N) for N independent units.

    Returns c, h: arrays shaped like ``candidate``.
    """
    for name, value in (("forget", forget), ("input_gate", input_gate),
                        ("output_gate", output_gate)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}: expected a gate value in [0, 1], got {value}")
    act = CANDIDATE_ACTIVATIONS[check_choice("activation", activation,
                                             tuple(CANDIDATE_ACTIVATIONS))]
    candidate = np.asarray(candidate, dtype=np.float64)
    c = np.empty_like(candidate)
    previous = np.full(candidate.shape[1:], c0, dtype=np.float64)
    for t, a in enumerate(candidate):
        previous = forget * previous + input_gate * act(a)
        c[t] = previous
    return c, output_gate * act(c)


def memory_survival(forget, steps):
    """The fraction of a value written into the cell that is still there k steps later:
    the product of k forget gates, f**k for constant f, for k = 0..steps-1."""
    return np.asarray(forget, dtype=np.float64) ** np.arange(check_positive_int("steps", steps))
