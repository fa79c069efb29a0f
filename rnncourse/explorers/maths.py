"""The gate explorers' maths: what each explorer plots, for the values its controls hold.

The page form of every explorer (``web/explorers.js``) computes the same numbers in the
reader's browser; a browser test holds the two equal.
"""

import numpy as np

from rnncore.cells import lstm_step_forward
from rnncore.layers import LSTM, RNN
from rnncore.module import make_rng
from rnncore.validation import check_choice, check_positive_int

from ..book.gradients import GRADIENT_CELLS, RNN_NONLINEARITIES, with_spectral_radius

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


INPUT_PATTERNS = ("pulse", "two pulses", "step", "noise")


def input_pattern(pattern, steps, *, seed=0):
    """A one-feature input sequence (steps,) for the explorers.

    "pulse": 1 at the first step, then 0; "two pulses": 1 at the first step and halfway,
    with opposite signs; "step": 1 throughout; "noise": N(0, 1) values from ``seed``.
    """
    check_choice("pattern", pattern, INPUT_PATTERNS)
    steps = check_positive_int("steps", steps)
    x = np.zeros(steps)
    if pattern == "pulse":
        x[0] = 1.0
    elif pattern == "two pulses":
        x[0], x[steps // 2] = 1.0, -1.0
    elif pattern == "step":
        x[:] = 1.0
    else:
        x = make_rng(seed).standard_normal(steps)
    return x


def constant_gate_gru(update, reset, inputs, input_weight=2.0, recurrent_weight=1.0):
    """A one-unit GRU with its two gates held at fixed values.

    n_t = tanh(input_weight * x_t + reset * recurrent_weight * h_{t-1}) (PyTorch's formula
    with zero biases) and h_t = (1 - update) * n_t + update * h_{t-1}, from h_0 = 0.

    Returns h: (T,).
    """
    for name, value in (("update", update), ("reset", reset)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}: expected a gate value in [0, 1], got {value}")
    h = np.empty(len(inputs))
    previous = 0.0
    for t, x in enumerate(inputs):
        candidate = np.tanh(input_weight * x + reset * recurrent_weight * previous)
        previous = (1.0 - update) * candidate + update * previous
        h[t] = previous
    return h


def lstm_with_forget_bias(forget_bias, inputs, *, seed=0):
    """A one-unit LSTM with random weights (seeded) and ``forget_bias`` added to its forget
    gate, run on a one-feature input sequence (T,) step by step.

    Returns a dict of (T,) arrays: "c", "h", "forget" (the forget gate at each step) and
    "survival" (the product of the forget gates after the first step: the share of the first
    step's memory still in the cell).
    """
    layer = LSTM(1, 1, seed=seed)
    layer.bias_ih_l0[1] += forget_bias
    weights = {name.removesuffix("_l0"): value for name, value in layer.params.items()}
    h, c = np.zeros((1, 1)), np.zeros((1, 1))
    trace = {key: np.empty(len(inputs)) for key in ("c", "h", "forget")}
    for t, x in enumerate(inputs):
        (h, c), cache = lstm_step_forward(np.array([[x]]), h, c, **weights)
        trace["c"][t], trace["h"][t], trace["forget"][t] = c.item(), h.item(), cache.f.item()
    trace["survival"] = np.concatenate([[1.0], np.cumprod(trace["forget"][1:])])
    return trace


# The gradient-flow explorer's setting: small enough that a page can redo the computation in
# the reader's browser at every slider move (rnncourse/explorers/web/explorers.js does, and is
# tested equal to gradient_flow).
FLOW_SIZES = {"hidden": 8, "inputs": 4, "batch": 4, "max_steps": 200}


def flow_setup(seed=0):
    """The fixed weights and inputs of :func:`gradient_flow`, as plain arrays: the inputs x
    (max_steps, batch, inputs), the loss direction v (hidden,), and for each cell its input
    weights and biases and a recurrent matrix whose spectral radius is 1 (each gate's block,
    for the LSTM), which the explorer scales."""
    H, D, B, T = (FLOW_SIZES[k] for k in ("hidden", "inputs", "batch", "max_steps"))
    rng = make_rng(seed)
    v = rng.standard_normal(H)
    bound = 1.0 / np.sqrt(H)
    return {
        "x": rng.standard_normal((T, B, D)),
        "v": v / np.linalg.norm(v),
        "rnn": {"weight_ih": rng.uniform(-bound, bound, (H, D)),
                "weight_hh": with_spectral_radius(rng.standard_normal((H, H)), 1.0),
                "bias": rng.uniform(-bound, bound, H)},
        "lstm": {"weight_ih": rng.uniform(-bound, bound, (4 * H, D)),
                 "weight_hh": np.concatenate([with_spectral_radius(
                     rng.standard_normal((H, H)), 1.0) for _ in range(4)]),
                 "bias": rng.uniform(-bound, bound, 4 * H)},
    }


def gradient_flow(cell="rnn", spectral_radius=1.0, steps=60, nonlinearity="tanh",
                  forget_bias=1.0, *, seed=0):
    """The gradient-flow explorer's numbers: as :func:`gradient_norms`, for the small network
    of :func:`flow_setup` (8 units, 4 input sequences, the first ``steps`` of its inputs), with
    the recurrent matrix scaled to ``spectral_radius`` and, for the LSTM, ``forget_bias``
    added to the forget gate's bias.

    Returns (distance k, norms relative to k = 0), both of shape (steps,).
    """
    check_choice("cell", cell, GRADIENT_CELLS)
    check_choice("nonlinearity", nonlinearity, RNN_NONLINEARITIES)
    steps = check_positive_int("steps", steps)
    if steps > FLOW_SIZES["max_steps"]:
        raise ValueError(f"steps: expected at most {FLOW_SIZES['max_steps']}, got {steps}")
    data = flow_setup(seed)
    H, D = FLOW_SIZES["hidden"], FLOW_SIZES["inputs"]
    weights = data[cell]
    if cell == "lstm":
        layer = LSTM(D, H)
        bias = weights["bias"].copy()
        bias[H:2 * H] += forget_bias
    else:
        layer = RNN(D, H, nonlinearity="tanh" if nonlinearity == "identity" else nonlinearity)
        bias = weights["bias"]
    layer.load_state_dict({"weight_ih_l0": weights["weight_ih"],
                           "weight_hh_l0": spectral_radius * weights["weight_hh"],
                           "bias_ih_l0": bias, "bias_hh_l0": np.zeros_like(bias)})
    v, distance = data["v"], np.arange(steps)
    if cell == "rnn" and nonlinearity == "identity":
        norms, g = np.empty(steps), v.copy()
        for k in range(steps):
            norms[k] = np.linalg.norm(layer.weight_ih_l0.T @ g)
            g = layer.weight_hh_l0.T @ g
        return distance, norms / norms[0]
    output, _ = layer(data["x"][:steps])
    doutput = np.zeros_like(output)
    doutput[-1] = v
    dx, _ = layer.backward(doutput)
    norms = np.linalg.norm(dx, axis=-1).mean(axis=1)[::-1]
    return distance, norms / norms[0]
