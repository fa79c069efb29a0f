"""Sample submissions built from the nbgrader source notebooks: the model solution, the blank
release, a catalogue of typical mistakes and of honest variants (each an edit of the
solution), and hostile submissions that try to earn points without doing the work.

These drive the tests of the grading set-up, ``make grade-demo`` and the documentation's own
commands.
"""

import copy
from importlib import import_module

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


# Each assignment's catalogue lives with its checks (rnncourse/grading/NAME.py).
MISTAKES = {name: import_module(f"rnncourse.grading.{name}").MISTAKES for name in ASSIGNMENTS}
# Right answers written in ways that once cost points: each must keep full marks, and the
# feedback must say its ``breaks`` (what the checks noticed, at no cost).
HONEST = {name: import_module(f"rnncourse.grading.{name}").HONEST for name in ASSIGNMENTS}


def read(path):
    return nbformat.read(str(path), as_version=4)


HONEST_IMPORTS = "import sys\nimport warnings\n\n"   # the first answer cell's extra imports


def with_honest_variant(submission, variant):
    """A copy of a submission rewritten the honest way ``variant`` describes."""
    result = with_mistake(submission, variant)
    first = next(c for c in result.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = HONEST_IMPORTS + first.source
    return result


# Hostile submissions to the rnn and language_model assignments: every answer is wrong or
# borrowed, plus a trick meant to earn points anyway. The autograder must give each at most 10 %
# of the points.
RNN_ZEROS = {
    "rnn_step_joined": "def rnn_step_joined(x, h_prev, weight, bias):\n"
                       "    return np.zeros_like(h_prev)\n",
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
    "rnn_step_joined": "def rnn_step_joined(x, h_prev, weight, bias):\n    R = {find}\n"
                       "    D = x.shape[1]\n    return R.rnn_step_forward(x, h_prev, "
                       "weight[:, :D], weight[:, D:], bias, 0 * bias)[0]\n",
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
LANGUAGE_MODEL_ZEROS = {
    "stream_windows": "def stream_windows(ids, batch_size, window):\n"
                      "    x = np.zeros((window, batch_size), dtype=int)\n    return [(x, x)]\n",
    "masked_cross_entropy": "def masked_cross_entropy(logits, targets, mask):\n"
                            "    return np.zeros(()), np.zeros(logits.shape)\n",
    "perplexity": "def perplexity(logits, targets, mask):\n    return np.zeros(())\n",
    "sample_index": "def sample_index(logits, temperature, rng):\n"
                    "    return np.zeros((), dtype=int)\n",
    "train_step": "def train_step(model, optimizer, x, y, state, clip):\n    loss = 0.0\n"
                  "    return loss, state\n",
    "train_model": "def train_model(train_ids, vocab_size, steps=STEPS):\n"
                   "    return LanguageModel(vocab_size, EMBEDDING, HIDDEN, seed=SEED, "
                   "dtype=np.float64)\n",
}
LANGUAGE_MODEL_BORROWED = {
    "stream_windows": "def stream_windows(ids, batch_size, window):\n    R = {find}\n"
                      "    return R.stream_windows(ids, batch_size, window)\n",
    "masked_cross_entropy": "def masked_cross_entropy(logits, targets, mask):\n    R = {find}\n"
                            "    return R.softmax_cross_entropy(logits, targets, mask)\n",
    "perplexity": "def perplexity(logits, targets, mask):\n    R = {find}\n"
                  "    return np.exp(R.softmax_cross_entropy(logits, targets, mask)[0])\n",
    "sample_index": "def sample_index(logits, temperature, rng):\n    R = {find}\n"
                    "    return R.sample_index(logits, temperature, rng)\n",
    "train_step": "def train_step(model, optimizer, x, y, state, clip):\n    R = {find}\n"
                  "    logits, state = model(x, state)\n"
                  "    loss, dlogits = R.softmax_cross_entropy(logits, y)\n"
                  "    model.backward(dlogits)\n    R.clip_grad_norm(model, clip)\n"
                  "    optimizer.step()\n    return loss, state\n",
    "train_model": "def train_model(train_ids, vocab_size, steps=STEPS):\n    R = {find}\n"
                   "    model = R.LanguageModel(vocab_size, EMBEDDING, HIDDEN, seed=SEED, "
                   "dtype=np.float64)\n"
                   "    optimizer = R.Adam(model, lr=LEARNING_RATE)\n"
                   "    windows, state = R.stream_windows(train_ids, BATCH, WINDOW), None\n"
                   "    for step in range(steps):\n"
                   "        logits, state = model(windows[step][0], state)\n"
                   "        model.backward(R.softmax_cross_entropy(logits, windows[step][1])[1])\n"
                   "        R.clip_grad_norm(model, CLIP)\n        optimizer.step()\n"
                   "    return model\n",
}
# {assignment: (its answers as zeros, the same handed to a copy of the reference R)}
HOSTILE = {"rnn": (RNN_ZEROS, RNN_BORROWED),
           "language_model": (LANGUAGE_MODEL_ZEROS, LANGUAGE_MODEL_BORROWED)}
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
    "copies the package under another name": "_copied()",
}
FIND_HELPERS = (
    "import rnncore\nimport sys\nimport threading\n\n\n"
    "class _Later:\n    def __getattr__(self, name):\n        def run(*a, **k):\n"
    "            box = []\n            t = threading.Thread(target=lambda: box.append("
    "getattr(rnncore, name)(*a, **k)))\n            t.start()\n            t.join()\n"
    "            return box[0]\n        return run\n\n\n"
    "def _in_thread():\n    return _Later()\n\n\n"
    "def _untraced():\n    sys.setprofile(None)\n    return rnncore\n\n\n"
    # The package found by its files beside the environment, copied and imported as helpers.
    "def _copied():\n    import importlib.util, os, shutil, tempfile\n"
    "    root = os.path.dirname(sys.prefix)\n"
    "    (found,) = [os.path.join(root, d) for d in os.listdir(root)\n"
    "                if os.path.exists(os.path.join(root, d, 'gradcheck.py'))]\n"
    "    target = os.path.join(tempfile.mkdtemp(), 'helpers')\n"
    "    shutil.copytree(found, target)\n"
    "    spec = importlib.util.spec_from_file_location(\n"
    "        'helpers', os.path.join(target, '__init__.py'), submodule_search_locations=[target])\n"
    "    helpers = importlib.util.module_from_spec(spec)\n"
    "    sys.modules['helpers'] = helpers\n    spec.loader.exec_module(helpers)\n"
    "    return helpers\n\n\n")


def _replace_answers(release, sources, prefix=""):
    result = copy.deepcopy(release)
    cells = [c for c in result.cells if grade_id(c) in sources]
    for k, cell in enumerate(cells):
        cell.source = (prefix if k == 0 else "") + sources[grade_id(cell)]
    return result


def hostile_submissions(assignment, release):
    """{name: notebook} for the hostile submissions to ``assignment`` (one of HOSTILE)."""
    zeros, borrowed = HOSTILE[assignment]
    hostile = {name: _replace_answers(release, zeros, patch)
               for name, patch in ZEROS_PATCHING.items()}
    for name, find in FINDS.items():
        bodies = {cell: source.format(find=find) for cell, source in borrowed.items()}
        hostile[name] = _replace_answers(release, bodies, FIND_HELPERS)
    fake = ("class _Agreeable(np.ndarray):\n    def __sub__(self, other):\n"
            "        return np.zeros(self.shape)\n    __rsub__ = __sub__\n"
            "    def tolist(self):\n        return 'anything'\n\n\n")
    agreeable = {cell: source.replace("return np.zeros", "return _agree(np.zeros")
                 .replace(", None\n", "), None\n") for cell, source in zeros.items()}
    agreeable = {cell: source if "_agree(" not in source or source.rstrip().endswith("None")
                 else source.rstrip() + ")\n" for cell, source in agreeable.items()}
    hostile["returns an array subclass that agrees"] = _replace_answers(
        release, agreeable, fake + "def _agree(*arrays):\n"
        "    views = tuple(a.view(_Agreeable) for a in arrays)\n"
        "    return views[0] if len(views) == 1 else views\n\n\n")
    return hostile



# A submission written against the autograder itself: it makes every test cell load a fake
# checks module that awards full marks. Inside the learner's kernel nothing can stop this;
# the instructor's review flags it (its scan, and its re-check with the checks loaded first).
FAKE_CHECKS = (
    "import rnncourse.grading\n\n\n"
    "class _Anything:\n    def __init__(self, name, points):\n        self.points = points\n\n"
    "    def check(self, *args, **kwargs):\n        pass\n\n"
    "    def score(self):\n        return self.points\n\n\n"
    "class _FakeChecks:\n    Part = _Anything\n\n    def __getattr__(self, name):\n"
    "        return None\n\n\n"
    "rnncourse.grading.load_checks = lambda assignment: _FakeChecks()\n\n\n")


def targeted_rnn_submission(release):
    """The rnn assignment with zeros for answers and a fake checks module."""
    return _replace_answers(release, RNN_ZEROS, FAKE_CHECKS)
