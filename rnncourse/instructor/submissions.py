"""Sample submissions built from the nbgrader source notebooks: the model solution, the blank
release, a catalogue of typical mistakes and of honest variants (each an edit of the
solution), and hostile submissions that try to earn points without doing the work.

These drive the tests of the grading set-up, ``make grade-demo`` and the documentation's own
commands.
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
    """A typical error: replace ``old`` by ``new`` in answer cell ``cell``. The test cells in
    ``breaks`` must then score below full marks, and every other test cell keeps them (a later
    part is graded on its own code)."""
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
        M("tanh written with exp (overflows)", "rnn_step_forward",
          "    h = np.tanh(x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh)",
          "    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh\n"
          "    h = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))",
          ("test_rnn_step_forward",)),
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
          ("test_rnn_step_backward",)),
        M("no tanh slope", "rnn_step_backward", "da = dh * (1.0 - h * h)", "da = dh",
          ("test_rnn_step_backward",)),
        M("weight gradient transposed", "rnn_step_backward", '"weight_ih": da.T @ x',
          '"weight_ih": x.T @ da', ("test_rnn_step_backward",)),
        M("bias gradient averaged", "rnn_step_backward", '"bias_ih": da.sum(axis=0)',
          '"bias_ih": da.mean(axis=0)', ("test_rnn_step_backward",)),
        M("h_prev gradient through W^T", "rnn_step_backward", '"h_prev": da @ weight_hh',
          '"h_prev": da @ weight_hh.T', ("test_rnn_step_backward",)),
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
          ("test_lstm_step_forward", "test_lstm_step_backward")),
        M("gates read in the order i, f, o, g", "lstm_step_forward",
          "g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
          "o, g = sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])",
          ("test_lstm_step_forward", "test_lstm_step_backward")),
        M("sigmoid for the candidate", "lstm_step_forward", "g, o = np.tanh(", "g, o = sigmoid(",
          ("test_lstm_step_forward", "test_lstm_step_backward")),
        M("old cell state dropped", "lstm_step_forward", "c = f * c_prev + i * g", "c = i * g",
          ("test_lstm_step_forward", "test_lstm_step_backward")),
        M("h without tanh", "lstm_step_forward", "h = o * np.tanh(c)", "h = o * c",
          ("test_lstm_step_forward",)),
        M("bias_hh dropped", "lstm_step_forward", " + bias_hh\n", "\n",
          ("test_lstm_step_forward", "test_lstm_step_backward")),
        M("input weight not transposed", "lstm_step_forward", "x @ weight_ih.T",
          "x @ weight_ih", ("test_lstm_step_forward", "test_lstm_step_backward")),
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
          ("test_gru_forward_after", "test_gru_backward_after")),
        M("reset gate not applied to b_hn (reset after)", "gru_step_forward",
          "n = np.tanh(gi[:, 2 * H:] + r * hn)",
          "n = np.tanh(gi[:, 2 * H:] + r * (hn - bias_hh[2 * H:]) + bias_hh[2 * H:])",
          ("test_gru_forward_after", "test_gru_backward_after")),
        M("reset_after ignored", "gru_step_forward", "    if reset_after:", "    if True:",
          ("test_gru_forward_before", "test_gru_backward_before")),
        M("gate biases from h dropped", "gru_step_forward",
          "h_prev @ weight_hh[:2 * H].T + bias_hh[:2 * H]", "h_prev @ weight_hh[:2 * H].T",
          ("test_gru_forward_after", "test_gru_forward_before",
           "test_gru_backward_after", "test_gru_backward_before")),
        M("tanh for the reset gate", "gru_step_forward", "r = sigmoid(", "r = np.tanh(",
          ("test_gru_forward_after", "test_gru_forward_before",
           "test_gru_backward_after", "test_gru_backward_before")),
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


# Right answers written in ways that once cost points: each must keep full marks, and the
# feedback must say ``note`` (what the checks noticed, at no cost).
HONEST = {
    "rnn": [
        M("prints to stderr", "rnn_step_forward", "    return h, cache",
          "    print('h:', h.shape, file=sys.stderr)\n    return h, cache", "printed"),
        M("warns", "rnn_step_forward", "    return h, cache",
          "    warnings.warn('check me')\n    return h, cache", "caused the warning"),
        M("answers in float32", "rnn_step_forward", "    return h, cache",
          "    return h.astype(np.float32), cache", ""),
    ],
    "bptt": [
        M("updates dh in place", "rnn_step_backward", "    da = dh * (1.0 - h * h)",
          "    dh *= 1.0 - h * h\n    da = dh", "changed its argument `dh` in place"),
    ],
    "lstm": [
        M("updates dc in place", "lstm_step_backward",
          "    dc_total = dc + dh * o * (1.0 - tanh_c ** 2)",
          "    dc += dh * o * (1.0 - tanh_c ** 2)\n    dc_total = dc",
          "changed its argument `dc` in place"),
        M("computes in float32", "lstm_step_forward", "    H = h_prev.shape[1]",
          "    H = h_prev.shape[1]\n    x, h_prev, c_prev = (v.astype(np.float32) for v in "
          "(x, h_prev, c_prev))", ""),
    ],
    "gru": [
        M("updates dh_prev in place", "gru_step_backward", "    dh_prev = dh * z\n",
          "    dh_prev = dh\n    dh_prev *= z\n", "changed its argument `dh` in place"),
    ],
}
HONEST_IMPORTS = "import sys\nimport warnings\n\n"   # the first answer cell's extra imports


def with_honest_variant(submission, variant):
    """A copy of a submission rewritten the honest way ``variant`` describes."""
    result = with_mistake(submission, variant)
    first = next(c for c in result.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = HONEST_IMPORTS + first.source
    return result


# Hostile submissions to the rnn assignment: every answer is wrong or borrowed, plus a trick
# meant to earn points anyway. The autograder must give each at most 10 % of the points.
RNN_ZEROS = {
    "rnn_step_forward": "def rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, "
                        "bias_hh):\n    return np.zeros_like(h_prev), None\n",
    "rnn_forward": "def rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):\n"
                   "    return np.zeros((len(x),) + h0.shape)\n",
    "bidirectional": "def bidirectional_rnn_forward(x, forward_weights, backward_weights):\n"
                     "    H = forward_weights['weight_hh'].shape[0]\n"
                     "    return np.zeros(x.shape[:2] + (2 * H,))\n",
    "stacked": "def stacked_rnn_forward(x, layers):\n"
               "    return np.zeros(x.shape[:2] + (layers[-1]['weight_hh'].shape[0],))\n",
    "readout": "def classify_sequence(x, rnn_weights, readout_weight, readout_bias):\n"
               "    return np.zeros((x.shape[1], readout_weight.shape[0]))\n",
}
# The same functions handed to a copy of the reference R, found some way or other.
RNN_BORROWED = {
    "rnn_step_forward": "def rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, "
                        "bias_hh):\n    R = {find}\n    return R.rnn_step_forward(x, h_prev, "
                        "weight_ih, weight_hh, bias_ih, bias_hh)\n",
    "rnn_forward": "def rnn_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):\n"
                   "    R = {find}\n    h, hs = h0, []\n    for x_t in x:\n"
                   "        h, _ = R.rnn_step_forward(x_t, h, weight_ih, weight_hh, bias_ih, "
                   "bias_hh)\n        hs.append(h)\n    return np.stack(hs)\n",
    "bidirectional": "def bidirectional_rnn_forward(x, forward_weights, backward_weights):\n"
                     "    R = {find}\n    H = forward_weights['weight_hh'].shape[0]\n"
                     "    layer = R.RNN(x.shape[2], H, bidirectional=True)\n"
                     "    layer.load_state_dict({{**{{k + '_l0': v for k, v in "
                     "forward_weights.items()}}, **{{k + '_l0_reverse': v for k, v in "
                     "backward_weights.items()}}}})\n    return layer(x)[0]\n",
    "stacked": "def stacked_rnn_forward(x, layers):\n    R = {find}\n"
               "    layer = R.RNN(x.shape[2], layers[0]['weight_hh'].shape[0], num_layers=2)\n"
               "    layer.load_state_dict({{k + f'_l{{n}}': v for n, w in enumerate(layers) "
               "for k, v in w.items()}})\n    return layer(x)[0]\n",
    "readout": "def classify_sequence(x, rnn_weights, readout_weight, readout_bias):\n"
               "    R = {find}\n    layer = R.RNN(x.shape[2], rnn_weights['weight_hh'].shape[0])"
               "\n    layer.load_state_dict({{k + '_l0': v for k, v in rnn_weights.items()}})\n"
               "    return layer(x)[1][0] @ readout_weight.T + readout_bias\n",
}
ZEROS_PATCHING = {
    "patches np.abs": "np.abs = lambda a: np.zeros(np.shape(a))\n",
    "patches numpy's comparisons": (
        "np.max = np.amax = lambda *a, **k: 0.0\nnp.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.abs = np.absolute = np.zeros_like\n"),
    "patches the builtins": (
        "import builtins\nbuiltins.abs = lambda v: 0.0\nbuiltins.max = lambda *a, **k: 0.0\n"
        "builtins.any = lambda v: False\nbuiltins.all = lambda v: True\n"),
    "patches math": "import math\nmath.isclose = lambda *a, **k: True\nmath.fabs = abs\n",
    "replaces np.tanh with zeros": "np.tanh = lambda a, *r, **k: np.zeros(np.shape(a))\n",
    "patches sys.setprofile": "import sys\nsys.setprofile = lambda f: None\n",
    "patches rnncore": (
        "import rnncore, rnncore.cells\nrnncore.rnn_step_forward = rnncore.cells."
        "rnn_step_forward = lambda *a, **k: (np.zeros_like(a[1]), None)\n"),
}
FINDS = {
    "imports rnncore in the function": "__import__('rnncore')",
    "imports a name built at run time": "__import__('importlib').import_module('rnn' + 'core')",
    "takes rnncore from sys.modules": (
        "[m for n, m in __import__('sys').modules.items() if n.startswith('_rnncore_reference')"
        " or n == 'rnncore'][0]"),
    "uses an earlier test cell's checks": "globals()['checks'].reference",
    "runs rnncore in a thread": "_in_thread()",
    "switches off the tracing": "_untraced()",
}
FIND_HELPERS = (
    "import rnncore\nimport sys\nimport threading\n\n\n"
    "class _Later:\n    def __getattr__(self, name):\n        def run(*a, **k):\n"
    "            box = []\n            t = threading.Thread(target=lambda: box.append("
    "getattr(rnncore, name)(*a, **k)))\n            t.start()\n            t.join()\n"
    "            return box[0]\n        return run\n\n\n"
    "def _in_thread():\n    return _Later()\n\n\n"
    "def _untraced():\n    sys.setprofile(None)\n    return rnncore\n\n\n")


def _replace_answers(release, sources, prefix=""):
    result = copy.deepcopy(release)
    cells = [c for c in result.cells if grade_id(c) in sources]
    for k, cell in enumerate(cells):
        cell.source = (prefix if k == 0 else "") + sources[grade_id(cell)]
    return result


def hostile_rnn_submissions(release):
    """{name: notebook} for the rnn assignment's hostile submissions."""
    hostile = {name: _replace_answers(release, RNN_ZEROS, patch)
               for name, patch in ZEROS_PATCHING.items()}
    for name, find in FINDS.items():
        bodies = {cell: source.format(find=find) for cell, source in RNN_BORROWED.items()}
        hostile[name] = _replace_answers(release, bodies, FIND_HELPERS)
    fake = ("class _Agreeable(np.ndarray):\n    def __sub__(self, other):\n"
            "        return np.zeros(self.shape)\n    __rsub__ = __sub__\n"
            "    def tolist(self):\n        return 'anything'\n\n\n")
    agreeable = {cell: source.replace("return np.zeros", "return _agree(np.zeros")
                 .replace(", None\n", "), None\n") for cell, source in RNN_ZEROS.items()}
    agreeable = {cell: source if "_agree(" not in source or source.rstrip().endswith("None")
                 else source.rstrip() + ")\n" for cell, source in agreeable.items()}
    hostile["returns an array subclass that agrees"] = _replace_answers(
        release, agreeable, fake + "def _agree(a):\n    return a.view(_Agreeable)\n\n\n")
    return hostile



