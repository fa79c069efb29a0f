"""Every check of every assignment, run in this process on the notebooks' own cells: the model
answers earn full marks, the blank release nothing, every catalogued mistake loses exactly the
parts it names, every honest variant keeps full marks with its note, and the feedback names
the likely cause. The same verdicts as nbgrader's (tests/grading/test_autograde.py grades the
same catalogue end to end), in seconds: this file runs in `make test-fast`."""

import ast
import contextlib
import importlib.util
import io
import re
import shutil
import sys
from functools import cache

import nbformat
import pytest

from rnncourse.grading import assignments, load_checks
from rnncourse.instructor import releases, submissions
from rnncourse.manifest import ROOT

LOADER = re.compile(r'^from rnncourse\.grading import load_checks; '
                    r'checks = load_checks\("(\w+)"(?:, "([\w-]+)")?\)$', flags=re.MULTILINE)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


@cache
def source_notebook(assignment, language="en"):
    return nbformat.read(str(releases.source_path(assignment, language)), 4)


@cache
def private_checks(assignment, language="en"):
    """One private copy of the checks per assignment and language: the answers run here are
    honest, so they can share it (nbgrader's runs load one per test cell)."""
    return load_checks(assignment, language)


def model_answers(assignment):
    return {submissions.grade_id(c): submissions.strip_solution_markers(c.source)
            for c in source_notebook(assignment).cells if nbgrader_meta(c).get("solution")}


def blank_answers(assignment):
    release = nbformat.read(str(ROOT / "exercises" / assignment / f"{assignment}.ipynb"), 4)
    return {submissions.grade_id(c): c.source for c in release.cells
            if nbgrader_meta(c).get("solution")}


def with_edit(answers, edit):
    """The answers with one catalogued edit (its text must occur exactly once)."""
    source = answers[edit.cell]
    assert source.count(edit.old) == 1, f"{edit.name!r}: {edit.old!r} is not in {edit.cell}"
    return {**answers, edit.cell: source.replace(edit.old, edit.new)}


