"""One assignment's grades as a file that Canvas, Moodle or Blackboard imports, keyed on the
LMS's own ids (run from the course folder, after grading):

    python -m rnncourse.instructor.lms_export ASSIGNMENT --lms LMS --roster ROSTER --out FILE

ROSTER is a file downloaded from the LMS, which gives each student's ids and the grade column:

    canvas      the gradebook export (Grades > Export > Export Entire Gradebook), CSV
    moodle      the assignment's grading worksheet (View all submissions > Download grading
                worksheet), CSV
    blackboard  the Grade Center or gradebook download (Work Offline > Download, or Download
                grades), comma- or tab-delimited

nbgrader's student ids are the ids in the LMS's file names (see
rnncourse/instructor/plugins.py): Canvas's user id (the export's ID column), Moodle's
participant number in this assignment (the worksheet's "Participant 123456"; not the Moodle
user id), Blackboard's user name (the Username column). Every student with a submission in
the gradebook must be on the roster, and every student on the roster must have a submission
(or --absent says what they get): anything else is refused with the ids named, rather than a
file the LMS would reject or that would put a grade on the wrong student.

The score is nbgrader's: the raw score less the late penalty, never below 0. nbgrader's own
``nbgrader export`` (grades.csv, with the review column) is unchanged.
"""

# The LMSs' import formats, as their documentation gives them (the addresses are kept whole,
# so that they can be opened; a few are longer than a line):
#
# Canvas: a gradebook CSV import needs the columns Student, ID, SIS User ID, SIS Login ID and
# Section, and one column per assignment headed "Name (assignment id)"; a column whose header
# matches no assignment creates a new one. ID is the Canvas user id.
# https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
# https://nemogb-dev.github.io/nemogb-r/articles/detailed-canvas-export-info.html
#
# Moodle: Grades > Import > CSV file; at the preview, "Identify user by" maps a column of the
# file ("Map from") to a user field ("Map to": useremail, useridnumber, username or userid),
# and each other column to a grade item. E-mail addresses are compared case-sensitively. The
# assignment's download and grading worksheet name students by participant number
# (get_uniqueid_for_user, a per-assignment mapping), which no user field holds, so the file is
# keyed on the worksheet's e-mail address.
# https://docs.moodle.org/311/en/Grade_import
# https://github.com/moodle/moodle/blob/main/mod/assign/locallib.php (download_submissions)
#
# Blackboard: Grade Center (Original) and gradebook (Ultra) uploads identify students by
# Username and columns by the Column ID after "|" in a header such as
# "lstm [Total Pts: 12 Score] |123456"; a column without one becomes a new text column worth
# 0 points. In a comma-delimited file every value is in double quotes.
# https://help.blackboard.com/Learn/Instructor/Original/Grade/Grading_Tasks/Work_Offline_With_Grade_Data
# https://help.blackboard.com/Learn/Instructor/Ultra/Grade/Grading_Tasks/Work_Offline_With_Grade_Data
# http://library.blackboard.com/ref/36ba3329-e441-488a-93ce-7a55543cc999/Content/Grade%20Center/Uploading%20External%20Grade%20Center%20Items.htm

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

LMSS = ("canvas", "moodle", "blackboard")
CANVAS_COLUMN = re.compile(r"^(?P<name>.+?) \((?P<id>\d+)\)$")
BLACKBOARD_COLUMN = re.compile(
    r"^(?P<name>.+?) \[Total Pts: (?:up to )?(?P<points>[\d.]+)[^\]]*\] \|(?P<id>\d+)$")
MOODLE_PARTICIPANT = re.compile(r"^\D*?(\d+)\s*$")         # "Participant 123456"


class RosterError(ValueError):
    """A roster that cannot be read, or that does not fit the gradebook."""


@dataclass
class Roster:
    """What an LMS's download says: its rows (nbgrader id -> the LMS's own fields), the
    columns the import file takes from it, the grade column's header and its points."""
    lms: str
    rows: dict = field(default_factory=dict)
    id_columns: tuple = ()
    column: str = ""
    points: float | None = None


