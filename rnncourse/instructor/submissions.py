"""Sample submissions built from the nbgrader source notebooks: the model solution, the blank
release, and a catalogue of typical mistakes, each written as an edit of the solution.

These drive the tests of the grading set-up and ``make grade-demo``.
"""

import copy
from dataclasses import dataclass

import nbformat

from ..manifest import assignments

ASSIGNMENTS = tuple(assignments())


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def strip_solution_markers(source):
    """The solution cell's text as a learner would have typed it (markers removed)."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def solution_submission(source_nb, release_nb):
    """The release notebook with every answer cell filled in from the source notebook."""
    answers = {grade_id(c): strip_solution_markers(c.source) for c in source_nb.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    submission = copy.deepcopy(release_nb)
    for cell in submission.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return submission


@dataclass(frozen=True)
class Mistake:
    """A typical error: replace ``old`` by ``new`` in answer cell ``cell``; the test cells in
    ``breaks`` must then score below full marks."""
    name: str
    cell: str
    old: str
    new: str
    breaks: tuple


def with_mistake(submission, mistake):
    """A copy of a submission with one mistake applied (the text must occur exactly once)."""
    result = copy.deepcopy(submission)
    (cell,) = [c for c in result.cells if grade_id(c) == mistake.cell]
    count = cell.source.count(mistake.old)
    if count != 1:
        raise ValueError(f"mistake {mistake.name!r}: {mistake.old!r} occurs {count} times in "
                         f"cell {mistake.cell!r}, expected once")
    cell.source = cell.source.replace(mistake.old, mistake.new)
    return result


M = Mistake
MISTAKES = {
    "rnn": [
        M("ReLU instead of tanh", "rnn_step_forward", "h = np.tanh(", "h = np.maximum(0, ",
          ("test_rnn_step_forward",)),
        M("bias_hh dropped", "rnn_step_forward", " + bias_hh)", ")", ("test_rnn_step_forward",)),
        M("bias_ih dropped", "rnn_step_forward", " + bias_ih", "", ("test_rnn_step_forward",)),
        M("input weight not transposed", "rnn_step_forward", "x @ weight_ih.T", "x @ weight_ih",
          ("test_rnn_step_forward",)),
        M("recurrent weight not transposed", "rnn_step_forward", "h_prev @ weight_hh.T",
          "h_prev @ weight_hh", ("test_rnn_step_forward",)),
        M("state not carried", "rnn_forward", "rnn_step_forward(x_t, h,",
          "rnn_step_forward(x_t, h0,", ("test_rnn_forward",)),
        M("off by one in time", "rnn_forward", "return np.stack(hs)",
          "return np.stack([h0] + hs[:-1])", ("test_rnn_forward",)),
        M("backward outputs left reversed", "bidirectional",
          "**backward_weights)[::-1]", "**backward_weights)", ("test_bidirectional",)),
        M("directions swapped", "bidirectional", "[forward, backward]", "[backward, forward]",
          ("test_bidirectional",)),
        M("backward direction reads forwards", "bidirectional", "rnn_forward(x[::-1],",
          "rnn_forward(x,", ("test_bidirectional",)),
        M("second layer reads the input", "stacked", "hs = rnn_forward(hs,",
          "hs = rnn_forward(x,", ("test_stacked",)),
        M("readout on the first state", "readout", "hs[-1] @", "hs[0] @", ("test_readout",)),
        M("readout bias dropped", "readout", " + readout_bias", "", ("test_readout",)),
    ],
    "bptt": [
        M("tanh slope 1 - h", "rnn_step_backward", "(1.0 - h * h)", "(1.0 - h)",
          ("test_rnn_step_backward", "test_rnn_backward")),
        M("no tanh slope", "rnn_step_backward", "da = dh * (1.0 - h * h)", "da = dh",
          ("test_rnn_step_backward", "test_rnn_backward")),
        M("weight gradient transposed", "rnn_step_backward", '"weight_ih": da.T @ x',
          '"weight_ih": x.T @ da', ("test_rnn_step_backward", "test_rnn_backward")),
        M("bias gradient averaged", "rnn_step_backward", '"bias_ih": da.sum(axis=0)',
          '"bias_ih": da.mean(axis=0)', ("test_rnn_step_backward", "test_rnn_backward")),
        M("h_prev gradient through W^T", "rnn_step_backward", '"h_prev": da @ weight_hh',
          '"h_prev": da @ weight_hh.T', ("test_rnn_step_backward", "test_rnn_backward")),
        M("no gradient from the next step", "rnn_backward", "dhs[t] + dh_next", "dhs[t]",
          ("test_rnn_backward",)),
        M("dx left in reverse order", "rnn_backward", "np.stack(dx[::-1])", "np.stack(dx)",
          ("test_rnn_backward",)),
        M("weight gradients not summed over time", "rnn_backward",
          "grads[name] = grads[name] + step[name]", "grads[name] = step[name]",
          ("test_rnn_backward",)),
        M("difference not divided by 2h", "numerical_gradient", "(plus - minus) / (2 * h)",
          "(plus - minus) / h", ("test_numerical_gradient",)),
        M("x not restored", "numerical_gradient", "        x[index] = original\n", "",
          ("test_numerical_gradient",)),
        M("each array clipped on its own", "clip", "g * scale for",
          "g * min(1.0, max_norm / np.linalg.norm(g)) for", ("test_clip",)),
        M("norm after clipping returned", "clip", "}, norm", "}, min(norm, max_norm)",
          ("test_clip",)),
        M("tanh slopes left out of the product", "jacobian_norms",
          "product @ ((1.0 - hs[t] ** 2)[:, None] * weight_hh)", "product @ weight_hh",
          ("test_jacobian_norms",)),
    ],
    "lstm": [
        M("gate order f, i", "lstm_step_forward", "i, f = sigmoid", "f, i = sigmoid",
          ("test_lstm_step_forward", "test_lstm_forward")),
        M("sigmoid for the candidate", "lstm_step_forward", "g, o = np.tanh(", "g, o = sigmoid(",
          ("test_lstm_step_forward", "test_lstm_forward")),
        M("old cell state dropped", "lstm_step_forward", "c = f * c_prev + i * g", "c = i * g",
          ("test_lstm_step_forward", "test_lstm_forward")),
        M("h without tanh", "lstm_step_forward", "h = o * np.tanh(c)", "h = o * c",
          ("test_lstm_step_forward", "test_lstm_forward")),
        M("bias_hh dropped", "lstm_step_forward", " + bias_hh\n", "\n",
          ("test_lstm_step_forward", "test_lstm_forward")),
        M("input weight not transposed", "lstm_step_forward", "x @ weight_ih.T",
          "x @ weight_ih", ("test_lstm_step_forward", "test_lstm_forward")),
        M("c_prev gradient without the forget gate", "lstm_step_backward",
          '"c_prev": dc_total * f', '"c_prev": dc_total', ("test_lstm_step_backward",)),
        M("no gradient from h into c", "lstm_step_backward",
          "dc_total = dc + dh * o * (1.0 - tanh_c ** 2)", "dc_total = dc",
          ("test_lstm_step_backward",)),
        M("output gate gradient without tanh(c)", "lstm_step_backward",
          "dh * tanh_c * o * (1.0 - o)", "dh * o * (1.0 - o)", ("test_lstm_step_backward",)),
        M("cell state not carried", "lstm_forward", "lstm_step_forward(x_t, h, c,",
          "lstm_step_forward(x_t, h, c0,", ("test_lstm_forward",)),
        M("initial state returned as final", "lstm_forward", "return np.stack(hs), (h, c)",
          "return np.stack(hs), (h0, c0)", ("test_lstm_forward",)),
        M("biases not counted", "count", "4 * (H * D + H * H + 2 * H)",
          "4 * (H * D + H * H)", ("test_count",)),
    ],
    "gru": [
        M("update gate mixes the wrong way", "gru_step_forward",
          "(1.0 - z) * n + z * h_prev", "z * n + (1.0 - z) * h_prev",
          ("test_gru_forward_after", "test_gru_forward_before")),
        M("reset gate left out (reset after)", "gru_step_forward",
          "n = np.tanh(gi[:, 2 * H:] + r * hn)", "n = np.tanh(gi[:, 2 * H:] + hn)",
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
    ],
}


def read(path):
    return nbformat.read(str(path), as_version=4)
