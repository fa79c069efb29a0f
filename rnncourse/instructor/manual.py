"""Hand grading from the command line, without the formgrader (run from the course folder):

    python -m rnncourse.instructor.manual ASSIGNMENT
        lists every answer graded by hand, with its score so far
    python -m rnncourse.instructor.manual ASSIGNMENT STUDENT CELL SCORE [--comment TEXT]
        gives STUDENT's answer in CELL (its grade id, e.g. explain) that score

The scores go into gradebook.db, where ``generate_feedback`` and ``export`` find them.
"""

import argparse
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def written_cells(gradebook, assignment):
    """The grade cells of ``assignment`` that a person grades: (notebook, cell name, max)."""
    cells = []
    for notebook in gradebook.find_assignment(assignment).notebooks:
        for cell in notebook.grade_cells:
            if cell.cell_type == "markdown":
                cells.append((notebook.name, cell.name, cell.max_score))
    return cells


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
    with Gradebook(f"sqlite:///{Path(args.gradebook).resolve()}") as gradebook:
        try:
            cells = written_cells(gradebook, args.assignment)
        except MissingEntry:
            parser.error(f"assignment: no assignment {args.assignment!r} in the gradebook")
        if args.student is None:
            for submission in gradebook.assignment_submissions(args.assignment):
                for notebook, cell, maximum in cells:
                    grade = gradebook.find_grade(cell, notebook, args.assignment,
                                                 submission.student_id)
                    score = "not graded" if grade.manual_score is None else \
                        f"{grade.manual_score:g}"
                    print(f"{submission.student_id:16} {cell:12} {score} of {maximum:g}")
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
        if args.comment is not None:
            try:
                comment = gradebook.find_comment(args.cell, notebook, args.assignment,
                                                 args.student)
            except MissingEntry:
                parser.error(f"--comment: the cell {args.cell!r} takes no comment")
            comment.manual_comment = args.comment
        gradebook.db.commit()
        print(f"{args.assignment}/{args.student}/{args.cell}: {args.score:g} of {maximum:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