def read_table(path):
    """The rows of a CSV or tab-delimited file, as dicts. Blackboard's tab-delimited ".xls"
    download is UTF-16; the others are UTF-8, often with a byte-order mark."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") \
            else data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterError(f"--roster: {path} is not UTF-8 or UTF-16 text ({error}); download "
                          "it again as CSV") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    return [name.strip() for name in reader.fieldnames or []], rows


def require(path, header, columns, what):
    missing = [c for c in columns if c not in header]
    if missing:
        raise RosterError(f"--roster: {path} has no column {', '.join(map(repr, missing))}; "
                          f"expected {what}, whose columns include {', '.join(columns)}; "
                          f"its columns are {header}")


def add_row(roster, path, key, row):
    if not key:
        raise RosterError(f"--roster: {path} has a student with no id: {row}")
    if key in roster.rows:
        raise RosterError(f"--roster: {path} lists the id {key!r} twice")
    roster.rows[key] = row


def pick_column(path, header, pattern, assignment, column, lms):
    """The grade column for ``assignment``: ``column`` if given, else the one whose name is
    the assignment's."""
    candidates = [h for h in header if pattern.match(h)]
    if column is not None:
        if column not in header:
            raise RosterError(f"--column: {path} has no column {column!r}; its {lms} "
                              f"assignment columns are {candidates}")
        return column
    matching = [h for h in candidates
                if pattern.match(h)["name"].strip().lower() == assignment.lower()]
    if len(matching) != 1:
        found = "no column" if not matching else f"{len(matching)} columns"
        raise RosterError(f"--column: {path} has {found} named {assignment!r}; its {lms} "
                          f"assignment columns are {candidates}: give the one to fill with "
                          "--column")
    return matching[0]


def canvas_roster(path, assignment, column):
    header, rows = read_table(path)
    ids = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
    require(path, header, ids, "Canvas's gradebook export")
    roster = Roster("canvas", id_columns=ids)
    roster.column = pick_column(path, header, CANVAS_COLUMN, assignment, column, "Canvas")
    for row in rows:
        if row["Student"] == "Points Possible":          # the row under the header
            roster.points = number(row.get(roster.column))
        elif row["Student"] or row["ID"]:
            add_row(roster, path, row["ID"], {k: row[k] for k in ids})
    return roster


def moodle_roster(path, assignment, column):
    header, rows = read_table(path)
    require(path, header, ("Identifier", "Full name", "Email address"),
            "Moodle's grading worksheet")
    roster = Roster("moodle", id_columns=("Full name", "Email address"),
                    column=column or assignment)
    maxima = set()
    for row in rows:
        participant = MOODLE_PARTICIPANT.match(row["Identifier"])
        if not participant:
            raise RosterError(f"--roster: {path}: {row['Identifier']!r} is not an identifier "
                              "like 'Participant 123456'")
        if not row["Email address"]:
            raise RosterError(f"--roster: {path}: {row['Identifier']} has no e-mail address, "
                              "the field Moodle's import identifies students by")
        add_row(roster, path, participant.group(1),
                {"Full name": row["Full name"], "Email address": row["Email address"]})
        maxima.add(number(row.get("Maximum Grade")))
    emails = [row["Email address"] for row in roster.rows.values()]
    twice = sorted({e for e in emails if emails.count(e) > 1})
    if twice:
        raise RosterError(f"--roster: {path} gives two students the e-mail address {twice}")
    if len(maxima) == 1:
        roster.points = maxima.pop()
    return roster


def blackboard_roster(path, assignment, column):
    header, rows = read_table(path)
    require(path, header, ("Last Name", "First Name", "Username"),
            "Blackboard's Grade Center or gradebook download")
    ids = ("Last Name", "First Name", "Username")
    roster = Roster("blackboard", id_columns=ids)
    roster.column = pick_column(path, header, BLACKBOARD_COLUMN, assignment, column,
                                "Blackboard")
    found = BLACKBOARD_COLUMN.match(roster.column)
    roster.points = number(found["points"]) if found else None
    for row in rows:
        add_row(roster, path, row["Username"], {k: row[k] for k in ids})
    return roster


READERS = {"canvas": canvas_roster, "moodle": moodle_roster, "blackboard": blackboard_roster}


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def gradebook_scores(gradebook, assignment):
    """{student id: (score after the late penalty, needs a hand grade)} and the maximum."""
    try:
        maximum = gradebook.find_assignment(assignment).max_score
    except MissingEntry:
        raise RosterError(f"assignment: no assignment {assignment!r} in the gradebook") \
            from None
    scores = {}
    for submission in gradebook.assignment_submissions(assignment):
        penalty = submission.late_submission_penalty or 0.0
        scores[submission.student_id] = (max(0.0, submission.score - penalty),
                                         submission.needs_manual_grade)
    return scores, maximum


