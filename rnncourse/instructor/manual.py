"""Hand grading from the command line, without the formgrader (run from the course folder):

    python -m rnncourse.instructor.manual ASSIGNMENT
        lists every answer graded by hand: the student, the cell, the score so far, and the
        answer itself as the learner wrote it
    python -m rnncourse.instructor.manual ASSIGNMENT STUDENT CELL SCORE [--comment TEXT]
        gives STUDENT's answer in CELL (its grade id, e.g. explain) that score

The scores go into gradebook.db, where ``generate_feedback`` and ``export`` find them. A late
submission's penalty is worked out again with the new score, by the late-penalty plugin that
autograde uses (nbgrader_config.py), since autograde worked it out before this answer had one.
"""

import argparse
import re
import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .course import course_config

# Control characters a learner's text could use to rewrite what the terminal shows
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def written_cells(gradebook, assignment):
    """The grade cells of ``assignment`` that a person grades: (notebook, cell name, max)."""
    cells = []
    for notebook in gradebook.find_assignment(assignment).notebooks:
        for cell in notebook.grade_cells:
            if cell.cell_type == "markdown":
                cells.append((notebook.name, cell.name, cell.max_score))
    return cells


def text_stub(course):
    """What the release leaves in a written answer: the TEXT_STUB of the course's
    nbgrader_config.py (in the class's language), else nbgrader's own default."""
    config = course_config(course) if (Path(course) / "nbgrader_config.py").exists() else {}
    return config.get("TEXT_STUB", "YOUR ANSWER HERE")


def written_answer(course, assignment, student, notebook, cell):
    """The text of ``cell`` in the student's notebook: the autograded copy (what was graded),
    else the submitted one. A sentence in brackets says why there is none."""
    for folder in ("autograded", "submitted"):
        path = Path(course) / folder / student / assignment / f"{notebook}.ipynb"
        if not path.exists():
            continue
        try:
            cells = nbformat.read(str(path), as_version=4).cells
        except Exception as error:                  # a truncated or hand-edited file
            return f"(could not read {folder}/{student}/{assignment}/{notebook}.ipynb: " \
                   f"{error})"
        for found in cells:
            if found.get("metadata", {}).get("nbgrader", {}).get("grade_id") == cell:
                text = found.source.strip()
                stub = text_stub(course)
                if not text or text == stub:
                    return f"(left as released: {stub})"
                return text
        return f"(no cell {cell!r} in {folder}/{student}/{assignment}/{notebook}.ipynb)"
    return f"(no notebook: neither autograded/ nor submitted/ holds " \
           f"{student}/{assignment}/{notebook}.ipynb)"


def readable(text, width):
    """The answer indented under its heading, each line wrapped to the terminal."""
    lines = []
    for line in CONTROL.sub("\N{REPLACEMENT CHARACTER}", text).splitlines():
        lines.extend(textwrap.wrap(line, width, initial_indent="    ",
                                   subsequent_indent="    ", break_on_hyphens=False) or [""])
    return "\n".join(lines)


def late_penalty_plugin(course):
    """The late-penalty plugin autograde uses, configured as the course's nbgrader_config.py
    says (nbgrader's LateSubmissionPlugin, whose default takes nothing, if there is none)."""
    from nbgrader.plugins import LateSubmissionPlugin
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    from traitlets.utils.importstring import import_item

    config = Config()
    if (Path(course) / "nbgrader_config.py").exists():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    plugin_class = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    return plugin_class(config=config)


def reapply_late_penalty(gradebook, course, notebook, assignment, student):
    """Work the late penalty out again with the notebook's score as it is now, as nbgrader's
    AssignLatePenalties does at autograde (clipped to 0 ... the score); return it, or None
    for a submission that was not late."""
    submission = gradebook.find_submission(assignment, student)
    if submission.total_seconds_late <= 0:
        return None
    graded = gradebook.find_submission_notebook(notebook, assignment, student)
    gradebook.db.refresh(graded)                # its score sums the grades, the new one too
    penalty = late_penalty_plugin(course).late_submission_penalty(
        student, graded.score, submission.total_seconds_late)
    if penalty is not None:
        penalty = min(max(penalty, 0.0), graded.score)
    graded.late_submission_penalty = penalty
    gradebook.db.commit()
    return penalty or 0.0


def list_answers(gradebook, course, assignment, cells):
    width = max(40, min(100, shutil.get_terminal_size((100, 24)).columns))
    for submission in gradebook.assignment_submissions(assignment):
        student = submission.student_id
        for notebook, cell, maximum in cells:
            grade = gradebook.find_grade(cell, notebook, assignment, student)
            score = "not graded" if grade.manual_score is None else f"{grade.manual_score:g}"
            late = " (late)" if submission.total_seconds_late > 0 else ""
            print(f"{student:16} {cell:12} {score} of {maximum:g}{late}")
            print(readable(written_answer(course, assignment, student, notebook, cell), width))
            print()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.instructor.manual",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("student", nargs="?")
    parser.add_argument("cell", nargs="?", help="the grade id of the answer cell")
    parser.add_argument("score", nargs="?", type=float)
    parser.add_argument("--comment", default=None)
    parser.add_argument("--gradebook", default="gradebook.db",
                        help="the course's gradebook (default: gradebook.db here)")
    args = parser.parse_args(argv)
    if not Path(args.gradebook).exists():
        parser.error(f"--gradebook: no file {args.gradebook} here; run this from the course "
                     "folder, after autograde")
    course = Path(args.gradebook).resolve().parent
    with Gradebook(f"sqlite:///{Path(args.gradebook).resolve()}") as gradebook:
        try:
            cells = written_cells(gradebook, args.assignment)
        except MissingEntry:
            parser.error(f"assignment: no assignment {args.assignment!r} in the gradebook")
        if args.student is None:
            list_answers(gradebook, course, args.assignment, cells)
            return 0
        if args.cell is None or args.score is None:
            parser.error("give STUDENT, CELL and SCORE together")
        matching = [(notebook, maximum) for notebook, cell, maximum in cells
                    if cell == args.cell]
        if not matching:
            parser.error(f"cell: {args.assignment} has no hand-graded cell {args.cell!r}; it "
                         f"has {[cell for _, cell, _ in cells]}")
        (notebook, maximum), = matching
        if not 0 <= args.score <= maximum:
            parser.error(f"score: expected a number from 0 to {maximum:g}, got {args.score:g}")
        try:
            grade = gradebook.find_grade(args.cell, notebook, args.assignment, args.student)
        except MissingEntry:
            parser.error(f"student: {args.student!r} has no graded submission of "
                         f"{args.assignment}")
        grade.manual_score = args.score
        grade.needs_manual_grade = False            # as the formgrader marks a graded answer
        if args.comment is not None:
            try:
                comment = gradebook.find_comment(args.cell, notebook, args.assignment,
                                                 args.student)
            except MissingEntry:
                parser.error(f"--comment: the cell {args.cell!r} takes no comment")
            comment.manual_comment = args.comment
        gradebook.db.commit()
        penalty = reapply_late_penalty(gradebook, course, notebook, args.assignment,
                                       args.student)
        late = "" if penalty is None else f" (late: a penalty of {penalty:g} on the notebook)"
        print(f"{args.assignment}/{args.student}/{args.cell}: {args.score:g} of {maximum:g}"
              f"{late}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
