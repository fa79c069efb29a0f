"""Each translated release graded by nbgrader itself, in a course taught in that language (its
``LANGUAGE`` set in nbgrader_config.py, as the instructors' page says): the committed release is
what nbgrader generates, the model solution earns full marks with feedback in the language, and
the blank release earns nothing. tests/grading/test_releases.py holds every catalogued mistake
to the English scores."""

import re

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import releases, submissions

pytestmark = pytest.mark.grading

LANGUAGES = releases.translated_languages()
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=LANGUAGES)
def graded(request, tmp_path_factory):
    language = request.param
    course = nbcourse.new_course(tmp_path_factory.mktemp("course") / "course",
                                 submissions.ASSIGNMENTS, language)
    released = f"exercises/{language}"
    for name in submissions.ASSIGNMENTS:
        source = nbcourse.read_notebook(course, f"solutions/{language}", name)
        release = nbcourse.read_notebook(course, released, name)
        nbcourse.write_submission(course, "solution", name,
                                  submissions.solution_submission(source, release))
        nbcourse.write_submission(course, "blank", name, release)
        nbcourse.nbgrader(course, "autograde", name)
        nbcourse.nbgrader(course, "generate_feedback", name)
    return language, course


def scores(course, assignment, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks for grade in notebook.grades
                if grade.name.startswith("test_")}


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_the_committed_release_is_what_nbgrader_generates(graded, assignment):
    language, course = graded
    fresh = nbcourse.read_notebook(course, f"exercises/{language}", assignment)
    committed = nbformat.read(str(releases.release_path(assignment, language)), as_version=4)
    assert committed == fresh, f"{releases.release_path(assignment, language)} is out of " \
        "date: run make exercises"
    text = nbformat.writes(committed)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "YOUR CODE HERE"):
        assert marker not in text


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_the_model_solution_earns_full_marks_with_feedback_in_the_language(graded, assignment):
    language, course = graded
    parts = scores(course, assignment, "solution")
    english = nbformat.read(str(releases.source_path(assignment)), as_version=4)
    assert len(parts) == sum(releases.is_test_cell(c) for c in english.cells)
    assert all(score == maximum for score, maximum in parts.values()), parts
    feedback = (course / "feedback" / "solution" / assignment / f"{assignment}.html").read_text(
        encoding="utf-8")
    assert CJK.search(feedback) and "PASS" not in feedback


@pytest.mark.parametrize("assignment", submissions.ASSIGNMENTS)
def test_the_blank_release_earns_nothing(graded, assignment):
    _, course = graded
    parts = scores(course, assignment, "blank")
    assert parts and all(score == 0 for score, _ in parts.values()), parts
