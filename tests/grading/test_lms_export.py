"""python -m rnncourse.instructor.lms_export: one assignment's grades in the import format of
Canvas, Moodle or Blackboard, keyed on the LMS's ids, and refused when the roster and the
gradebook disagree about who is in the class."""

import csv
import os
import sys
from pathlib import Path

import pytest

from rnncourse.instructor import lms_export

pytestmark = pytest.mark.grading

# student: (automatic score of 9, hand score of 2, late penalty)
CLASS = {"1001": (9.0, 1.5, 0.0), "1006": (9.0, 2.0, 11.0), "2002": (6.0, 0.0, 0.0)}
NAMES = {"1001": ("Alice", "Ng"), "1006": ("Fay", "Orr"), "2002": ("Bob", "Ray")}
SCORES = {"1001": "10.5", "1006": "0", "2002": "6"}        # raw less the penalty


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    # a new gradebook runs alembic, which must be on PATH
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment("lstm")
        gb.add_notebook("lstm", "lstm")
        gb.add_grade_cell("test_all", "lstm", "lstm", max_score=9, cell_type="code")
        gb.add_grade_cell("explain", "lstm", "lstm", max_score=2, cell_type="markdown")
        for student, (auto, hand, penalty) in CLASS.items():
            gb.add_student(student)
            gb.add_submission("lstm", student)
            gb.find_grade("test_all", "lstm", "lstm", student).auto_score = auto
            gb.find_grade("explain", "lstm", "lstm", student).manual_score = hand
            gb.find_submission_notebook("lstm", "lstm", student).late_submission_penalty = \
                penalty
        gb.db.commit()
    return path


def write(path, rows, quoting=csv.QUOTE_MINIMAL, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=quoting, delimiter=delimiter).writerows(rows)
    return path


def canvas_roster(path, ids=tuple(CLASS), points="11"):
    return write(path, [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "rnn (101)", "lstm (777)", "Current Score"],
                        ["    Points Possible", "", "", "", "", "10", points, "(read only)"]]
                 + [[f"{NAMES.get(i, ('X', 'Y'))[1]}, {NAMES.get(i, ('X', 'Y'))[0]}", i,
                     f"S{i}", f"login{i}", "RNN 101", "", "", ""] for i in ids])


def moodle_roster(path, ids=tuple(CLASS)):
    return write(path, [["Identifier", "Full name", "Email address", "Status", "Grade",
                         "Maximum Grade"]]
                 + [[f"Participant {i}", " ".join(NAMES.get(i, ("X", "Y"))),
                     f"user{i}@example.edu", "Submitted", "", "11.00"] for i in ids])


def blackboard_roster(path, ids=tuple(CLASS), delimiter=","):
    return write(path, [["Last Name", "First Name", "Username", "Student ID",
                         "lstm [Total Pts: 11 Score] |3001", "Total [Total Pts: 21 Score] |3"]]
                 + [[NAMES[i][1], NAMES[i][0], i, f"S{i}", "", ""] for i in ids],
                 quoting=csv.QUOTE_ALL, delimiter=delimiter)


ROSTERS = {"canvas": canvas_roster, "moodle": moodle_roster, "blackboard": blackboard_roster}


def export(gradebook, lms, roster, *extra):
    out = roster.parent / f"{lms}-import.csv"
    code = lms_export.main(["lstm", "--lms", lms, "--roster", str(roster), "--out", str(out),
                            "--gradebook", str(gradebook), *extra])
    assert code == 0
    with open(out, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle)), out.read_text(encoding="utf-8")


def refused(gradebook, capsys, lms, roster, *extra):
    with pytest.raises(SystemExit) as stop:
        lms_export.main(["lstm", "--lms", lms, "--roster", str(roster), "--out",
                         str(roster.parent / "out.csv"), "--gradebook", str(gradebook), *extra])
    assert stop.value.code == 2
    assert not (roster.parent / "out.csv").exists()
    return capsys.readouterr().err


def test_canvas_file_has_canvas_columns_and_user_ids(gradebook, tmp_path):
    rows, _ = export(gradebook, "canvas", canvas_roster(tmp_path / "canvas.csv"))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "lstm (777)"]
    assert {row[1]: row[-1] for row in rows[1:]} == SCORES
    assert rows[1][:5] == ["Ng, Alice", "1001", "S1001", "login1001", "RNN 101"]


def test_moodle_file_is_keyed_on_email_from_the_participant_numbers(gradebook, tmp_path):
    rows, _ = export(gradebook, "moodle", moodle_roster(tmp_path / "worksheet.csv"))
    assert rows[0] == ["Full name", "Email address", "lstm"]
    assert {row[1]: row[2] for row in rows[1:]} == \
        {f"user{i}@example.edu": score for i, score in SCORES.items()}


