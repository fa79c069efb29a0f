"""The assignments graded by nbgrader itself, in a temporary course: model solutions score full
marks, blank releases zero, every catalogued mistake loses points where it should, and hostile
submissions neither stop the batch nor touch anyone's files."""

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import submissions

from .conftest import HOSTILE

pytestmark = pytest.mark.grading

MISTAKE_CASES = [(name, f"m{k:02d}", m) for name in submissions.ASSIGNMENTS
                 for k, m in enumerate(submissions.MISTAKES[name])]


def autograded(scores, assignment, student):
    assert (assignment, student) in scores, f"{student}'s {assignment} was not graded"
    return {cell: score for cell, score in scores[(assignment, student)].items()
            if cell.startswith("test_")}


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_model_solution_scores_full_marks(scores, assignment):
    parts = autograded(scores, assignment, "solution")
    assert 5 <= len(parts) + sum(1 for c in scores[(assignment, "solution")]
                                 if not c.startswith("test_")) <= 10
    lost = {cell: s for cell, s in parts.items() if s[0] != s[1]}
    assert not lost, f"the model solution lost points: {lost}"


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_blank_release_scores_zero(scores, assignment):
    parts = autograded(scores, assignment, "blank")
    earned = {cell: s for cell, s in parts.items() if s[0] != 0}
    assert not earned, f"the blank release earned points: {earned}"


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_every_assignment_has_ten_catalogued_mistakes(assignment):
    assert len(submissions.MISTAKES[assignment]) >= 10


@pytest.mark.parametrize("assignment,student,mistake", MISTAKE_CASES,
                         ids=[f"{a}-{m.name}" for a, _, m in MISTAKE_CASES])
def test_mistake_loses_points_in_the_part_it_breaks(scores, assignment, student, mistake):
    parts = autograded(scores, assignment, student)
    for cell in mistake.breaks:
        score, maximum = parts[cell]
        assert score < maximum, f"{mistake.name!r} kept full marks in {cell}"
    solution = autograded(scores, assignment, "solution")
    assert all(parts[c][1] == solution[c][1] for c in parts), "maximum points changed"


def test_hostile_submissions_never_stop_the_batch(graded, scores):
    run = graded["runs"][HOSTILE]
    log = run.stdout + run.stderr
    # Every well-formed submission was graded, whatever the others did.
    for student in ("solution", "blank", "loops", "chatty", "testedit", "testdel",
                    "callsref", "patchesref", "patcheshelper"):
        assert (HOSTILE, student) in scores, f"{student} was not graded:\n{log[-3000:]}"
    # A crashed kernel, an unreadable file, a misnamed or missing notebook: each is reported by name
    # and earn nothing; the batch goes on (nbgrader then exits 1).
    for student in ("crashes", "garbled", "renamed"):
        assert f"error processing assignment '{HOSTILE}' for student '{student}'" in log
        assert all(s == 0 for s, _ in scores.get((HOSTILE, student), {}).values())
    assert "No notebooks were matched by" in log and f"submitted/missing/{HOSTILE}" in log
    assert (HOSTILE, "missing") not in scores
    assert "Skipping unknown notebook" in log and "rnn (1).ipynb" in log
    assert run.returncode == 1


def test_infinite_loop_is_interrupted_and_only_that_part_fails(scores):
    parts = autograded(scores, HOSTILE, "loops")
    assert parts["test_rnn_step_forward"][0] == parts["test_rnn_step_forward"][1]
    assert parts["test_rnn_forward"][0] == 0


def test_megabytes_of_output_do_not_break_grading(scores):
    parts = autograded(scores, HOSTILE, "chatty")
    assert parts["test_readout"][0] == parts["test_readout"][1]


def test_edited_and_deleted_test_cells_are_restored(scores):
    assert autograded(scores, HOSTILE, "testedit")["test_rnn_step_forward"][0] == 0
    restored = autograded(scores, HOSTILE, "testdel")["test_rnn_step_forward"]
    assert restored[0] == restored[1] == 2


@pytest.mark.parametrize("student", ["callsref", "patchesref", "patcheshelper"])
def test_borrowed_or_forged_answers_earn_nothing(scores, student):
    assert autograded(scores, HOSTILE, student)["test_rnn_step_forward"][0] == 0


def test_grading_never_modifies_submitted_files(graded):
    assert graded["submitted_after"] == graded["submitted_before"]


FEEDBACK = [
    ("rnn", "bias_hh dropped", "test_rnn_step_forward", "Likely cause: bias_hh is missing"),
    ("rnn", "ReLU instead of tanh", "test_rnn_step_forward", "not tanh (ReLU?)"),
    ("rnn", "state not carried", "test_rnn_forward", "not carried from one step to the next"),
    ("rnn", "input weight not transposed", "test_rnn_step_forward", "your code raised"),
    ("rnn", "backward outputs left reversed", "test_bidirectional", "not put back in time"),
    ("bptt", "no gradient from the next step", "test_rnn_backward",
     "flowing back from step t+1"),
    ("bptt", "bias gradient averaged", "test_rnn_step_backward", "averaged instead of summed"),
    ("bptt", "each array clipped on its own", "test_clip", "clip by the norm of all"),
    ("lstm", "gate order f, i", "test_lstm_step_forward", "not in the order i, f, g, o"),
    ("lstm", "h without tanh", "test_lstm_step_forward", "tanh(c) is missing"),
    ("lstm", "cell state not carried", "test_lstm_forward", "cell state is not carried"),
    ("gru", "reset_after ignored", "test_gru_forward_before", "wrong side of W_hn"),
    ("gru", "one bias per gate counted", "test_count", "only one bias vector per gate"),
]


@pytest.mark.parametrize("assignment,mistake_name,cell,message", FEEDBACK,
                         ids=[f[1] for f in FEEDBACK])
def test_feedback_names_the_likely_cause(graded, assignment, mistake_name, cell, message):
    """What the learner reads under the failing part (the same text in the feedback)."""
    names = [m.name for m in submissions.MISTAKES[assignment]]
    student = f"m{names.index(mistake_name):02d}"
    notebook = nbcourse.read_notebook(graded["course"] / "autograded" / student, "",
                                      assignment)
    (test_cell,) = [c for c in notebook.cells if submissions.grade_id(c) == cell]
    text = "".join(o.get("text", "") for o in test_cell.outputs)
    assert message in text, text


def test_committed_release_is_a_fresh_generation(graded):
    """exercises/ is what `make exercises` produces now, with no solution, no hidden test and
    no output left in it."""
    for name in submissions.ASSIGNMENTS:
        fresh = nbcourse.read_notebook(graded["course"], "exercises", name)
        committed = nbcourse.read_notebook(nbcourse.ROOT, "exercises", name)
        assert committed == fresh, f"exercises/{name} is out of date: run make exercises"
        text = nbformat.writes(committed)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in text
        assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")
