"""The gradient through time, measured: the numbers behind the BPTT and LSTM chapters' charts.

Each function takes the values a reader would choose (a spectral radius, a length, a forget-gate
bias) and returns arrays computed with rnncore's own layers, so that a chart only draws them.
"""

import numpy as np

from rnncore.cells import lstm_step_forward
from rnncore.layers import LSTM, RNN
from rnncore.module import make_rng
from rnncore.validation import check_choice, check_positive_int

GRADIENT_CELLS = ("rnn", "lstm")
RNN_NONLINEARITIES = ("tanh", "relu", "identity")


def with_spectral_radius(matrix, radius):
    """``matrix`` rescaled so that its largest eigenvalue magnitude is ``radius``."""
    current = np.max(np.abs(np.linalg.eigvals(matrix)))
    return matrix * (radius / current)


def gradient_setup(cell="rnn", spectral_radius=1.0, steps=50, nonlinearity="tanh",
                   forget_bias=0.0, hidden_size=32, input_size=8, batch=16, *, seed=0):
    """The layer, inputs and loss direction behind :func:`gradient_norms`: (layer, x, v).

    The recurrent weights are random, rescaled to ``spectral_radius`` (for the LSTM, each
    gate's block of W_hh is); ``forget_bias`` is added to the LSTM's forget-gate bias; x holds
    ``batch`` random N(0, 1) sequences of ``steps`` steps; v is a random unit vector.
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
    return layer, x, v


def gradient_norms(cell="rnn", spectral_radius=1.0, steps=50, nonlinearity="tanh",
                   forget_bias=0.0, hidden_size=32, input_size=8, batch=16, *, seed=0):
    """How strongly the last hidden state responds to the input k steps earlier.

    The loss is L = v . h_T; the result is the norm of dL/dx_{T-k}, averaged over the batch
    of :func:`gradient_setup`, for k = 0..steps-1. nonlinearity "identity" (a linear RNN) is
    computed as the product (W^T)^k directly.

    Returns (distance k, norms), both of shape (steps,).
    """
    layer, x, v = gradient_setup(cell, spectral_radius, steps, nonlinearity, forget_bias,
                                 hidden_size, input_size, batch, seed=seed)
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


def cell_state_jacobians(forget_bias=0.0, steps=40, *, seed=0, sequence=0):
    """The LSTM's gradient along the cell state, in the setting of :func:`gradient_norms`
    (32 units, each gate's W_hh at spectral radius 1), for one of its input sequences.

    c_t = f_t * c_{t-1} + i_t * g_t has a direct path, diag(f_t), and indirect ones: c_{t-1}
    sets h_{t-1} = o_{t-1} * tanh(c_{t-1}), which feeds f_t, i_t and g_t (and o_t, and so h_t).
    Over one step the full Jacobian is diag(f_t) + M_t D_{t-1}, with
    M_t = dc_t/dh_{t-1} = diag(c_{t-1} f_t(1-f_t)) W_hf + diag(g_t i_t(1-i_t)) W_hi
    + diag(i_t(1-g_t^2)) W_hg and D_{t-1} = diag(o_{t-1} (1 - tanh^2 c_{t-1})). Over several
    steps the state is the pair (h, c), so dc_T/dc_{T-k} is read off the product of the pair's
    Jacobians.

    Returns a dict: "distance" k = 1..steps; "direct", the spectral norm of the product of the
    last k diag(f_t); "full", that of dc_T/dc_{T-k}; and for the last step alone
    "one_step_direct" and "one_step_indirect", the spectral norms of diag(f_T) and M_T D_{T-1};
    "forget", the forget gates f_t of every step, shape (steps + 1, H).
    """
    layer, x, _ = gradient_setup("lstm", 1.0, steps + 1, forget_bias=forget_bias, seed=seed)
    H = layer.hidden_size
    weights = {name.removesuffix("_l0"): value for name, value in layer.params.items()}
    W_hi, W_hf, W_hg, W_ho = np.split(weights["weight_hh"], 4)
    h, c = np.zeros((1, H)), np.zeros((1, H))
    slopes = [np.zeros(H)]               # D_t = dh_t/dc_t, from t = 0 (the zero start) on
    pair_jacobians, one_step, forget = [], None, []
    for x_t in x[:, sequence:sequence + 1]:
        (h_new, c_new), cache = lstm_step_forward(x_t, h, c, **weights)
        i, f, g, o = cache.i[0], cache.f[0], cache.g[0], cache.o[0]
        forget.append(f)
        M = (c[0] * f * (1 - f))[:, None] * W_hf + (g * i * (1 - i))[:, None] * W_hi \
            + (i * (1 - g * g))[:, None] * W_hg                     # dc_t/dh_{t-1}
        slope = o * (1 - np.tanh(c_new[0]) ** 2)                   # dh_t/dc_t
        dh_dh = (np.tanh(c_new[0]) * o * (1 - o))[:, None] * W_ho + slope[:, None] * M
        dh_dc = slope[:, None] * np.diag(f)
        pair_jacobians.append(np.block([[dh_dh, dh_dc], [M, np.diag(f)]]))
        one_step = (np.diag(f), M * slopes[-1][None, :])
        slopes.append(slope)
        h, c = h_new, c_new
    direct, full = np.empty(steps), np.empty(steps)
    product, forget_product = np.eye(2 * H), np.eye(H)
    for k in range(1, steps + 1):
        product = product @ pair_jacobians[-k]
        forget_product = forget_product @ pair_jacobians[-k][H:, H:]
        # perturbing c_{T-k} moves h_{T-k} too: the start vector is [D_{T-k}; I]
        start = np.vstack([np.diag(slopes[-k - 1]), np.eye(H)])
        full[k - 1] = np.linalg.norm((product @ start)[H:], 2)
        direct[k - 1] = np.linalg.norm(forget_product, 2)
    return {"distance": np.arange(1, steps + 1), "direct": direct, "full": full,
            "one_step_direct": np.linalg.norm(one_step[0], 2),
            "one_step_indirect": np.linalg.norm(one_step[1], 2), "forget": np.array(forget)}