def check_ids(roster, scores, assignment, absent, roster_path):
    """Refuse ids that are in one of the gradebook and the roster only."""
    label = {"canvas": "Canvas user id", "moodle": "participant number",
             "blackboard": "user name"}[roster.lms]
    strangers = sorted(set(scores) - set(roster.rows))
    if strangers:
        raise RosterError(
            f"--roster: {len(strangers)} student(s) with a submission of {assignment} in the "
            f"gradebook are not on {roster_path} (by {label}): {', '.join(strangers)}. The LMS "
            "would reject their rows, or give the grade to whoever has that id: check that "
            "the roster is this course's" + (", and this assignment's (Moodle numbers "
                                             "participants per assignment)"
                                             if roster.lms == "moodle" else ""))
    missing = sorted(set(roster.rows) - set(scores))
    if missing and absent is None:
        raise RosterError(
            f"--absent: {len(missing)} student(s) on {roster_path} have no submission of "
            f"{assignment} in the gradebook: {', '.join(missing)}. Collect and grade their "
            "work, or say what they get: --absent=zero (0 points) or --absent=blank (an "
            "empty cell, which the LMS leaves as it was)")
    return missing


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.instructor.lms_export",
                                     description="One assignment's grades as a file that "
                                     "Canvas, Moodle or Blackboard imports.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[5:12]))
    parser.add_argument("assignment")
    parser.add_argument("--lms", required=True, choices=LMSS)
    parser.add_argument("--roster", required=True, type=Path,
                        help="the file downloaded from the LMS (see below)")
    parser.add_argument("--out", required=True, type=Path, help="the file to import")
    parser.add_argument("--column", default=None,
                        help="the grade column to fill: a column of the roster for Canvas and "
                             "Blackboard (default: the one named after the assignment), the "
                             "header to write for Moodle (default: the assignment's name)")
    parser.add_argument("--absent", choices=("zero", "blank"), default=None,
                        help="what a student on the roster with no submission gets (default: "
                             "refuse)")
    parser.add_argument("--rescale", action="store_true",
                        help="scale scores to the LMS column's points when they differ from "
                             "nbgrader's maximum (default: refuse)")
    parser.add_argument("--gradebook", default="gradebook.db", type=Path,
                        help="the course's gradebook (default: gradebook.db here)")
    args = parser.parse_args(argv)
    if not args.gradebook.exists():
        parser.error(f"--gradebook: no file {args.gradebook} here; run this from the course "
                     "folder, after autograde")
    if not args.roster.exists():
        parser.error(f"--roster: no file {args.roster}")
    if args.out.resolve() == args.roster.resolve():
        parser.error(f"--out: {args.out} is the roster; write the grades to another file")
    try:
        roster = READERS[args.lms](args.roster, args.assignment, args.column)
        if not roster.rows:
            raise RosterError(f"--roster: {args.roster} lists no students")
        with Gradebook(f"sqlite:///{args.gradebook.resolve()}") as gradebook:
            scores, maximum = gradebook_scores(gradebook, args.assignment)
        missing = check_ids(roster, scores, args.assignment, args.absent, args.roster)
        scale = 1.0
        if roster.points is not None and abs(roster.points - maximum) > 1e-9:
            if not args.rescale:
                raise RosterError(
                    f"--rescale: {args.assignment} is out of {maximum:g} points in nbgrader, "
                    f"but the {args.lms} column {roster.column!r} is out of "
                    f"{roster.points:g}; set it to {maximum:g} points in the LMS and "
                    f"download the roster again, or pass --rescale to write score × "
                    f"{roster.points:g}/{maximum:g}")
            scale = roster.points / maximum
        elif args.rescale:
            raise RosterError(f"--rescale: {args.roster} does not say how many points the "
                              f"{args.lms} column is worth, or it is worth {maximum:g} already")
    except RosterError as error:
        parser.error(str(error))
    write(args.out, roster, scores, scale, missing, args.absent)
    ungraded = sorted(s for s, (_, hand) in scores.items() if hand)
    if ungraded:
        print(f"warning: answers graded by hand are still to grade for {', '.join(ungraded)}, "
              f"and count 0 (python -m rnncourse.instructor.manual {args.assignment})",
              file=sys.stderr)
    print(f"{args.out}: {len(roster.rows)} students, {args.assignment} in column "
          f"{roster.column!r}, for {args.lms}")
    return 0


def write(out, roster, scores, scale, missing, absent):
    # Blackboard wants every value of a comma-delimited file quoted; the others accept it.
    quoting = csv.QUOTE_ALL if roster.lms == "blackboard" else csv.QUOTE_MINIMAL
    with Path(out).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=quoting)
        writer.writerow([*roster.id_columns, roster.column])
        for key, row in roster.rows.items():
            if key in missing:
                grade = "0" if absent == "zero" else ""
            else:
                grade = f"{round(scores[key][0] * scale, 2):g}"
            writer.writerow([*(row[c] for c in roster.id_columns), grade])


if __name__ == "__main__":
    sys.exit(main())
