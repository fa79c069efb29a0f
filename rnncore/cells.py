"""One time step of each recurrent cell, forward and backward, written as the book's equations.

These functions are rnncore's reference: each line is a line of the chapter's maths, in the same
order and with the same names. The sequence layers of :mod:`rnncore.layers` run faster kernels
(``rnncore/_kernels.py``), which the tests hold equal to these functions to a few units in the
last place; ``RNN(..., fast=False)`` and its siblings run these functions themselves.

Shapes (the book's letters):

    B  batch size      D  input features      H  hidden units
    G  gates: 1 for the RNN, 4 for the LSTM (i, f, g, o), 3 for the GRU (r, z, n)

Parameters have ``torch.nn``'s names and shapes, so weights move between the two unchanged:

    weight_ih (G*H, D)   the article's U, applied to the input x_t
    weight_hh (G*H, H)   the article's W, applied to the previous hidden state h_{t-1}
    bias_ih   (G*H,)     bias_hh (G*H,)

Each ``*_step_forward`` returns ``(outputs, cache)``. Each ``*_step_backward`` takes the
gradients of the loss with respect to the step's outputs and that cache, and returns a dict of
gradients keyed by the forward's argument names (``"x"``, ``"h_prev"``, ``"weight_ih"``, ...).
The forward checks its arguments and keeps copies of them, so changing an array after the call
cannot change the gradients.
"""

from typing import NamedTuple

import numpy as np

