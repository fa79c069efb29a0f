"""Grade a small class end to end, as an instructor would, in a fresh course folder.

    python -m rnncourse.instructor.demo [COURSE_DIR]        (make grade-demo uses _build/grade-demo)

Steps: generate and release the assignments, collect an LMS download with zip_collect,
autograde, grade the written answers by hand (here: scores set through the gradebook API),
generate feedback, and export the grades to CSV. It leaves COURSE_DIR/grades.csv and the
feedback pages in COURSE_DIR/feedback/.
"""

import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from . import course as nbcourse
from . import submissions

# Who submits what: the model solution (no mistakes), one or two catalogued mistakes (by
# their index in submissions.MISTAKES), or the release with nothing filled in (None).
CLASS = {
    "rnn": {"alice": [], "bob": [7], "carol": [5, 11], "dave": None},
    "lstm": {"alice": [], "bob": [6], "carol": [9, 11], "dave": None},
}
ASSIGNMENTS = tuple(CLASS)
WRITTEN_SCORES = {"alice": 2.0, "bob": 1.5, "carol": 1.0, "dave": 0.0}


def lms_download(course, assignment):
    """A zip of submissions named the way learning-management systems name them."""
    source = nbcourse.read_notebook(course, "solutions", assignment)
    release = nbcourse.read_notebook(course, "exercises", assignment)
    solution = submissions.solution_submission(source, release)
    archive_dir = Path(course) / "downloaded" / assignment / "archive"
    archive_dir.mkdir(parents=True)
    with zipfile.ZipFile(archive_dir / f"{assignment}_submissions.zip", "w") as archive:
        for student, mistakes in CLASS[assignment].items():
            notebook = release if mistakes is None else solution
            for k in mistakes or []:
                notebook = submissions.with_mistake(notebook, submissions.MISTAKES[assignment][k])
            name = f"{assignment}_{student}_attempt_2026-11-27-10-00-00_{assignment}.ipynb"
            archive.writestr(name, nbformat.writes(notebook))


def grade_written_answers(course, assignment):
    """What an instructor does in the formgrader: score each written answer by hand."""
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        for cell in gb.find_notebook(assignment, assignment).grade_cells:
            if cell.cell_type != "markdown":
                continue
            for student in CLASS[assignment]:
                grade = gb.find_grade(cell.name, assignment, assignment, student)
                grade.manual_score = min(WRITTEN_SCORES[student], grade.max_score)
        gb.db.commit()


def run(course_dir):
    course = nbcourse.new_course(course_dir, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        nbcourse.nbgrader(course, "release_assignment", assignment, "--force")
        lms_download(course, assignment)
        nbcourse.nbgrader(course, "zip_collect", assignment, "--force")
        nbcourse.nbgrader(course, "autograde", assignment, "--force")
        grade_written_answers(course, assignment)
        nbcourse.nbgrader(course, "generate_feedback", assignment, "--force")
    nbcourse.nbgrader(course, "export", "--to", "grades.csv")
    return course


def main():
    course = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/grade-demo").resolve()
    if course.exists():
        shutil.rmtree(course)
    run(course)
    print((course / "grades.csv").read_text(encoding="utf-8"))
    for page in sorted((course / "feedback").rglob("*.html")):
        print("feedback:", page)


if __name__ == "__main__":
    main()
