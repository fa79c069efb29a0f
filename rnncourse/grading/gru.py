"""The gru assignment's checks: one step forward and backward in both variants (reset after,
as PyTorch; reset before, as the published version of Cho et al. 2014) and the count of
parameters, all shared with the other cells; and the catalogue."""

from .catalogue import Mistake as M
from .cells import parameter_count_case, step_backward_case, step_forward_case
from .framework import Part

__all__ = ["Part", "step_forward_case", "step_backward_case", "parameter_count_case"]


# -- the catalogue: typical mistakes, each losing exactly the parts it names, and honest
# variants, each keeping full marks with the note it names --------------------------------

MISTAKES = [
    M("h computed in h_prev's array", "gru_step_forward", "    h = (1.0 - z) * n + z * h_prev",
      "    h = h_prev\n    h *= z\n    h += (1.0 - z) * n",
      ("test_gru_forward_after", "test_gru_forward_before")),
    M("gates read in the order z, r", "gru_step_forward",
      "r = sigmoid(gi[:, :H] + gh[:, :H])\n    z = sigmoid(gi[:, H:2 * H] + gh[:, H:])",
      "z = sigmoid(gi[:, :H] + gh[:, :H])\n    r = sigmoid(gi[:, H:2 * H] + gh[:, H:])",
      ("test_gru_forward_after", "test_gru_forward_before")),
    M("update gate mixes the wrong way", "gru_step_forward",
      "(1.0 - z) * n + z * h_prev", "z * n + (1.0 - z) * h_prev",
      ("test_gru_forward_after", "test_gru_forward_before")),
    M("reset gate left out (reset after)", "gru_step_forward",
      "n = np.tanh(gi[:, 2 * H:] + r * hn)", "n = np.tanh(gi[:, 2 * H:] + hn)",
      ("test_gru_forward_after",)),
    M("reset gate not applied to b_hn (reset after)", "gru_step_forward",
      "n = np.tanh(gi[:, 2 * H:] + r * hn)",
      "n = np.tanh(gi[:, 2 * H:] + r * (hn - bias_hh[2 * H:]) + bias_hh[2 * H:])",
      ("test_gru_forward_after",)),
    M("reset_after ignored", "gru_step_forward", "    if reset_after:", "    if True:",
      ("test_gru_forward_before",)),
    M("gate biases from h dropped", "gru_step_forward",
      "h_prev @ weight_hh[:2 * H].T + bias_hh[:2 * H]", "h_prev @ weight_hh[:2 * H].T",
      ("test_gru_forward_after", "test_gru_forward_before")),
    M("tanh for the reset gate", "gru_step_forward", "r = sigmoid(", "r = np.tanh(",
      ("test_gru_forward_after", "test_gru_forward_before")),
    M("update gradient sign flipped", "gru_step_backward", "dz = dh * (h_prev - n)",
      "dz = dh * (n - h_prev)", ("test_gru_backward_after", "test_gru_backward_before")),
    M("direct path from h_prev missing", "gru_step_backward", "dh_prev = dh * z\n",
      "dh_prev = 0.0 * dh\n", ("test_gru_backward_after", "test_gru_backward_before")),
    M("reset-before W_hn gradient uses h, not r * h", "gru_step_backward",
      "dweight_hn = dn.T @ (r * h_prev)", "dweight_hn = dn.T @ h_prev",
      ("test_gru_backward_before",)),
    M("bias_hh gradient copied from bias_ih", "gru_step_backward",
      '"bias_hh": dgh.sum(axis=0)', '"bias_hh": dgi.sum(axis=0)',
      ("test_gru_backward_after",)),
    M("tanh slope of n missing", "gru_step_backward", " * (1.0 - n ** 2)", "",
      ("test_gru_backward_after", "test_gru_backward_before")),
    M("reset gradient without h W_hn (reset after)", "gru_step_backward",
      "dr = dn * hn * r * (1.0 - r)", "dr = dn * r * (1.0 - r)",
      ("test_gru_backward_after",)),
    M("one bias per gate counted", "count", "3 * (H * D + H * H + 2 * H)",
      "3 * (H * D + H * H + H)", ("test_count",)),
]

HONEST = [
    M("updates dh_prev in place", "gru_step_backward", "    dh_prev = dh * z\n",
      "    dh_prev = dh\n    dh_prev *= z\n", "changed its argument `dh` in place"),
]
