"""An independent, deliberately plain implementation of the three cells, written from the
published formulas gate by gate, for the tests to compare rnncore against (no rnncore code)."""

import numpy as np


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def split(w, parts):
    return np.split(w, parts, axis=0)


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    return np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0.0)


def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    (wii, wif, wig, wio), (whi, whf, whg, who) = split(w_ih, 4), split(w_hh, 4)
    (bii, bif, big, bio), (bhi, bhf, bhg, bho) = split(b_ih, 4), split(b_hh, 4)
    i = sig(x @ wii.T + bii + h @ whi.T + bhi)
    f = sig(x @ wif.T + bif + h @ whf.T + bhf)
    g = np.tanh(x @ wig.T + big + h @ whg.T + bhg)
    o = sig(x @ wio.T + bio + h @ who.T + bho)
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh, reset_after=True):
    (wir, wiz, win), (whr, whz, whn) = split(w_ih, 3), split(w_hh, 3)
    (bir, biz, bin_), (bhr, bhz, bhn) = split(b_ih, 3), split(b_hh, 3)
    r = sig(x @ wir.T + bir + h @ whr.T + bhr)
    z = sig(x @ wiz.T + biz + h @ whz.T + bhz)
    if reset_after:
        n = np.tanh(x @ win.T + bin_ + r * (h @ whn.T + bhn))
    else:
        n = np.tanh(x @ win.T + bin_ + (r * h) @ whn.T + bhn)
    return (1.0 - z) * n + z * h


def sequence(kind, params, x, h0, c0=None, num_layers=1, bidirectional=False, **cell_kw):
    """Time-major x (T, B, D); h0/c0 (L*dirs, B, H). Returns output, h_n, c_n (c_n None
    unless LSTM). params use torch.nn's names."""
    dirs = 2 if bidirectional else 1
    T = x.shape[0]
    layer_input = x
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w = [params[n + sfx] for n in ("weight_ih", "weight_hh")]
            H = w[1].shape[1]
            b = [params.get(n + sfx, np.zeros(w[0].shape[0])) for n in ("bias_ih", "bias_hh")]
            k = layer * dirs + d
            h, c = h0[k], (c0[k] if c0 is not None else None)
            out = np.zeros((T, x.shape[1], H))
            for t in (reversed(range(T)) if d else range(T)):
                if kind == "lstm":
                    h, c = lstm_cell(layer_input[t], h, c, *w, *b)
                elif kind == "gru":
                    h = gru_cell(layer_input[t], h, *w, *b, **cell_kw)
                else:
                    h = rnn_cell(layer_input[t], h, *w, *b, **cell_kw)
                out[t] = h
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        layer_input = np.concatenate(outs, axis=-1)
    return layer_input, np.stack(h_n), (np.stack(c_n) if kind == "lstm" else None)