# A submission written against the autograder itself: it makes every test cell load a fake
# checks module that awards full marks. Inside the learner's kernel nothing can stop this;
# the instructor's review flags it (its scan, and its re-check with the checks loaded first).
FAKE_CHECKS = (
    "import importlib.machinery\nimport importlib.util\n\n\n"
    "class _Anything:\n    def __init__(self, name, points):\n        self.points = points\n\n"
    "    def check(self, *args, **kwargs):\n        pass\n\n"
    "    def score(self):\n        return self.points\n\n\n"
    "class _FakeLoader:\n    def create_module(self, spec):\n        return None\n\n"
    "    def exec_module(self, module):\n        module.Part = _Anything\n"
    "        module.__getattr__ = lambda name: None\n\n\n"
    "_real_spec = importlib.util.spec_from_file_location\n\n\n"
    "def _spec(name, *args, **kwargs):\n    if name == '_checks':\n"
    "        return importlib.machinery.ModuleSpec('_checks', _FakeLoader())\n"
    "    return _real_spec(name, *args, **kwargs)\n\n\n"
    "importlib.util.spec_from_file_location = _spec\n\n\n")


def targeted_rnn_submission(release):
    """The rnn assignment with zeros for answers and a fake checks module."""
    return _replace_answers(release, RNN_ZEROS, FAKE_CHECKS)
