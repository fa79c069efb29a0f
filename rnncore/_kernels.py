"""The fast kernels behind the sequence layers: the same arithmetic as the readable step
functions of :mod:`rnncore.cells`, rearranged for speed.

The layers in :mod:`rnncore.layers` call these once per time step, on views of buffers
allocated once per sequence, and compute the input projections and the weight gradients of all
steps as single matrix products. Each kernel names the readable function it must equal; the
tests (``tests/library/test_kernels.py``) check that a layer built on these kernels gives the
numbers of the same layer run step by step with :mod:`rnncore.cells`, to a few units in the
last place.

Nothing here is part of the public interface: read :mod:`rnncore.cells` for the maths.
"""

import numpy as np


def sigmoid_(a):
    """a = 1 / (1 + exp(-a)) in place, as :func:`rnncore.cells.sigmoid` computes it (call inside
    ``np.errstate(over="ignore")``: exp overflows to inf for very negative a, giving exactly 0).
    """
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    return np.divide(1.0, a, out=a)


# ----------------------------------------------------------------------------------------
# Recurrence kernels: ``a`` holds the input side x_t W_ih^T + biases of one step and is
# overwritten with the activations; everything else is written into the given outputs.
# ----------------------------------------------------------------------------------------

def rnn_recurrence(a, h_prev, weight_hh, nonlinearity):
    """h_t = act(a + h_prev W_hh^T), computed in place: on return ``a`` holds h_t.
    Must equal :func:`rnncore.cells.rnn_step_forward`.

    a (B, H) = x_t W_ih^T + b_ih + b_hh; h_prev (B, H); weight_hh (H, H).
    """
    a += h_prev @ weight_hh.T
    if nonlinearity == "tanh":
        np.tanh(a, out=a)
    else:
        np.maximum(a, 0.0, out=a)
    return a


def rnn_recurrence_backward(dh, h, weight_hh, nonlinearity, da):
    """Backward of :func:`rnn_recurrence`: writes dL/da into ``da`` and returns dL/dh_prev.
    With :func:`parameter_gradients`, must equal :func:`rnncore.cells.rnn_step_backward`."""
    if nonlinearity == "tanh":
        np.multiply(h, h, out=da)
        np.subtract(1.0, da, out=da)   # tanh' = 1 - h^2
        da *= dh
    else:
        np.multiply(dh, h > 0, out=da)
    return da @ weight_hh


