"""The review's scan, in this process: a copy of the reference's source is flagged, renamed or
not; the model answers and the honest variants, written from the equations, are not."""

import ast
import inspect

import nbformat
import pytest

import rnncore
from rnncourse.grading import assignments
from rnncourse.instructor import review, submissions
from rnncourse.manifest import ROOT


def submission(assignment, edit=None):
    source = nbformat.read(str(ROOT / "solutions" / assignment / f"{assignment}.ipynb"), 4)
    release = nbformat.read(str(ROOT / "exercises" / assignment / f"{assignment}.ipynb"), 4)
    notebook = submissions.solution_submission(source, release)
    return notebook if edit is None else submissions.with_honest_variant(notebook, edit)


def with_answer(notebook, grade_id, source):
    (cell,) = [c for c in notebook.cells if submissions.grade_id(c) == grade_id]
    cell.source = source
    return notebook


@pytest.mark.parametrize("assignment", assignments())
def test_the_model_answers_are_not_flagged(assignment):
    assert review.scan(submission(assignment)) == []


HONEST_CASES = [(name, v) for name in assignments() for v in submissions.HONEST[name]]


@pytest.mark.parametrize("assignment,variant", HONEST_CASES,
                         ids=[f"{a}-{v.name}" for a, v in HONEST_CASES])
def test_honest_variants_are_not_flagged(assignment, variant):
    assert review.scan(submission(assignment, variant)) == []


def test_the_reference_pasted_verbatim_is_flagged():
    notebook = with_answer(submission("lstm"), "lstm_peephole_step_forward",
                           inspect.getsource(rnncore.lstm_step_forward))
    assert "copies the reference's source: lstm_step_forward (rnncore/cells.py)" in \
        review.scan(notebook)


def test_the_reference_renamed_and_without_its_docstring_is_flagged():
    (function,) = ast.parse(inspect.getsource(rnncore.gru_step_backward)).body
    function.name, function.body = "my_gru_step", function.body[1:]     # the docstring gone
    source = ast.unparse(function)
    assert rnncore.gru_step_backward.__doc__[:40] not in source
    notebook = with_answer(submission("gru"), "gru_step_backward", source)
    assert "copies the reference's source: gru_step_backward (rnncore/cells.py)" in \
        review.scan(notebook)
