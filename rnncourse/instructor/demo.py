"""Grade a small class end to end, as an instructor would, in a fresh course folder.

    python -m rnncourse.instructor.demo [COURSE_DIR]      (make grade-demo uses _build/grade-demo)

The class: a model solution, one and two catalogued mistakes, a blank notebook and a hostile
one, downloaded from Canvas, Moodle and Blackboard with their own file names. The steps are
those of the instructors' page: release, collect the LMS zip with zip_collect, autograde,
review, grade the written answers by hand, generate feedback, export. It leaves
COURSE_DIR/grades.csv (with the review column) and the feedback pages in COURSE_DIR/feedback/.
"""

import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import course as nbcourse
from . import manual, submissions


@dataclass(frozen=True)
class Learner:
    first: str
    last: str
    lms: str          # where the submissions were downloaded from
    user_id: str      # the id the LMS puts in file names, and nbgrader's student id
    work: str         # "solution", "mistake", "two mistakes", "blank" or "hostile"


CLASS = (Learner("Alice", "Ng", "Canvas", "1001", "solution"),
         Learner("Bob", "Ray", "Moodle", "2002", "mistake"),
         Learner("Carol", "Li", "Blackboard", "c_li", "two mistakes"),
         Learner("Dan", "Ode", "Canvas", "1004", "blank"),
         Learner("Eve", "Sly", "Moodle", "2005", "hostile"))
ASSIGNMENTS = ("rnn", "lstm")
MISTAKES = {"rnn": ("backward outputs left reversed",                  # names in the catalogue
                    ("state not carried", "readout on the first state")),
            "lstm": ("c_prev gradient without the forget gate",
                     ("cell state not carried", "initial state returned as final"))}
WRITTEN_SCORES = {"1001": 2.0, "2002": 1.5, "c_li": 1.0, "1004": 0.0, "2005": 0.0}


def lms_file_name(learner, assignment, k):
    """The name the learner's LMS gives a submission of ``assignment``.ipynb."""
    if learner.lms == "Canvas":
        return f"{(learner.last + learner.first).lower()}_{learner.user_id}_{9000 + k}_" \
               f"{assignment}.ipynb"
    if learner.lms == "Moodle":
        return f"{learner.first} {learner.last}_{learner.user_id}_assignsubmission_file_" \
               f"{assignment}.ipynb"
    return f"{assignment}_{learner.user_id}_attempt_2026-11-27-10-00-00_{assignment}.ipynb"


def notebook_for(learner, assignment, source, release):
    """The learner's submission of ``assignment``, built from the course's notebooks."""
    solution = submissions.solution_submission(source, release)
    catalogue = {m.name: m for m in submissions.MISTAKES[assignment]}
    single, pair = MISTAKES[assignment]
    if learner.work == "solution":
        return solution
    if learner.work == "mistake":
        return submissions.with_mistake(solution, catalogue[single])
    if learner.work == "two mistakes":
        return submissions.with_mistake(submissions.with_mistake(solution, catalogue[pair[0]]),
                                        catalogue[pair[1]])
    if learner.work == "blank":
        return release
    if assignment == "rnn":
        return submissions.hostile_rnn_submissions(release)["patches np.abs"]
    # elsewhere: a wrong answer, and np.abs replaced so that the comparisons see no error
    wrong = submissions.with_mistake(solution, catalogue[single])
    first = next(c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = "np.abs = lambda a: np.zeros(np.shape(a))\n" + first.source
    return wrong


def lms_download(course, assignment, archive):
    """A zip of the class's submissions, as an LMS's "download all" gives it."""
    source = nbcourse.read_notebook(course, "solutions", assignment)
    release = nbcourse.read_notebook(course, "exercises", assignment)
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for k, learner in enumerate(CLASS):
            notebook = notebook_for(learner, assignment, source, release)
            bundle.writestr(lms_file_name(learner, assignment, k), nbformat.writes(notebook))
    return archive


def run(course_dir):
    course = nbcourse.new_course(course_dir, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        nbcourse.nbgrader(course, "release_assignment", assignment, "--force")
        lms_download(course, assignment,
                     course / "downloaded" / assignment / "archive" / f"{assignment}.zip")
        nbcourse.nbgrader(course, "zip_collect", assignment, "--force")
        nbcourse.nbgrader(course, "autograde", assignment, "--force")
        for learner in CLASS:
            if assignment == "lstm":        # the written answer, graded by hand
                manual.main([assignment, learner.user_id, "explain",
                             str(WRITTEN_SCORES[learner.user_id]),
                             "--gradebook", str(course / "gradebook.db")])
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
