"""One temporary course, graded once per test session, shared by the grading tests."""

import hashlib
from pathlib import Path

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import submissions

HOSTILE = "rnn"      # the assignment that also receives the hostile submissions


def tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def hostile_submissions(solution, release):
    """Broken or cheating submissions, as {student: (notebook or text, file name)}."""
    def edited(grade_id, transform, base=solution):
        nb = nbformat.reads(nbformat.writes(base), as_version=4)
        for cell in nb.cells:
            if submissions.grade_id(cell) == grade_id:
                cell.source = transform(cell.source)
        return nb

    deleted = nbformat.reads(nbformat.writes(solution), as_version=4)
    deleted.cells = [c for c in deleted.cells
                     if submissions.grade_id(c) != "test_rnn_step_forward"]
    wrong_step = "h = np.tanh(x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh)"
    return {
        "loops": (edited("rnn_forward", lambda s: "while True:\n    pass\n" + s), None),
        "crashes": (edited("stacked", lambda s: "import os\nos._exit(1)\n" + s), None),
        "chatty": (edited("readout", lambda s: s + "\nprint('x' * 3_000_000)"), None),
        "garbled": ('{"cells": [ this is not JSON', None),
        "renamed": (solution, "rnn (1).ipynb"),
        "missing": ("I could not finish the notebook.", "notes.txt"),
        "testedit": (edited("test_rnn_step_forward", lambda s: "2.0", base=release), None),
        "testdel": (deleted, None),
        "callsref": (edited("rnn_step_forward", lambda s: (
            "import rnncore\n\ndef rnn_step_forward(x, h_prev, weight_ih, weight_hh, "
            "bias_ih, bias_hh):\n    return rnncore.rnn_step_forward(x, h_prev, weight_ih, "
            "weight_hh, bias_ih, bias_hh)\n")), None),
        "patchesref": (edited("rnn_step_forward", lambda s: s.replace(
            wrong_step, wrong_step.replace(" + bias_hh", "")) + (
            "\nimport rnncore, rnncore.cells\n"
            "rnncore.rnn_step_forward = rnncore.cells.rnn_step_forward = "
            "lambda *a, **k: rnn_step_forward(*a[:6])\n")), None),
        "patcheshelper": (edited("rnn_step_forward", lambda s: s.replace(
            wrong_step, wrong_step.replace(" + bias_hh", "")) + (
            "\nimport rnncourse.grading\nrnncourse.grading.compare = lambda *a, **k: None\n"
            "def compare(*a, **k):\n    return None\n")), None),
    }


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Generate every assignment, submit the model solution, the blank release, every
    catalogued mistake and the hostile submissions, and autograde them all."""
    course = nbcourse.new_course(tmp_path_factory.mktemp("course") / "course",
                                 submissions.ASSIGNMENTS)
    expected = {}
    for name in submissions.ASSIGNMENTS:
        source = nbcourse.read_notebook(course, "solutions", name)
        release = nbcourse.read_notebook(course, "exercises", name)
        solution = submissions.solution_submission(source, release)
        nbcourse.write_submission(course, "solution", name, solution)
        nbcourse.write_submission(course, "blank", name, release)
        for k, mistake in enumerate(submissions.MISTAKES[name]):
            student = f"m{k:02d}"
            nbcourse.write_submission(course, student, name,
                                      submissions.with_mistake(solution, mistake))
            expected[(name, student)] = mistake
        if name == HOSTILE:
            for student, (content, filename) in hostile_submissions(solution, release).items():
                nbcourse.write_submission(course, student, name, content, filename)
    before = tree_digest(course / "submitted")
    runs = {name: nbcourse.nbgrader(course, "autograde", name, "--Execute.timeout=10",
                                    check=False)
            for name in submissions.ASSIGNMENTS}
    return {"course": course, "mistakes": expected, "runs": runs,
            "submitted_before": before, "submitted_after": tree_digest(course / "submitted")}


@pytest.fixture(scope="session")
def scores(graded):
    """{(assignment, student): {grade cell: (score, max)}}, read from the gradebook."""
    from nbgrader.api import Gradebook

    table = {}
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for notebook in submission.notebooks:
                    table[(assignment.name, submission.student_id)] = {
                        grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
    return table
