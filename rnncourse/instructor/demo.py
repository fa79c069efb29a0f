"""Grade a small class end to end, as an instructor would, in a fresh course folder.

    python -m rnncourse.instructor.demo [COURSE_DIR]      (make grade-demo uses _build/grade-demo)

The class: a model solution, one and two catalogued mistakes, a blank notebook, a hostile one,
a model solution that Canvas marks late and one downloaded from Colab as "Copy of NAME.ipynb",
downloaded from Canvas, Moodle and Blackboard with their own file names. The steps are those
of the instructors' page: release, set the due date, collect the LMS zip with zip_collect,
autograde, review, grade the written answers by hand, generate feedback, export, and export
again in each LMS's import format from a roster downloaded from it. It leaves
COURSE_DIR/grades.csv (with the review column), the feedback pages in COURSE_DIR/feedback/,
and the rosters and the LMS files in COURSE_DIR/lms/.

So that one graded class can be exported in all three formats, each learner here has the same
id in every LMS (a number, as Canvas's user ids and Moodle's participant numbers are, and as
Blackboard's user names are where they are student numbers); in a real course, one LMS gives
every id.
"""

import csv
import shutil
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import course as nbcourse
from . import lms_export, manual, releases, submissions


@dataclass(frozen=True)
class Learner:
    first: str
    last: str
    lms: str          # where the submissions were downloaded from
    user_id: str      # the id the LMS puts in file names, and nbgrader's student id
    work: str         # "solution", "mistake", "two mistakes", "blank", "hostile", "late" (the
                      # solution, after the due date) or "colab copy" (the solution, named by
                      # Colab's download)


CLASS = (Learner("Alice", "Ng", "Canvas", "1001", "solution"),
         Learner("Bob", "Ray", "Moodle", "2002", "mistake"),
         Learner("Carol", "Li", "Blackboard", "3003", "two mistakes"),
         Learner("Dan", "Ode", "Canvas", "1004", "blank"),
         Learner("Eve", "Sly", "Moodle", "2005", "hostile"),
         Learner("Fay", "Orr", "Canvas", "1006", "late"),
         Learner("Gus", "Hu", "Moodle", "2007", "colab copy"))
ASSIGNMENTS = ("rnn", "lstm")
MISTAKES = {"rnn": ("backward outputs left reversed",                  # names in the catalogue
                    ("state not carried", "readout on the first state")),
            "lstm": ("c_prev gradient without the forget gate",
                     ("cell state not carried", "initial state returned as final"))}
WRITTEN_SCORES = {"1001": 2.0, "2002": 1.5, "3003": 1.0, "1004": 0.0, "2005": 0.0,
                  "1006": 2.0, "2007": 2.0}
# The due date, as the instructors' page sets it; Blackboard's attempt below is before it.
DUE_DATE = "2026-11-28 23:59:00"
BLACKBOARD_ATTEMPT = "2026-11-27-10-00-00"
# The rosters the instructors' page names, each as its LMS names the download
ROSTERS = {"canvas": "canvas-gradebook.csv", "moodle": "moodle-worksheet.csv",
           "blackboard": "blackboard-gradebook.csv"}


def lms_file_name(learner, assignment, k):
    """The name the learner's LMS gives a submission of ``assignment``.ipynb."""
    notebook = f"Copy of {assignment}.ipynb" if learner.work == "colab copy" \
        else f"{assignment}.ipynb"
    if learner.lms == "Canvas":
        late = "LATE_" if learner.work == "late" else ""
        return f"{(learner.last + learner.first).lower()}_{late}{learner.user_id}_{9000 + k}_" \
               f"{notebook}"
    if learner.lms == "Moodle":
        return f"{learner.first} {learner.last}_{learner.user_id}_assignsubmission_file_" \
               f"{notebook}"
    return f"{assignment}_{learner.user_id}_attempt_{BLACKBOARD_ATTEMPT}_{notebook}"