def by_gate(a, gate_count):
    """View a (..., B, G*H) array gate by gate as (..., G, B, H), without copying."""
    *lead, B, GH = a.shape
    return a.reshape(*lead, B, gate_count, GH // gate_count).swapaxes(-3, -2)


# Inside the LSTM kernels the gates are stored gate-major, in the order i, f, o, g: the three
# sigmoid gates side by side, so that one call computes all three. Their pre-activations enter
# with the sign flipped, because exp(-x) is all a sigmoid needs of x: flipping the signs of
# those gates' weights and biases once saves negating every pre-activation at every step, and
# changes no digit of the result.
LSTM_KERNEL_ORDER = [0, 1, 3, 2]                    # torch's i, f, g, o -> i, f, o, g
LSTM_KERNEL_SIGNS = np.array([-1.0, -1.0, -1.0, 1.0])


def lstm_kernel_weight(weight):
    """torch's (4H, K) weight, or (4H,) bias, as the LSTM kernels take it: (4, K, H), gate by
    gate in the order i, f, o, g, each block transposed, the sigmoid gates' signs flipped."""
    by_gate_rows = weight.reshape(4, weight.shape[0] // 4, -1)[LSTM_KERNEL_ORDER]  # (4, H, K)
    signs = LSTM_KERNEL_SIGNS.astype(weight.dtype)[:, None, None]
    return np.multiply(by_gate_rows.transpose(0, 2, 1), signs, order="C")  # C order: faster GEMMs


def lstm_recurrence(a, h_prev, c_prev, weight_hh_t, scratch, c, tanh_c, h):
    """One LSTM step; must equal :func:`rnncore.cells.lstm_step_forward`. Call it inside
    ``np.errstate(over="ignore")`` (see :func:`sigmoid_`).

    a (4, B, H): the input side x_t W_ih^T + b_ih + b_hh, as ``x_t @ lstm_kernel_weight(W_ih)
    + lstm_kernel_weight(b_ih + b_hh)`` gives it: [-a_i, -a_f, -a_o, a_g]. The step adds
    h_prev W_hh^T (weight_hh_t = ``lstm_kernel_weight(W_hh)``, (4, H, H)) and overwrites ``a``
    with the activations [i, f, o, g]. scratch (4, B, H) is working space; c, tanh_c, h (B, H)
    receive c = f * c_prev + i * g, tanh(c) and h = o * tanh(c).
    """
    np.matmul(h_prev, weight_hh_t, out=scratch)
    a += scratch
    sigmoid_gates = a[:3]
    np.exp(sigmoid_gates, out=sigmoid_gates)          # sigmoid(x) = 1 / (1 + exp(-x))
    sigmoid_gates += 1.0
    np.divide(1.0, sigmoid_gates, out=sigmoid_gates)
    np.tanh(a[3], out=a[3])
    i, f, o, g = a[0], a[1], a[2], a[3]
    np.multiply(f, c_prev, out=c)
    np.multiply(i, g, out=tanh_c)                     # tanh_c doubles as scratch space
    c += tanh_c
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)


def lstm_backward_coefficients(gates, c_prev, tanh_c):
    """Everything the LSTM backward needs that does not depend on the upstream gradient.

    With dc_t = dc + dh * k the total gradient reaching c_t, the pre-activation gradients are
    da = [dc_t, dc_t, dc_t, dh] * m (torch's order i, f, g, o). Works on one step or on a run
    of steps at once, which is how the layer calls it: a few large operations instead of many
    small ones.

    gates (..., 4, B, H): the activations as :func:`lstm_recurrence` leaves them, [i, f, o, g];
    c_prev, tanh_c (..., B, H). Returns m (..., 4, B, H) = [g i(1-i), c_prev f(1-f),
    i (1-g^2), tanh_c o(1-o)] and k (..., B, H) = o (1 - tanh_c^2).
    """
    i, o, g = gates[..., 0, :, :], gates[..., 2, :, :], gates[..., 3, :, :]
    sigmoid_gates = gates[..., :3, :, :]
    slope = np.subtract(1.0, sigmoid_gates)
    slope *= sigmoid_gates                          # sigmoid' = s (1 - s), for i, f, o
    m = np.empty_like(gates)
    m_i, m_f, m_g, m_o = (m[..., n, :, :] for n in range(4))
    np.multiply(slope[..., 0, :, :], g, out=m_i)
    np.multiply(slope[..., 1, :, :], c_prev, out=m_f)
    np.multiply(slope[..., 2, :, :], tanh_c, out=m_o)
    np.multiply(g, g, out=m_g)
    np.subtract(1.0, m_g, out=m_g)                  # tanh' = 1 - g^2
    m_g *= i
    k = np.multiply(tanh_c, tanh_c)
    np.subtract(1.0, k, out=k)
    k *= o
    return m, k


def lstm_recurrence_backward(dh, dc, f, m, k, weight_hh, da, da_flat, scratch):
    """Backward of :func:`lstm_recurrence`, with m and k from :func:`lstm_backward_coefficients`;
    with :func:`parameter_gradients`, must equal :func:`rnncore.cells.lstm_step_backward`.

    dh, dc (B, H): total gradients reaching h_t and c_t (from the output and from step t+1);
    f (B, H): the forget gate; m (4, B, H), k (B, H). Writes dL/da into ``da`` (4, B, H), a
    gate-major view of ``da_flat`` (B, 4H) in torch's order, and returns (dh_prev, dc_prev).
    weight_hh is W_hh as torch has it, (4H, H), for one product da_flat @ W_hh, or gate by
    gate, (4, H, H), for four smaller ones into ``scratch`` (4, B, H), summed: faster, except
    for a batch of one.
    """
    dc_t = dh * k
    dc_t += dc
    np.multiply(m[:3], dc_t, out=da[:3])
    np.multiply(m[3], dh, out=da[3])
    dc_t *= f
    if weight_hh.ndim == 2:
        return np.dot(da_flat, weight_hh), dc_t
    return np.matmul(da, weight_hh, out=scratch).sum(axis=0), dc_t


def gru_recurrence(a, h_prev, weight_hh, bias_hh, reset_after, gh, rh, h):
    """One GRU step; must equal :func:`rnncore.cells.gru_step_forward`.
    a (B, 3H) = x_t W_ih^T + b_ih, overwritten by [r, z, n]. Call it inside
    ``np.errstate(over="ignore")`` (see :func:`sigmoid_`).

    gh (B, 3H) receives the hidden projection (what multiplies into the gates from h_prev).
    reset_after=True (PyTorch):  n = tanh(a_n + r * (h_prev W_hn^T + b_hn))
    reset_after=False (Cho et al., 2014): n = tanh(a_n + (r * h_prev) W_hn^T + b_hn),
    with r * h_prev written into ``rh`` (B, H). Then h = (1 - z) * n + z * h_prev.
    """
    H = h_prev.shape[-1]
    if reset_after:
        np.matmul(h_prev, weight_hh.T, out=gh)
        gh += bias_hh
    else:
        np.matmul(h_prev, weight_hh[:2 * H].T, out=gh[..., :2 * H])
        gh[..., :2 * H] += bias_hh[:2 * H]
    rz = a[..., :2 * H]
    rz += gh[..., :2 * H]
    sigmoid_(rz)
    r, z, n = a[..., :H], a[..., H:2 * H], a[..., 2 * H:]
    if reset_after:
        n += r * gh[..., 2 * H:]
    else:
        np.multiply(r, h_prev, out=rh)
        np.matmul(rh, weight_hh[2 * H:].T, out=gh[..., 2 * H:])
        gh[..., 2 * H:] += bias_hh[2 * H:]
        n += gh[..., 2 * H:]
    np.tanh(n, out=n)
    np.subtract(h_prev, n, out=h)
    h *= z
    h += n


def gru_recurrence_backward(dh, gates, gh, h_prev, weight_hh, reset_after, da, dgh):
    """Backward of :func:`gru_recurrence`; with :func:`parameter_gradients`, must equal
    :func:`rnncore.cells.gru_step_backward`.

    dh (B, H): total gradient reaching h_t; gates (B, 3H): [r, z, n]; gh (B, 3H) as written
    by the forward. Writes dL/da into ``da`` and dL/dgh into ``dgh`` (both (B, 3H); dgh is
    what the hidden weights and bias_hh see) and returns dh_prev.
    """
    H = h_prev.shape[-1]
    r, z, n = gates[..., :H], gates[..., H:2 * H], gates[..., 2 * H:]
    dr, dz, dn = da[..., :H], da[..., H:2 * H], da[..., 2 * H:]
    np.subtract(h_prev, n, out=dz)
    dz *= dh
    dh_prev = dh * z
    np.subtract(1.0, z, out=dn)
    dn *= dh
    dn *= 1.0 - n * n                       # through tanh: now dL/d(pre-activation of n)
    if reset_after:
        np.multiply(dn, r, out=dgh[..., 2 * H:])
        np.multiply(dn, gh[..., 2 * H:], out=dr)
    else:
        dgh[..., 2 * H:] = dn
        drh = dn @ weight_hh[2 * H:]
        np.multiply(drh, h_prev, out=dr)
        drh *= r
        dh_prev += drh
    slope = 1.0 - gates[..., :2 * H]
    slope *= gates[..., :2 * H]
    da[..., :2 * H] *= slope
    dgh[..., :2 * H] = da[..., :2 * H]
    if reset_after:
        dh_prev += dgh @ weight_hh
    else:
        dh_prev += dgh[..., :2 * H] @ weight_hh[:2 * H]
    return dh_prev


def parameter_gradients(da, dgh, x, h_in, weight_ih, dh_prev, rh=None):
    """The gradients every cell shares once dL/da (input side) and dL/dgh (hidden side) are
    known, for all T*B rows at once, so that each weight gradient is one GEMM.

    da (N, G*H) multiplies x (N, D); dgh (N, G*H) multiplies h_in (N, H), except that for the
    reset-before GRU the n rows multiply rh = r * h_prev (N, H).
    """
    weight_hh = dgh.T @ h_in
    if rh is not None:
        H = rh.shape[-1]
        weight_hh[2 * H:] = dgh[:, 2 * H:].T @ rh
    ones = np.ones(len(da), dtype=da.dtype)       # column sums as a GEMV: faster than .sum(0)
    bias_ih = ones @ da
    return {"x": da @ weight_ih, "h_prev": dh_prev,
            "weight_ih": da.T @ x, "weight_hh": weight_hh,
            "bias_ih": bias_ih, "bias_hh": bias_ih.copy() if dgh is da else ones @ dgh}




# ----------------------------------------------------------------------------------------
# One direction of a layer over a whole sequence: the fast path of rnncore.layers, which
# calls ``CELL_forward(x, state, p, ...)`` and ``CELL_backward(dout, dstate, cache, p, ...)``
# where its readable path loops over the step functions of rnncore.cells. x is (T, B, D),
# state the initial [h] or [h, c], p the direction's four parameters; a forward returns the
# outputs (T, B, H), the final state and its cache; a backward returns dx (T, B, D), the
# gradients of the initial state and the parameters' gradients.
# ----------------------------------------------------------------------------------------

# Elements of per-step temporaries processed together: 512 KB in float32, which a core's L2
# cache holds (measured best of 2^15 to 2^18 on a 1 MB L2).
CACHE_ELEMENTS = 1 << 17


def input_projection(x, weight_ih, gate_bias):
    """x (T, B, D) -> x W_ih^T + gate_bias as (T, B, G*H), in a single GEMM."""
    T, B, D = x.shape
    a = (x.reshape(T * B, D) @ weight_ih.T).reshape(T, B, -1)
    a += gate_bias
    return a


def direction_gradients(x, da, dgh, h_in, p, dh0, rh=None):
    """:func:`parameter_gradients` of one direction, for all steps at once; returns dx as
    (T, B, D) and the gradients."""
    T, B, D = x.shape

    def flat(a):
        return None if a is None else a.reshape(T * B, a.shape[-1])

    da_flat = flat(da)
    grads = parameter_gradients(da_flat, da_flat if dgh is da else flat(dgh), flat(x),
                                flat(h_in), p["weight_ih"], dh0, flat(rh))
    return grads.pop("x").reshape(T, B, D), grads


def rnn_forward(x, state, p, nonlinearity):
    T, B, _ = x.shape
    hs = np.empty((T + 1, B, p["weight_hh"].shape[1]), dtype=x.dtype)    # hs[t + 1] = h_t
    hs[0] = state[0]
    hs[1:] = input_projection(x, p["weight_ih"], p["bias_ih"] + p["bias_hh"])
    for t in range(T):
        rnn_recurrence(hs[t + 1], hs[t], p["weight_hh"], nonlinearity)
    return hs[1:], [hs[T]], (x, hs)


def rnn_backward(dout, dstate, cache, p, nonlinearity):
    x, hs = cache
    T = x.shape[0]
    da = np.empty_like(dout)
    dh = dstate[0].copy()
    for t in reversed(range(T)):
        dh += dout[t]
        dh = rnn_recurrence_backward(dh, hs[t + 1], p["weight_hh"], nonlinearity, da[t])
    dx, grads = direction_gradients(x, da, da, hs[:T], p, dh)
    return dx, [grads.pop("h_prev")], grads


def lstm_gate_inputs(x, p):
    """The input side of every step, as :func:`lstm_recurrence` takes it, viewed as
    (T, 4, B, H) with each step's gate blocks contiguous: computed gate-major, (4, T, B, H),
    in one batched GEMM; for B = 1, (T, 4H) already keeps each step's gates together."""
    T, B, D = x.shape
    weight = lstm_kernel_weight(p["weight_ih"])                         # (4, D, H)
    bias = lstm_kernel_weight(p["bias_ih"] + p["bias_hh"])              # (4, 1, H)
    x_flat = x.reshape(T * B, D)
    if B == 1:
        a = x_flat @ weight.transpose(1, 0, 2).reshape(D, -1)        # (T, 4H)
        a += bias.reshape(-1)
        return a.reshape(T, 4, 1, -1)
    a = np.matmul(x_flat, weight)                                       # (4, T*B, H)
    a += bias
    return a.reshape(4, T, B, -1).swapaxes(0, 1)


def lstm_forward(x, state, p):
    T, B, _ = x.shape
    H = p["weight_hh"].shape[1]
    gates = lstm_gate_inputs(x, p)           # (T, 4, B, H); each step turns its own block
    scratch = np.empty_like(gates[0])        # into the activations i, f, o, g, in place
    hs = np.empty((T + 1, B, H), dtype=x.dtype)                  # hs[t + 1] = h_t
    cs = np.empty((T + 1, B, H), dtype=x.dtype)
    tanh_cs = np.empty((T, B, H), dtype=x.dtype)
    hs[0], cs[0] = state
    weight_hh_t = lstm_kernel_weight(p["weight_hh"])               # (4, H, H)
    with np.errstate(over="ignore"):
        for t in range(T):
            lstm_recurrence(gates[t], hs[t], cs[t], weight_hh_t, scratch,
                            cs[t + 1], tanh_cs[t], hs[t + 1])
    return hs[1:], [hs[T], cs[T]], (x, gates, hs, cs, tanh_cs)


def lstm_backward(dout, dstate, cache, p):
    x, gates, hs, cs, tanh_cs = cache
    T, B, H = dout.shape
    # da keeps torch's (T, B, 4H) layout, so that the weight gradients are single GEMMs;
    # the step kernel writes it through a gate-major view.
    da = np.empty((T, B, 4 * H), dtype=dout.dtype)
    da_by_gate = by_gate(da, 4)                                         # (T, 4, B, H)
    scratch = np.empty_like(gates[0])
    # per-gate products of the hidden weights, except for a batch of one (see the kernel)
    weight_hh = p["weight_hh"] if B == 1 else p["weight_hh"].reshape(4, H, H)
    dh, dc = (d.copy() for d in dstate)
    # The coefficients are computed a few steps at a time, so that they are still in the
    # cache when the loop reads them (whole-sequence arrays would not be).
    chunk = max(1, CACHE_ELEMENTS // gates[0].size)
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        m, k = lstm_backward_coefficients(gates[start:stop], cs[start:stop],
                                          tanh_cs[start:stop])
        for t in reversed(range(start, stop)):
            dh += dout[t]
            dh, dc = lstm_recurrence_backward(dh, dc, gates[t, 1], m[t - start], k[t - start],
                                              weight_hh, da_by_gate[t], da[t], scratch)
    dx, grads = direction_gradients(x, da, da, hs[:T], p, dh)
    return dx, [grads.pop("h_prev"), dc], grads


def gru_forward(x, state, p, reset_after):
    T, B, _ = x.shape
    H = p["weight_hh"].shape[1]
    gates = input_projection(x, p["weight_ih"], p["bias_ih"])          # (T, B, 3H)
    gh = np.empty_like(gates)
    rh = np.empty((T, B, H), dtype=x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = state[0]
    with np.errstate(over="ignore"):
        for t in range(T):
            gru_recurrence(gates[t], hs[t], p["weight_hh"], p["bias_hh"], reset_after, gh[t],
                           rh[t], hs[t + 1])
    return hs[1:], [hs[T]], (x, gates, gh, rh, hs)


def gru_backward(dout, dstate, cache, p, reset_after):
    x, gates, gh, rh, hs = cache
    T = x.shape[0]
    da, dgh = np.empty_like(gates), np.empty_like(gh)
    dh = dstate[0].copy()
    for t in reversed(range(T)):
        dh += dout[t]
        dh = gru_recurrence_backward(dh, gates[t], gh[t], hs[t], p["weight_hh"], reset_after,
                                     da[t], dgh[t])
    rh_flat = None if reset_after else rh.reshape(-1, rh.shape[-1])
    dx, grads = direction_gradients(x, da, dgh, hs[:T], p, dh, rh_flat)
    return dx, [grads.pop("h_prev")], grads
