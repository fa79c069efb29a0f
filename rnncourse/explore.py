"""Numbers behind the book's experiments and the gate explorers, as plain functions.

Each function takes the values a learner would choose (a spectral radius, a gate value, a
length) and returns arrays computed with rnncore's own layers, so a chart or a widget only
has to draw them.
"""

import math

import numpy as np

from rnncore.cells import gru_step_forward, lstm_step_forward
from rnncore.layers import LSTM, RNN
from rnncore.module import make_rng, no_grad
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
    "one_step_direct" and "one_step_indirect", the spectral norms of diag(f_T) and M_T D_{T-1}.
    """
    layer, x, _ = gradient_setup("lstm", 1.0, steps + 1, forget_bias=forget_bias, seed=seed)
    H = layer.hidden_size
    weights = {name.removesuffix("_l0"): value for name, value in layer.params.items()}
    W_hi, W_hf, W_hg, W_ho = np.split(weights["weight_hh"], 4)
    h, c = np.zeros((1, H)), np.zeros((1, H))
    slopes = [np.zeros(H)]               # D_t = dh_t/dc_t, from t = 0 (the zero start) on
    pair_jacobians, one_step = [], None
    for x_t in x[:, sequence:sequence + 1]:
        (h_new, c_new), cache = lstm_step_forward(x_t, h, c, **weights)
        i, f, g, o = cache.i[0], cache.f[0], cache.g[0], cache.o[0]
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
            "one_step_indirect": np.linalg.norm(one_step[1], 2)}


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
# the reader's browser at every slider move (rnncourse/web/explorers.js does, and is tested
# equal to gradient_flow).
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


def language_state(model, x, labels):
    """How a gated ``SequenceModel`` holds the language task's answer: ``x`` one-hot sentences
    (T, B, V) with the country word at step 2 and fillers from step 4 to T - 4, ``labels``
    their countries (B,).

    Gates: one that writes and one that keeps, the LSTM's input gate i and forget gate f, the
    GRU's 1 - z and z (h = (1 - z) n + z h_prev). Returns means over sentences and units:
    "written_word", the write gate at the country word; "written_filler", the write gate at
    the fillers; "kept", the product of the keep gates from the word to the end (for the unit
    that keeps most: one unit is enough to carry the word); "share", the
    fraction of the variance of h_T (across sentences) that the country explains, the signal
    the readout can use; and for the LSTM "cell", |c_T|, and "slope", tanh'(c_T), the factor
    on every change of the cell before it reaches h_T.
    """
    cell = check_choice("model.cell", model.cell, ("lstm", "gru"))
    labels = np.asarray(labels)
    layer = model.recurrent
    weights = {name.removesuffix("_l0"): value.astype(np.float64)
               for name, value in layer.params.items()}
    B, H = x.shape[1], layer.hidden_size
    h, c = np.zeros((B, H)), np.zeros((B, H))
    write, keep = [], []
    for x_t in x.astype(np.float64):
        if cell == "lstm":
            (h, c), cache = lstm_step_forward(x_t, h, c, **weights)
            write.append(cache.i)
            keep.append(cache.f)
        else:
            h, cache = gru_step_forward(x_t, h, **weights, reset_after=layer.reset_after)
            write.append(1 - cache.z)
            keep.append(cache.z)
    groups = [h[labels == k] for k in np.unique(labels)]
    between = sum(len(g) * (g.mean(axis=0) - h.mean(axis=0)) ** 2 for g in groups) / B
    state = {"written_word": float(np.mean(write[2])),
             "written_filler": float(np.mean(write[4:-3])) if len(write) > 7 else None,
             "kept": float(np.max(np.mean(np.prod(keep[3:], axis=0), axis=0))),
             "share": float(np.mean(between / np.maximum(h.var(axis=0), 1e-300)))}
    if cell == "lstm":
        state.update(cell=float(np.mean(np.abs(c))),
                     slope=float(np.mean(1 - np.tanh(c) ** 2)))
    return state


def language_training_trace(cell="lstm", input_bias=0.0, forget_bias=0.0, fillers=100,
                            steps=200, every=10, lr=0.03, *, seed=0):
    """:func:`language_state` every ``every`` steps while a model of the summary's sweep
    trains on the language task (the sweep's settings otherwise). Returns a dict of lists:
    "step" and each field of :func:`language_state`, plus "accuracy" on the same 500
    held-out sentences."""
    from .training import LanguageTask, SequenceModel, train
    task = LanguageTask(fillers)
    x, labels = task.batch(500, np.random.default_rng(seed + 2_000_003))
    biases = {"input_bias": input_bias, "forget_bias": forget_bias} if cell == "lstm" else {}
    model = SequenceModel(cell, task.input_size, 32, task.output_size, **biases, seed=seed)
    trace = {}

    def record(step, *_):
        with no_grad():
            accuracy = float(np.mean(model(x.astype(model.dtype)).argmax(axis=-1) == labels))
        for key, value in {"step": step, **language_state(model, x, labels),
                           "accuracy": accuracy}.items():
            trace.setdefault(key, []).append(value)
    record(0)
    train(model, task, steps=steps, lr=lr, eval_every=every, seed=seed, progress=False,
          target=math.inf, on_evaluation=record)
    return trace
