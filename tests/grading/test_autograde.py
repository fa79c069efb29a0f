"""The assignments graded by nbgrader itself, in a temporary course: model solutions and honest
variants score full marks, blank releases zero, every catalogued mistake loses points exactly
where it should, hostile submissions earn at most 10 % and neither stop the batch nor touch
anyone's files, and what the autograder cannot stop, the review flags."""

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import submissions

from .conftest import CHEATS, HOSTILE, feedback_text, hostile_students

pytestmark = pytest.mark.grading

MISTAKE_CASES = [(name, f"m{k:02d}", m) for name in submissions.ASSIGNMENTS
                 for k, m in enumerate(submissions.MISTAKES[name])]
HONEST_CASES = [(name, f"h{k:02d}", v) for name in submissions.ASSIGNMENTS
                for k, v in enumerate(submissions.HONEST[name])]


def autograded(scores, assignment, student):
    assert (assignment, student) in scores, f"{student}'s {assignment} was not graded"
    return {cell: score for cell, score in scores[(assignment, student)].items()
            if cell.startswith("test_")}


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_model_solution_scores_full_marks(scores, assignment):
    parts = autograded(scores, assignment, "solution")
    source = submissions.read(nbcourse.ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    graded_cells = {submissions.grade_id(c) for c in source.cells
                    if c.metadata.get("nbgrader", {}).get("grade")}
    assert set(scores[(assignment, "solution")]) == graded_cells   # every graded cell, no other
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
def test_mistake_loses_points_only_in_the_parts_it_breaks(scores, assignment, student,
                                                          mistake):
    parts = autograded(scores, assignment, student)
    for cell in mistake.breaks:
        score, maximum = parts[cell]
        assert score < maximum, f"{mistake.name!r} kept full marks in {cell}"
    # every other part is graded on its own code: an earlier slip costs nothing there
    kept = {cell: s for cell, s in parts.items() if cell not in mistake.breaks}
    assert all(s[0] == s[1] for s in kept.values()), f"lost points elsewhere: {kept}"


@pytest.mark.parametrize("assignment,student,variant", HONEST_CASES,
                         ids=[f"{a}-{v.name}" for a, _, v in HONEST_CASES])
def test_honest_variants_keep_full_marks_with_a_note(graded, scores, assignment, student,
                                                     variant):
    parts = autograded(scores, assignment, student)
    lost = {cell: s for cell, s in parts.items() if s[0] != s[1]}
    assert not lost, f"{variant.name!r} lost points: {lost}"
    text = "".join(feedback_text(graded, assignment, student, c) for c in parts)
    assert variant.breaks in text, f"no note {variant.breaks!r} in the feedback"


def test_hostile_submissions_never_stop_the_batch(graded, scores):
    run = graded["runs"][HOSTILE]
    log = run.stdout + run.stderr
    for student in ("solution", "blank", "loops", "chatty", "testedit", "testdel",
                    "patcheshelper", *hostile_students(HOSTILE)):
        assert (HOSTILE, student) in scores, f"{student} was not graded:\n{log[-3000:]}"
    # A crashed kernel, an unreadable file, a misnamed or missing notebook: each is reported
    # by name and earns nothing; the batch goes on (nbgrader then exits 1).
    for student in ("crashes", "garbled", "renamed"):
        assert f"error processing assignment '{HOSTILE}' for student '{student}'" in log
        assert all(s == 0 for s, _ in scores.get((HOSTILE, student), {}).values())
    assert "No notebooks were matched by" in log and f"submitted/missing/{HOSTILE}" in log
    assert (HOSTILE, "missing") not in scores
    assert "Skipping unknown notebook" in log and "rnn (1).ipynb" in log
    assert run.returncode == 1


@pytest.mark.parametrize("assignment,student,cheat", CHEATS,
                         ids=[f"{a}-{cheat}" for a, _, cheat in CHEATS])
def test_cheats_earn_at_most_a_tenth(scores, assignment, student, cheat):
    parts = autograded(scores, assignment, student)
    earned = sum(s for s, _ in parts.values())
    maximum = sum(m for _, m in parts.values())
    assert earned <= 0.1 * maximum, f"{cheat!r} earned {earned} of {maximum}: {parts}"


def test_the_review_flags_a_renamed_notebook_and_a_failed_grading(graded):
    assert graded["reviewed"]["solution"] == []
    assert any("no rnn.ipynb was submitted, only rnn (1).ipynb" in flag
               for flag in graded["reviewed"]["renamed"])
    assert any("autograding failed" in flag for flag in graded["reviewed"]["crashes"])


@pytest.mark.parametrize("assignment,student,cheat", CHEATS,
                         ids=[f"{a}-{cheat}" for a, _, cheat in CHEATS])
def test_the_review_flags_every_cheat(graded, assignment, student, cheat):
    assert graded["reviewed"][(assignment, student)], f"{cheat!r} was not flagged"


def test_an_attack_on_the_checks_is_caught_by_the_review(graded, scores):
    """Faking the checks module wins every point inside the learner's kernel (nothing there
    can stop it); the review's scan and its re-check with the checks loaded first flag it."""
    flags = graded["reviewed"]["targeted"]
    assert "replaces rnncourse.grading.load_checks" in flags
    assert any("autograde gave 2, the re-check with the checks loaded first gives 0" in f
               for f in flags), flags
    assert graded["reviewed"]["solution"] == []


def test_infinite_loop_is_interrupted_and_only_that_part_fails(scores):
    parts = autograded(scores, HOSTILE, "loops")
    assert parts["test_rnn_step_joined"][0] == parts["test_rnn_step_joined"][1]
    assert parts["test_rnn_forward"][0] == 0


def test_megabytes_of_output_do_not_break_grading(scores):
    parts = autograded(scores, HOSTILE, "chatty")
    assert parts["test_readout"][0] == parts["test_readout"][1]


def test_edited_and_deleted_test_cells_are_restored(scores):
    assert autograded(scores, HOSTILE, "testedit")["test_rnn_step_joined"][0] == 0
    restored = autograded(scores, HOSTILE, "testdel")["test_rnn_step_joined"]
    assert restored[0] == restored[1] == 2


def test_only_a_changed_test_cell_is_reported(graded):
    """Hidden tests stripped from the release do not make every honest submission look
    tampered with; a learner's edit of a test cell is still reported."""
    log = graded["runs"][HOSTILE].stdout + graded["runs"][HOSTILE].stderr
    changed = [line for line in log.splitlines() if "Attribute 'checksum'" in line]
    assert changed and all("test_rnn_step_joined" in line for line in changed), changed
    assert len(changed) == 1, changed       # the one submission that edited a test cell


def test_patching_an_earlier_copy_of_the_checks_earns_nothing(scores):
    assert autograded(scores, HOSTILE, "patcheshelper")["test_rnn_step_joined"][0] == 0


def test_grading_never_modifies_submitted_files(graded):
    assert graded["submitted_after"] == graded["submitted_before"]


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