def _run_cell(source, namespace):
    """Run a cell as a kernel does: the value of its last expression is its result."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return None


def grade(assignment, answers, language="en"):
    """{test cell: (score, points, printed)} for the notebook in ``language`` with these
    answers, every test cell run with its hidden tests, as autograde runs them. A cell that
    writes to stderr or raises scores 0, as in nbgrader. The same answers are graded once per
    session (tests/grading/test_releases.py grades the catalogue again beside its Chinese)."""
    return dict(_graded(assignment, tuple(sorted(answers.items())), language))


@cache
def _graded(assignment, answers, language):
    answers = dict(answers)
    namespace = {"__name__": "__main__"}
    results = {}
    for cell in source_notebook(assignment, language).cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            source = answers[submissions.grade_id(cell)]
        elif meta.get("grade"):
            match = LOADER.search(cell.source)
            assert match and match.group(1) == assignment, cell.source[:200]
            assert (match.group(2) or "en") == language, cell.source[:200]
            namespace["_private_checks"] = private_checks(assignment, language)
            source = LOADER.sub("checks = _private_checks", cell.source, count=1)
        else:
            source = cell.source
        out, err = io.StringIO(), io.StringIO()
        score = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                score = _run_cell(source, namespace)
            except Exception as error:         # a learner's cell that raises, as in Jupyter
                print(f"{type(error).__name__}: {error}", file=err)
        if meta.get("grade"):
            earned = 0.0 if err.getvalue() or score is None else float(score)
            results[meta["grade_id"]] = (earned, meta["points"], out.getvalue() + err.getvalue())
    return tuple(results.items())


MISTAKE_CASES = [(name, m) for name in assignments() for m in submissions.MISTAKES[name]]
HONEST_CASES = [(name, v) for name in assignments() for v in submissions.HONEST[name]]


def test_every_assignment_has_checks_and_a_catalogue():
    assert sorted(submissions.ASSIGNMENTS) == assignments()
    for name in assignments():
        assert len(submissions.MISTAKES[name]) >= 10, name


@pytest.mark.parametrize("assignment", assignments())
def test_model_answers_earn_full_marks(assignment):
    results = grade(assignment, model_answers(assignment))
    assert results, "no test cell ran"
    lost = {cell: r for cell, r in results.items() if r[0] != r[1]}
    assert not lost, f"the model answers lost points: {lost}"


@pytest.mark.parametrize("assignment", assignments())
def test_the_blank_release_earns_nothing(assignment):
    results = grade(assignment, blank_answers(assignment))
    earned = {cell: r for cell, r in results.items() if r[0] != 0}
    assert not earned, f"the blank release earned points: {earned}"


@pytest.mark.parametrize("assignment,mistake", MISTAKE_CASES,
                         ids=[f"{a}-{m.name}" for a, m in MISTAKE_CASES])
def test_a_mistake_loses_exactly_the_parts_it_names(assignment, mistake):
    results = grade(assignment, with_edit(model_answers(assignment), mistake))
    assert set(mistake.breaks) <= set(results), mistake.breaks
    for cell in mistake.breaks:
        score, points, printed = results[cell]
        assert score < points, f"{mistake.name!r} kept full marks in {cell}:\n{printed}"
    kept = {cell: r[:2] for cell, r in results.items() if cell not in mistake.breaks}
    assert all(s == p for s, p in kept.values()), f"lost points elsewhere: {kept}"


@pytest.mark.parametrize("assignment,variant", HONEST_CASES,
                         ids=[f"{a}-{v.name}" for a, v in HONEST_CASES])
def test_an_honest_variant_keeps_full_marks_with_its_note(assignment, variant):
    answers = with_edit(model_answers(assignment), variant)
    first = next(c for c in source_notebook(assignment).cells if nbgrader_meta(c).get("solution"))
    answers[submissions.grade_id(first)] = submissions.HONEST_IMPORTS + answers[
        submissions.grade_id(first)]
    results = grade(assignment, answers)
    lost = {cell: r for cell, r in results.items() if r[0] != r[1]}
    assert not lost, f"{variant.name!r} lost points: {lost}"
    assert variant.breaks in "".join(r[2] for r in results.values())


FEEDBACK = [
    ("rnn", "joined in the order [h_prev, x]", "test_rnn_step_joined",
     "Likely cause: the row is joined in the order [h_prev, x]"),
    ("rnn", "ReLU instead of tanh", "test_rnn_step_joined", "not tanh (ReLU?)"),
    ("rnn", "sigmoid instead of tanh", "test_rnn_step_joined", "not tanh (sigmoid?)"),
    ("rnn", "no activation", "test_rnn_step_joined", "the activation is missing"),
    ("rnn", "bias dropped", "test_rnn_step_joined", "Likely cause: the bias is missing"),
    ("rnn", "h_prev ignored", "test_rnn_step_joined", "Likely cause: h_prev is ignored"),
    ("rnn", "tanh written with exp (overflows)", "test_rnn_step_joined", "exp() that overflows"),
    ("rnn", "weight not transposed", "test_rnn_step_joined",
     "so the product is [x, h_prev] @ weight.T"),
    ("rnn", "a cache returned with h", "test_rnn_step_joined",
     "rnn_step_joined returns h alone, with no cache"),
    ("rnn", "state not carried", "test_rnn_forward", "not carried from one step to the next"),
    ("rnn", "weights joined in the wrong order", "test_rnn_forward",
     "Likely cause: the weights are joined in the wrong order"),
    ("rnn", "only bias_ih used", "test_rnn_forward", "Likely cause: only bias_ih is used"),
    ("rnn", "only bias_hh used", "test_rnn_forward", "Likely cause: only bias_hh is used"),
    ("rnn", "every step reads x[0]", "test_rnn_forward", "every step reads the first input"),
    ("rnn", "off by one in time", "test_rnn_forward", "shifted by one step"),
    ("rnn", "joined in the order [h_prev, x]", "test_rnn_forward",
     "this part's own code is right"),
    ("rnn", "backward outputs left reversed", "test_bidirectional", "not put back in time"),
    ("rnn", "ReLU instead of tanh", "test_rnn_forward", "this part's own code is right"),
    ("bptt", "bias gradient averaged", "test_rnn_step_joined_backward",
     "averaged instead of summed"),
    ("bptt", "weight gradient averaged over the batch", "test_rnn_step_joined_backward",
     "not summed over the batch"),
    ("bptt", "no tanh slope", "test_rnn_step_joined_backward", "slope 1 - h**2 is missing"),
    ("bptt", "x taken from the last D columns", "test_rnn_step_joined_backward",
     "split at the wrong place"),
    ("bptt", "split at H instead of D", "test_rnn_step_joined_backward",
     "split at the wrong place"),
    ("bptt", "gradient for [x, h_prev] not split", "test_rnn_step_joined_backward",
     "the gradient for [x, h_prev] is not split"),
    ("bptt", "weight used transposed", "test_rnn_step_joined_backward",
     "the gradient for [x, h_prev] is da @ weight"),
    ("bptt", "weight gradient transposed", "test_rnn_step_joined_backward", "(transposed?)"),
    ("bptt", "tanh slope computed in the cache's h", "test_rnn_step_joined_backward",
     "changed its argument `cache` in place"),
    ("bptt", "no gradient from the next step", "test_rnn_backward",
     "flowing back from step t+1"),
    ("bptt", "each array clipped on its own", "test_clip", "clip by the norm of all"),
    ("bptt", "tanh slopes left out of the product", "test_jacobian_norms",
     "diag(1 - h_t^2) are missing"),
    ("lstm", "output gate's peephole reads c_prev", "test_lstm_peephole_step_forward",
     "the output gate's peephole reads c_{t-1}"),
    ("lstm", "weight_ci and weight_cf swapped", "test_lstm_peephole_step_forward",
     "weight_ci and weight_cf are swapped"),
    ("lstm", "input gate's peephole missing", "test_lstm_peephole_step_forward",
     "the input gate has no peephole"),
    ("lstm", "forget gate's peephole missing", "test_lstm_peephole_step_forward",
     "the forget gate has no peephole"),
    ("lstm", "output gate's peephole missing", "test_lstm_peephole_step_forward",
     "the output gate has no peephole"),
    ("lstm", "a peephole on the candidate", "test_lstm_peephole_step_forward",
     "the candidate g has a peephole; it has none"),
    ("lstm", "gate order f, i", "test_lstm_peephole_step_forward", "i and f swapped"),
    ("lstm", "gates read in the order i, f, o, g", "test_lstm_peephole_step_forward",
     "g and o swapped"),
    ("lstm", "h without tanh", "test_lstm_peephole_step_forward", "tanh(c) is missing"),
    ("lstm", "old cell state dropped", "test_lstm_peephole_step_forward",
     "the old cell state is dropped"),
    ("lstm", "c computed in c_prev's array", "test_lstm_peephole_step_forward",
     "changed its argument `c_prev` in place, and returns or caches that same array"),
    ("lstm", "the upstream dc left out", "test_lstm_step_backward", "the upstream dc is missing"),
    ("lstm", "c_prev gradient without the forget gate", "test_lstm_step_backward",
     "misses the forget gate"),
    ("rnn", "new state written into h_prev", "test_rnn_step_joined",
     "changed its argument `h_prev` in place"),
    ("rnn", "new state written into h_prev", "test_rnn_forward", "this part's own code is right"),
    ("rnn", "h0 ignored", "test_rnn_forward", "h0 is ignored"),
    ("bptt", "tanh slope 1 - h", "test_rnn_step_joined_backward",
     "tanh's slope is written 1 - h"),
    ("bptt", "weight gradients not summed over time", "test_rnn_backward",
     "those of the first step only"),
    ("bptt", "Jacobian with weight_hh transposed", "test_jacobian_norms",
     "uses weight_hh transposed"),
    ("bptt", "Jacobian's diagonal on the right", "test_jacobian_norms",
     "the diagonal is on the wrong side"),
    ("bptt", "spectral norm", "test_jacobian_norms", "the spectral norm (ord=2) is taken"),
    ("bptt", "h ignored, in float32", "test_numerical_gradient", "h is ignored"),
    ("bptt", "perturbs x.ravel()", "test_numerical_gradient", "is a copy when x is not contiguous"),
    ("gru", "update gradient sign flipped", "test_gru_backward_after",
     "the sign of dz is flipped"),
    ("gru", "direct path from h_prev missing", "test_gru_backward_before",
     "the direct path is missing"),
    ("lstm", "cell state not carried", "test_lstm_forward", "cell state is not carried"),
    ("gru", "one bias per gate counted", "test_count", "only one bias vector per gate"),
    ("gru", "state not carried", "test_gru_forward", "not carried from one step to the next"),
    ("gru", "h0 ignored", "test_gru_forward", "h0 is ignored"),
    ("gru", "reset_after not passed on", "test_gru_forward",
     "reset_after is not passed on to gru_step_forward"),
    ("gru", "off by one in time", "test_gru_forward", "shifted by one step"),
    ("gru", "every step reads x[0]", "test_gru_forward", "every step reads the first input"),
    ("gru", "state written into h0's array", "test_gru_forward",
     "changed its argument `h0` in place"),
    ("gru", "only the last state returned", "test_gru_forward", "only one step's state"),
    ("gru", "one array overwritten at every step", "test_gru_forward",
     "every hs[t] holds the last state"),
    ("gru", "the list of states returned", "test_gru_forward",
     "returned a list of 6 items; return hs alone"),
    ("language_model", "targets not shifted", "test_stream_windows",
     "Likely cause: the targets are not shifted"),
    ("language_model", "rows dealt out in turn", "test_stream_windows",
     "each row must be one contiguous stretch of the text"),
    ("language_model", "windows cut before the rows", "test_stream_windows",
     "row b of a window must continue where row b of the window before it stopped"),
    ("language_model", "windows batch-major", "test_stream_windows", "(transposed?)"),
    ("language_model", "last, shorter window dropped", "test_stream_windows",
     "the last window, shorter than T, is missing"),
    ("language_model", "no token left for the last target", "test_stream_windows",
     "a row holds L = (N - 1) // B inputs"),
    ("language_model", "mask ignored", "test_masked_cross_entropy", "the mask is ignored"),
    ("language_model", "divided by every position", "test_masked_cross_entropy",
     "divide by the number of counted ones"),
    ("language_model", "gradient not divided by the count", "test_masked_cross_entropy",
     "the gradient is not divided by the number of counted positions"),
    ("language_model", "gradient not masked", "test_masked_cross_entropy",
     "the gradient is not masked"),
    ("language_model", "largest logit not subtracted", "test_masked_cross_entropy",
     "overflow encountered in exp"),
    ("language_model", "mean of the sequences' perplexities", "test_perplexity",
     "Likely cause: the mean of the sequences' perplexities"),
    ("language_model", "exp at every position, then the mean", "test_perplexity",
     "exp is taken at every position, then averaged"),
    ("language_model", "mean of the time steps' losses", "test_perplexity",
     "Likely cause: the mean of the time steps' mean losses"),
    ("language_model", "mask ignored in the perplexity", "test_perplexity",
     "Likely cause: the mask is ignored"),
    ("language_model", "perplexity as 2 ** loss", "test_perplexity",
     "the cross-entropy is in nats"),
    ("language_model", "mask ignored", "test_perplexity", "this part's own code is right"),
    ("language_model", "temperature after the softmax", "test_sample_index",
     "Likely cause: the temperature is applied after the softmax"),
    ("language_model", "logits multiplied by the temperature", "test_sample_index",
     "the logits are multiplied by the temperature"),
    ("language_model", "threshold not scaled by the total", "test_sample_index",
     "compare their running sum with u * total"),
    ("language_model", "a draw at temperature 0", "test_sample_index",
     "temperature 0 takes the most likely token and draws nothing"),
    ("language_model", "exp without the largest subtracted", "test_sample_index",
     "Hint: subtract the largest logit before exp"),
    ("language_model", "drawn from np.random", "test_sample_index", "u is not drawn from rng"),
    ("language_model", "the last of tied logits at temperature 0", "test_sample_index",
     "the last of the tied largest logits is taken"),
    ("language_model", "state not carried", "test_train_step",
     "Likely cause: the forward starts from zeros, not from the state it is given"),
    ("language_model", "the given state returned", "test_train_step",
     "Likely cause: the state returned is the one given"),
    ("language_model", "gradients not clipped", "test_train_step",
     "the optimizer stepped with gradients that were not clipped"),
    ("language_model", "clipped after the step", "test_train_step",
     "after model.backward and before optimizer.step()"),
    ("language_model", "new state written into the given state's arrays", "test_train_step",
     "the state the previous window left must stay as it was"),
    ("language_model", "gradient not divided by the count", "test_train_step",
     "this part's own code is right"),
    ("language_model", "every step on the first window", "test_train_model",
     "Likely cause: every step trains on the first window"),
    ("language_model", "every step on the first window", "test_train_model",
     "the perplexity on the held-out text is"),
    ("language_model", "a new model at every step", "test_train_model",
     "Likely cause: a new model (or optimizer) is built at every step"),
    ("language_model", "targets not shifted", "test_train_model",
     "this part's own code is right: your stream_windows from an earlier part is wrong"),
]


def mistake_named(assignment, name):
    (mistake,) = [m for m in submissions.MISTAKES[assignment] if m.name == name]
    return mistake


@pytest.mark.parametrize("assignment,mistake_name,cell,message", FEEDBACK,
                         ids=[f"{f[1]}-{f[2]}" for f in FEEDBACK])
def test_feedback_names_the_likely_cause(assignment, mistake_name, cell, message):
    """What the learner reads under the failing part (the same text in the feedback)."""
    answers = with_edit(model_answers(assignment), mistake_named(assignment, mistake_name))
    printed = grade(assignment, answers)[cell][2]
    assert message in printed, printed


def test_every_wrong_gradient_is_named():
    """A backward slip that spoils several gradients names each of them."""
    answers = with_edit(model_answers("lstm"), mistake_named("lstm", "no gradient from h into c"))
    printed = grade("lstm", answers)["test_lstm_step_backward"][2]
    for key in ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert f"grads['{key}']: wrong values" in printed, (key, printed)


@pytest.mark.parametrize("assignment", assignments())
def test_the_test_cells_use_what_the_module_exports(assignment):
    used = {name for cell in source_notebook(assignment).cells if nbgrader_meta(cell).get("grade")
            for name in re.findall(r"\bchecks\.(\w+)", cell.source)}
    assert used == set(private_checks(assignment).__all__)


def run_part(assignment, source, case, *args, helpers=None, **kwargs):
    """The score and the printout of one check of the last function ``source`` defines
    (``helpers``: a module its code may use)."""
    namespace = {"np": __import__("numpy"), "helpers": helpers}
    exec(source, namespace)
    function = namespace[source.rsplit("def ", 1)[1].split("(", 1)[0]]
    checks = private_checks(assignment)
    part = checks.Part("a part", points=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        part.check("a check", getattr(checks, case), function, *args, **kwargs)
        score = part.score()
    return score, out.getvalue()


def test_a_renamed_parameter_is_named_not_blamed_on_the_course():
    score, printed = run_part("rnn", "def rnn_step_joined(x, h, W, b):\n"
                              "    return np.tanh(np.concatenate([x, h], axis=1) @ W.T + b)\n",
                              "joined_step_case", seed=0)
    assert score == 0
    assert "rnn_step_joined has no parameter `h_prev`, `weight`, `bias`" in printed
    assert "yours are (x, h, W, b)" in printed
    assert "Keep the given names" in printed and "fault in the course" not in printed


def test_a_pair_returned_as_a_list_is_accepted():
    source = model_answers("lstm")["lstm_peephole_step_forward"].replace(
        "return h, c", "return [h, c]")
    score, printed = run_part("lstm", "def sigmoid(a):\n    return 1 / (1 + np.exp(-a))\n\n\n"
                              + source, "peephole_step_forward_case", seed=0)
    assert score == 1, printed


@pytest.mark.parametrize("returned,message", [
    ("(h, c), (i, f, g, o)", "it returns a pair whose first item is itself a pair"),
    ("h", "expected lstm_peephole_step_forward to return the tuple (h, c), got ndarray"),
    ("h, c, o", "got a tuple of 3")])
def test_the_peephole_step_names_what_it_should_return(returned, message):
    source = model_answers("lstm")["lstm_peephole_step_forward"].replace(
        "return h, c", f"return {returned}")
    score, printed = run_part("lstm", "def sigmoid(a):\n    return 1 / (1 + np.exp(-a))\n\n\n"
                              + source, "peephole_step_forward_case", seed=0)
    assert score == 0 and message in printed, printed


def test_the_clipping_of_pytorch_is_accepted_and_named():
    score, printed = run_part(
        "bptt", "def clip_gradients(grads, max_norm):\n"
        "    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))\n"
        "    scale = min(1.0, max_norm / (norm + 1e-6))\n"
        "    return {k: g * scale for k, g in grads.items()}, norm\n", "clip_case", seed=0)
    assert score == 1 and "divides by norm + 1e-6, as PyTorch" in printed, printed


def test_a_copy_of_the_reference_under_another_name_earns_nothing(tmp_path):
    """The reference's files copied elsewhere and imported under another name: recognised by
    what its code is, not by where it sits."""
    shutil.copytree(ROOT / "rnncore", tmp_path / "helpers")
    spec = importlib.util.spec_from_file_location(
        "helpers", tmp_path / "helpers" / "__init__.py",
        submodule_search_locations=[str(tmp_path / "helpers")])
    helpers = importlib.util.module_from_spec(spec)
    sys.modules["helpers"] = helpers
    try:
        spec.loader.exec_module(helpers)
        score, printed = run_part(
            "rnn", "def rnn_step_joined(x, h_prev, weight, bias):\n"
            "    D = x.shape[1]\n"
            "    return helpers.rnn_step_forward(x, h_prev, weight[:, :D], weight[:, D:], bias, "
            "0 * bias)[0]\n", "joined_step_case", seed=0, helpers=helpers)
    finally:
        del sys.modules["helpers"]
    assert score == 0 and "runs the course's own code (a copy of rnncore's" in printed, printed


def test_a_line_that_rnncore_also_has_is_not_a_copy_of_it():
    """A generator expression written as rnncore writes one (LanguageModel.initial_state's) is
    the learner's own: only a copied function is known as rnncore's."""
    score, printed = run_part("rnn", "def rnn_step_joined(x, h_prev, weight, bias):\n"
                              "    states = tuple(s.copy() for s in (x, h_prev))\n"
                              "    joined = np.concatenate(states, axis=1)\n"
                              "    return np.tanh(joined @ weight.T + bias)\n",
                              "joined_step_case", seed=0)
    assert score == 1, printed


def test_each_test_cell_loads_a_fresh_copy_of_the_checks():
    """What one copy's caller changes, another copy does not see: a test cell's checks
    cannot be altered through an earlier cell's."""
    first, second = load_checks("rnn"), load_checks("rnn")
    assert first is not second and first.reference is not second.reference
    first.compare = None
    assert callable(second.compare)
    with pytest.raises(ValueError, match="assignment: expected one of bptt, gru, "
                                         "language_model, lstm, rnn"):
        load_checks("framework")
