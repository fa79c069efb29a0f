"""One temporary course, graded once per test session, shared by the grading tests."""

import hashlib
from pathlib import Path

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import review, submissions

HOSTILE = "rnn"      # the assignment that also receives the submissions that break the process


def tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def broken_submissions(solution, release):
    """Submissions that break the process rather than the maths, as {student: (notebook or
    text, file name)}."""
    def edited(grade_id, transform, base=solution):
        nb = nbformat.reads(nbformat.writes(base), as_version=4)
        for cell in nb.cells:
            if submissions.grade_id(cell) == grade_id:
                cell.source = transform(cell.source)
        return nb

    deleted = nbformat.reads(nbformat.writes(solution), as_version=4)
    deleted.cells = [c for c in deleted.cells
                     if submissions.grade_id(c) != "test_rnn_step_joined"]
    wrong_step = "h = np.tanh(joined @ weight.T + bias)"
    return {
        "loops": (edited("rnn_forward", lambda s: "while True:\n    pass\n" + s), None),
        "crashes": (edited("stacked", lambda s: "import os\nos._exit(1)\n" + s), None),
        "chatty": (edited("readout", lambda s: s + "\nprint('x' * 3_000_000)"), None),
        "garbled": ('{"cells": [ this is not JSON', None),
        "renamed": (solution, "rnn (1).ipynb"),
        "missing": ("I could not finish the notebook.", "notes.txt"),
        "testedit": (edited("test_rnn_step_joined", lambda s: "2.0", base=release), None),
        "testdel": (deleted, None),
        "patcheshelper": (edited("rnn_step_joined", lambda s: s.replace(
            wrong_step, wrong_step.replace(" + bias", "")) + (
            "\nimport rnncourse.grading.framework\n"
            "rnncourse.grading.framework.compare = lambda *a, **k: None\n"
            "def compare(*a, **k):\n    return None\n")), None),
    }


def hostile_students(assignment):
    """{student id: name} of the hostile submissions to ``assignment``."""
    release = nbcourse.read_notebook(nbcourse.ROOT, "exercises", assignment)
    return {f"x{k:02d}": name
            for k, name in enumerate(submissions.hostile_submissions(assignment, release))}


CHEATS = [(assignment, student, cheat) for assignment in submissions.HOSTILE
          for student, cheat in hostile_students(assignment).items()]


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Generate every assignment; submit the model solution, the blank release, every
    catalogued mistake, every honest variant and the hostile submissions; autograde them all;
    and review the submissions that break the process and every hostile one."""
    course = nbcourse.new_course(tmp_path_factory.mktemp("course") / "course",
                                 submissions.ASSIGNMENTS)
    mistakes, honest = {}, {}
    for name in submissions.ASSIGNMENTS:
        source = nbcourse.read_notebook(course, "solutions", name)
        release = nbcourse.read_notebook(course, "exercises", name)
        solution = submissions.solution_submission(source, release)
        nbcourse.write_submission(course, "solution", name, solution)
        nbcourse.write_submission(course, "blank", name, release)
        for k, mistake in enumerate(submissions.MISTAKES[name]):
            nbcourse.write_submission(course, f"m{k:02d}", name,
                                      submissions.with_mistake(solution, mistake))
            mistakes[(name, f"m{k:02d}")] = mistake
        for k, variant in enumerate(submissions.HONEST[name]):
            nbcourse.write_submission(course, f"h{k:02d}", name,
                                      submissions.with_honest_variant(solution, variant))
            honest[(name, f"h{k:02d}")] = variant
        if name in submissions.HOSTILE:
            cheats = submissions.hostile_submissions(name, release)
            for student, cheat in hostile_students(name).items():
                nbcourse.write_submission(course, student, name, cheats[cheat])
        if name == HOSTILE:
            for student, (content, filename) in broken_submissions(solution, release).items():
                nbcourse.write_submission(course, student, name, content, filename)
            nbcourse.write_submission(course, "targeted", name,
                                      submissions.targeted_rnn_submission(release))
    before = tree_digest(course / "submitted")
    runs = {name: nbcourse.nbgrader(course, "autograde", name, "--Execute.timeout=10",
                                    check=False)
            for name in submissions.ASSIGNMENTS}
    reviewed = {student: review.review_submission(course, HOSTILE, student)
                for student in ["solution", "targeted", "renamed", "crashes"]}
    reviewed.update({(assignment, student): review.review_submission(course, assignment, student)
                     for assignment, student, _ in CHEATS})
    return {"course": course, "mistakes": mistakes, "honest": honest, "runs": runs,
            "reviewed": reviewed, "submitted_before": before,
            "submitted_after": tree_digest(course / "submitted")}


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


def feedback_text(graded, assignment, student, cell):
    """What the learner reads under one test cell of the autograded notebook."""
    notebook = nbcourse.read_notebook(graded["course"] / "autograded" / student, "", assignment)
    (test_cell,) = [c for c in notebook.cells if submissions.grade_id(c) == cell]
    return "".join(o.get("text", "") for o in test_cell.outputs)