def test_blackboard_file_is_keyed_on_user_names_and_the_column_id(gradebook, tmp_path):
    rows, text = export(gradebook, "blackboard", blackboard_roster(tmp_path / "bb.csv"))
    assert rows[0] == ["Last Name", "First Name", "Username", "lstm [Total Pts: 11 Score] |3001"]
    assert {row[2]: row[3] for row in rows[1:]} == SCORES
    assert text.splitlines()[1] == '"Ng","Alice","1001","10.5"'     # every value quoted


def test_a_tab_delimited_utf16_blackboard_download_is_read(gradebook, tmp_path):
    roster = blackboard_roster(tmp_path / "bb.xls", delimiter="\t")
    roster.write_bytes(roster.read_text(encoding="utf-8").encode("utf-16"))
    rows, _ = export(gradebook, "blackboard", roster)
    assert {row[2]: row[3] for row in rows[1:]} == SCORES


@pytest.mark.parametrize("lms", ROSTERS)
def test_a_student_missing_from_the_roster_is_refused_by_id(gradebook, tmp_path, capsys, lms):
    roster = ROSTERS[lms](tmp_path / "roster.csv", ids=("1001", "2002"))
    err = refused(gradebook, capsys, lms, roster)
    assert "1 student(s) with a submission of lstm in the gradebook are not on" in err
    assert ": 1006." in err


def test_a_roster_student_with_no_submission_is_refused_unless_absent_says(
        gradebook, tmp_path, capsys):
    roster = canvas_roster(tmp_path / "canvas.csv", ids=(*CLASS, "1009"))
    err = refused(gradebook, capsys, "canvas", roster)
    assert "--absent: 1 student(s) on" in err and "no submission of lstm" in err
    assert "1009" in err
    rows, _ = export(gradebook, "canvas", roster, "--absent=zero")
    assert {row[1]: row[-1] for row in rows[1:]}["1009"] == "0"
    rows, _ = export(gradebook, "canvas", roster, "--absent=blank")
    assert {row[1]: row[-1] for row in rows[1:]}["1009"] == ""


def test_points_that_differ_from_nbgraders_are_refused_or_rescaled(gradebook, tmp_path, capsys):
    roster = canvas_roster(tmp_path / "canvas.csv", points="22")
    err = refused(gradebook, capsys, "canvas", roster)
    assert "--rescale: lstm is out of 11 points in nbgrader, but the canvas column " \
           "'lstm (777)' is out of 22" in err
    rows, _ = export(gradebook, "canvas", roster, "--rescale")
    assert {row[1]: row[-1] for row in rows[1:]} == {"1001": "21", "1006": "0", "2002": "12"}


@pytest.mark.parametrize("lms,rows,says", [
    ("canvas", [["Student", "ID", "Section", "lstm (777)"]],
     "has no column 'SIS User ID', 'SIS Login ID'; expected Canvas's gradebook export"),
    ("canvas", [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "rnn (1)"]],
     "--column: ROSTER has no column named 'lstm'; its Canvas assignment columns are "
     "['rnn (1)']"),
    ("moodle", [["Identifier", "Full name", "Email address"], ["Jane", "Jane", "j@x"]],
     "'Jane' is not an identifier like 'Participant 123456'"),
    ("moodle", [["Identifier", "Full name", "Email address"], ["Participant 1001", "A", "a@x"],
                ["Participant 1006", "B", "a@x"]],
     "gives two students the e-mail address ['a@x']"),
    ("blackboard", [["Last Name", "First Name", "Username", "lstm [Total Pts: 11 Score] |1"],
                    ["Ng", "Alice", "1001", ""], ["Ng", "Alice", "1001", ""]],
     "lists the id '1001' twice"),
])
def test_a_roster_that_is_not_what_the_lms_gives_is_refused(gradebook, tmp_path, capsys, lms,
                                                            rows, says):
    roster = write(tmp_path / "roster.csv", rows)
    assert says.replace("ROSTER", str(roster)) in refused(gradebook, capsys, lms, roster)


def test_the_roster_is_not_written_over(gradebook, tmp_path, capsys):
    roster = canvas_roster(tmp_path / "canvas.csv")
    before = roster.read_bytes()
    with pytest.raises(SystemExit):
        lms_export.main(["lstm", "--lms", "canvas", "--roster", str(roster), "--out",
                         str(roster), "--gradebook", str(gradebook)])
    assert "--out: " in capsys.readouterr().err and roster.read_bytes() == before