def notebook_for(learner, assignment, source, release):
    """The learner's submission of ``assignment``, built from the course's notebooks."""
    solution = submissions.solution_submission(source, release)
    catalogue = {m.name: m for m in submissions.MISTAKES[assignment]}
    single, pair = MISTAKES[assignment]
    if learner.work in ("solution", "late", "colab copy"):
        return solution
    if learner.work == "mistake":
        return submissions.with_mistake(solution, catalogue[single])
    if learner.work == "two mistakes":
        return submissions.with_mistake(submissions.with_mistake(solution, catalogue[pair[0]]),
                                        catalogue[pair[1]])
    if learner.work == "blank":
        return release
    if assignment in submissions.HOSTILE:
        return submissions.hostile_submissions(assignment, release)["patches np.abs"]
    # elsewhere: a wrong answer, and np.abs replaced so that the comparisons see no error
    wrong = submissions.with_mistake(solution, catalogue[single])
    first = next(c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = "np.abs = lambda a: np.zeros(np.shape(a))\n" + first.source
    return wrong


def lms_download(course, assignment, archive):
    """A zip of the class's submissions, as an LMS's "download all" gives it."""
    language = releases.class_language(course)
    source = nbformat.read(str(releases.source_path(assignment, language, course)), 4)
    release = nbformat.read(str(releases.release_path(assignment, language, course)), 4)
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for k, learner in enumerate(CLASS):
            notebook = notebook_for(learner, assignment, source, release)
            bundle.writestr(lms_file_name(learner, assignment, k), nbformat.writes(notebook))
    return archive


def write_rosters(course, assignment, folder, prefix=""):
    """The class as each LMS's download lists it, with the grade column for ``assignment``
    worth as many points as nbgrader's maximum: {lms: folder/(prefix + ROSTERS[lms])} of
    Canvas's gradebook export, Moodle's grading worksheet and Blackboard's Grade Center
    download (see lms_export)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course).resolve() / 'gradebook.db'}") as gradebook:
        points = gradebook.find_assignment(assignment).max_score
    column_id = zlib.crc32(assignment.encode()) % 10000       # the LMS's id of the column
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "canvas": [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                    f"{assignment} ({98000 + column_id})", "Current Score"],
                   ["    Points Possible", "", "", "", "", f"{points:g}", "(read only)"]]
        + [[f"{p.last}, {p.first}", p.user_id, f"S{p.user_id}", f"{p.first}.{p.last}".lower(),
            "RNN 101", "", ""] for p in CLASS],
        "moodle": [["Identifier", "Full name", "Email address", "Status", "Grade",
                    "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                    "Last modified (grade)", "Feedback comments"]]
        + [[f"Participant {p.user_id}", f"{p.first} {p.last}",
            f"{p.first}.{p.last}@example.edu".lower(), "Submitted for grading", "",
            f"{points:.2f}", "Yes", "", "-", ""] for p in CLASS],
        "blackboard": [["Last Name", "First Name", "Username", "Student ID", "Last Access",
                        "Availability",
                        f"{assignment} [Total Pts: {points:g} Score] |{3000000 + column_id}"]]
        + [[p.last, p.first, p.user_id, f"S{p.user_id}", "", "Yes", ""] for p in CLASS],
    }
    paths = {}
    for lms, rows in tables.items():
        paths[lms] = folder / f"{prefix}{ROSTERS[lms]}"
        with paths[lms].open("w", newline="", encoding="utf-8") as handle:
            quoting = csv.QUOTE_ALL if lms == "blackboard" else csv.QUOTE_MINIMAL
            csv.writer(handle, quoting=quoting).writerows(rows)
    return paths


def run(course_dir):
    course = nbcourse.new_course(course_dir, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        nbcourse.nbgrader(course, "release_assignment", assignment, "--force")
        nbcourse.nbgrader(course, "db", "assignment", "add", assignment,
                          f"--duedate={DUE_DATE}")
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
        rosters = write_rosters(course, assignment, course / "lms", f"{assignment}-")
        for lms, roster in rosters.items():
            lms_export.main([assignment, "--lms", lms, "--roster", str(roster),
                             "--out", str(course / "lms" / f"{assignment}-{lms}-import.csv"),
                             "--gradebook", str(course / "gradebook.db")])
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
    for page in sorted((course / "lms").glob("*-import.csv")):
        print("for the LMS:", page)


if __name__ == "__main__":
    main()