from .validation import as_float_array, check_cache, check_upstream, step_arguments


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise, in the dtype of ``a`` (integers
    are computed in float64).

    For a below about -709, exp(-a) overflows to inf and the result is exactly 0, the correctly
    rounded value, so the overflow warning is silenced rather than avoided.
    """
    a = as_float_array("a", a)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


# ----------------------------------------------------------------------------------------
# The plain RNN
# ----------------------------------------------------------------------------------------

class RNNStepCache(NamedTuple):
    x: np.ndarray            # (B, D)
    h_prev: np.ndarray       # (B, H)
    weight_ih: np.ndarray    # (H, D)
    weight_hh: np.ndarray    # (H, H)
    a: np.ndarray            # (B, H) the pre-activation
    nonlinearity: str


@step_arguments(gates=1)
def rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh"):
    """One step of a plain (Elman) RNN:

        a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
        h_t = tanh(a_t)                     (or ReLU, with nonlinearity="relu")

    Args:
        x: (B, D) input at this step.
        h_prev: (B, H) previous hidden state.
        weight_ih: (H, D); weight_hh: (H, H); bias_ih, bias_hh: (H,).
        nonlinearity: "tanh" or "relu".

    Returns:
        h: (B, H) the new hidden state, and a cache for :func:`rnn_step_backward`.
    """
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
    h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)
    return h, RNNStepCache(x, h_prev, weight_ih, weight_hh, a, nonlinearity)


def rnn_step_backward(dh, cache):
    """Backward of :func:`rnn_step_forward`.

    Args:
        dh: (B, H) gradient of the loss with respect to the step's output h.
        cache: from the forward.

    Returns:
        dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (H, D), "weight_hh" (H, H),
        "bias_ih" (H,), "bias_hh" (H,).
    """
    x, h_prev, weight_ih, weight_hh, a, nonlinearity = check_cache(cache, RNNStepCache)
    dh = check_upstream("dh", dh, like=a)
    if nonlinearity == "tanh":
        da = dh * (1.0 - np.tanh(a) ** 2)           # tanh'(a) = 1 - tanh(a)^2
    else:
        da = dh * (a > 0)                           # relu'(a) = 1 where a > 0, else 0
    return {"x": da @ weight_ih, "h_prev": da @ weight_hh,
            "weight_ih": da.T @ x, "weight_hh": da.T @ h_prev,
            "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}


# ----------------------------------------------------------------------------------------
# The LSTM (gate order i, f, g, o, as torch.nn.LSTM)
# ----------------------------------------------------------------------------------------

class LSTMStepCache(NamedTuple):
    x: np.ndarray            # (B, D)
    h_prev: np.ndarray       # (B, H)
    c_prev: np.ndarray       # (B, H)
    weight_ih: np.ndarray    # (4H, D)
    weight_hh: np.ndarray    # (4H, H)
    i: np.ndarray            # (B, H) input gate
    f: np.ndarray            # (B, H) forget gate
    g: np.ndarray            # (B, H) candidate
    o: np.ndarray            # (B, H) output gate
    c: np.ndarray            # (B, H) the new cell state


@step_arguments(gates=4)
def lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """One LSTM step, in torch.nn.LSTM's gate order i, f, g, o:

        [a_i, a_f, a_g, a_o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
        i_t = sigmoid(a_i)   f_t = sigmoid(a_f)   g_t = tanh(a_g)   o_t = sigmoid(a_o)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    Args:
        x: (B, D); h_prev, c_prev: (B, H);
        weight_ih: (4H, D); weight_hh: (4H, H); bias_ih, bias_hh: (4H,).

    Returns:
        (h, c), each (B, H), and a cache for :func:`lstm_step_backward`.
    """
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh     # (B, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)                        # each (B, H)
    i = sigmoid(a_i)                 # input gate: how much of the candidate to write
    f = sigmoid(a_f)                 # forget gate: how much of the old memory to keep
    g = np.tanh(a_g)                 # candidate: what could be written
    o = sigmoid(a_o)                 # output gate: how much of the memory to show
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return (h, c), LSTMStepCache(x, h_prev, c_prev, weight_ih, weight_hh, i, f, g, o, c)


def lstm_step_backward(dh, dc, cache):
    """Backward of :func:`lstm_step_forward`.

        dc_t  = dc + dh * o_t * (1 - tanh(c_t)^2)       c_t reaches the loss directly and via h_t
        da_i  = dc_t * g_t * i_t (1 - i_t)              da_f = dc_t * c_{t-1} * f_t (1 - f_t)
        da_g  = dc_t * i_t * (1 - g_t^2)                da_o = dh * tanh(c_t) * o_t (1 - o_t)
        dc_{t-1} = dc_t * f_t

    Args:
        dh, dc: (B, H) gradients of the loss with respect to the step's h and c.
        cache: from the forward.

    Returns:
        dict with "x" (B, D), "h_prev" (B, H), "c_prev" (B, H), "weight_ih" (4H, D),
        "weight_hh" (4H, H), "bias_ih" (4H,), "bias_hh" (4H,).
    """
    x, h_prev, c_prev, weight_ih, weight_hh, i, f, g, o, c = check_cache(cache, LSTMStepCache)
    dh = check_upstream("dh", dh, like=c)
    dc = check_upstream("dc", dc, like=c)
    tanh_c = np.tanh(c)
    dc_t = dc + dh * o * (1.0 - tanh_c ** 2)
    da_i = dc_t * g * i * (1.0 - i)
    da_f = dc_t * c_prev * f * (1.0 - f)
    da_g = dc_t * i * (1.0 - g ** 2)
    da_o = dh * tanh_c * o * (1.0 - o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)              # (B, 4H)
    return {"x": da @ weight_ih, "h_prev": da @ weight_hh, "c_prev": dc_t * f,
            "weight_ih": da.T @ x, "weight_hh": da.T @ h_prev,
            "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}


# ----------------------------------------------------------------------------------------
# The GRU (gate order r, z, n, as torch.nn.GRU)
# ----------------------------------------------------------------------------------------

class GRUStepCache(NamedTuple):
    x: np.ndarray            # (B, D)
    h_prev: np.ndarray       # (B, H)
    weight_ih: np.ndarray    # (3H, D)
    weight_hh: np.ndarray    # (3H, H)
    r: np.ndarray            # (B, H) reset gate
    z: np.ndarray            # (B, H) update gate
    n: np.ndarray            # (B, H) candidate state
    hn: np.ndarray           # (B, H) the hidden side of n's pre-activation (before the reset)
    reset_after: bool


@step_arguments(gates=3)
def gru_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, reset_after=True):
    """One GRU step, in torch.nn.GRU's gate order r, z, n:

        r_t = sigmoid(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)
        z_t = sigmoid(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_{t-1} W_hn^T + b_hn))    reset_after=True
        n_t = tanh(x_t W_in^T + b_in + (r_t * h_{t-1}) W_hn^T + b_hn)    reset_after=False
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    reset_after=True is PyTorch's (and cuDNN's) formula; reset_after=False applies the reset
    gate before the product with W_hn, as the published version of Cho et al. (2014) does.

    Args:
        x: (B, D); h_prev: (B, H); weight_ih: (3H, D); weight_hh: (3H, H);
        bias_ih, bias_hh: (3H,); reset_after: which formula for n (see above).

    Returns:
        h: (B, H), and a cache for :func:`gru_step_backward`.
    """
    x_r, x_z, x_n = np.split(x @ weight_ih.T + bias_ih, 3, axis=1)     # each (B, H)
    W_hr, W_hz, W_hn = np.split(weight_hh, 3)                          # each (H, H)
    b_hr, b_hz, b_hn = np.split(bias_hh, 3)                            # each (H,)
    r = sigmoid(x_r + h_prev @ W_hr.T + b_hr)      # reset gate
    z = sigmoid(x_z + h_prev @ W_hz.T + b_hz)      # update gate
    if reset_after:
        hn = h_prev @ W_hn.T + b_hn
        n = np.tanh(x_n + r * hn)
    else:
        hn = (r * h_prev) @ W_hn.T + b_hn
        n = np.tanh(x_n + hn)
    h = (1.0 - z) * n + z * h_prev
    return h, GRUStepCache(x, h_prev, weight_ih, weight_hh, r, z, n, hn, reset_after)


def gru_step_backward(dh, cache):
    """Backward of :func:`gru_step_forward`. h_{t-1} reaches h_t along three paths: directly
    (z * h_{t-1}), through the gates r and z, and through the candidate n.

    Args:
        dh: (B, H) gradient of the loss with respect to the step's output h.
        cache: from the forward.

    Returns:
        dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (3H, D), "weight_hh" (3H, H),
        "bias_ih" (3H,), "bias_hh" (3H,).
    """
    x, h_prev, weight_ih, weight_hh, r, z, n, hn, reset_after = check_cache(cache, GRUStepCache)
    dh = check_upstream("dh", dh, like=h_prev)
    W_hr, W_hz, W_hn = np.split(weight_hh, 3)
    da_n = dh * (1.0 - z) * (1.0 - n ** 2)          # to n's pre-activation, through tanh
    da_z = dh * (h_prev - n) * z * (1.0 - z)        # to z's pre-activation
    if reset_after:
        dhn = da_n * r                              # to h_{t-1} W_hn^T + b_hn
        da_r = da_n * hn * r * (1.0 - r)
        dW_hn = dhn.T @ h_prev
        dh_prev_via_n = dhn @ W_hn
    else:
        dhn = da_n                                  # to (r * h_{t-1}) W_hn^T + b_hn
        drh = da_n @ W_hn                           # to r * h_{t-1}
        da_r = drh * h_prev * r * (1.0 - r)
        dW_hn = dhn.T @ (r * h_prev)
        dh_prev_via_n = drh * r
    dh_prev = dh * z + dh_prev_via_n + da_r @ W_hr + da_z @ W_hz
    da_input = np.concatenate([da_r, da_z, da_n], axis=1)              # (B, 3H)
    da_hidden = np.concatenate([da_r, da_z, dhn], axis=1)              # (B, 3H)
    return {"x": da_input @ weight_ih, "h_prev": dh_prev,
            "weight_ih": da_input.T @ x,
            "weight_hh": np.concatenate([da_r.T @ h_prev, da_z.T @ h_prev, dW_hn]),
            "bias_ih": da_input.sum(axis=0), "bias_hh": da_hidden.sum(axis=0)}
