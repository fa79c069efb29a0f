"""zip_collect takes Canvas, Moodle and Blackboard downloads, Colab's copies among them, keeps
the submission times their names carry and names every file it skips; hand grading works from
the command line, shows the answers and keeps a late submission's penalty."""

import os
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import manual

pytestmark = pytest.mark.grading

DOWNLOADS = {
    "doejane_12345_6789012_rnn.ipynb": "12345",                         # Canvas
    "oneilkay_LATE_23456_6789013_rnn-1.ipynb": "23456",                 # Canvas, late, a copy
    "smithsam_34567_6789014_Copy of rnn.ipynb": "34567",                # Canvas, from Colab
    "Jane Doe_345678_assignsubmission_file_rnn.ipynb": "345678",        # Moodle
    "Zoë Ng_456789_assignsubmission_file_/rnn.ipynb": "456789",         # Moodle, in a folder
    "Al Bo_567890_assignsubmission_file_Copy of rnn (1).ipynb": "567890",  # Moodle, Colab, copy
    "rnn_j_doe_attempt_2026-11-27-10-00-00_rnn.ipynb": "j_doe",         # Blackboard
    "rnn_k_li_attempt_2026-11-30-08-15-00_Copy-of-rnn.ipynb": "k_li",   # Blackboard, late
}
STRAYS = ["final version rnn.ipynb", "notes.txt", "Copy of notes.ipynb"]
DUE = "2026-11-28 23:59:00"


def collect(course):
    run = nbcourse.nbgrader(course, "zip_collect", "rnn", "--force")
    return run.stdout + run.stderr


def timestamp(course, student):
    path = course / "submitted" / student / "rnn" / "timestamp.txt"
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def test_zip_collect_takes_every_lms_and_reports_what_it_skips(tmp_path):
    course = nbcourse.new_course(tmp_path / "course", ["rnn"])
    notebook = (course / "exercises" / "rnn" / "rnn.ipynb").read_text(encoding="utf-8")
    archive = course / "downloaded" / "rnn" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for name in [*DOWNLOADS, *STRAYS]:
            bundle.writestr(name, notebook)

    # Without a due date, Canvas's late mark is reported, and nothing can count as late.
    log = collect(course)
    assert timestamp(course, "23456") is None
    assert "is marked late by Canvas, but rnn has no due date in the gradebook" in log
    assert "nbgrader db assignment add rnn --duedate=" in log

    nbcourse.nbgrader(course, "db", "assignment", "add", "rnn", f"--duedate={DUE}")
    log = collect(course)
    for student in DOWNLOADS.values():
        folder = course / "submitted" / student / "rnn"
        assert [p.name for p in folder.glob("*.ipynb")] == ["rnn.ipynb"], (student, log)
    assert f"{len(DOWNLOADS)} files collected, {len(STRAYS)} files skipped" in log
    for stray in STRAYS:
        assert "[ZipCollectApp | ERROR] Skipped" in log and stray in log
    for copy in ("rnn-1.ipynb", "Copy of rnn.ipynb", "Copy of rnn (1).ipynb",
                 "Copy-of-rnn.ipynb"):
        assert f"Renamed {copy} to rnn.ipynb (a copy's name)" in log
    # Blackboard's attempt times as the names give them; Canvas's late file one second after
    # the due date, since its name has no time; no time for the others.
    assert timestamp(course, "j_doe") == "2026-11-27 10:00:00"
    assert timestamp(course, "k_li") == "2026-11-30 08:15:00"
    assert timestamp(course, "23456") == "2026-11-28 23:59:01"
    assert "recorded as submitted at 2026-11-28 23:59:01" in log
    assert timestamp(course, "12345") is None and timestamp(course, "345678") is None


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    # a new gradebook runs alembic, which must be on PATH
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment("lstm", duedate=DUE)
        gb.add_notebook("lstm", "lstm")
        gb.add_grade_cell("explain", "lstm", "lstm", max_score=2, cell_type="markdown")
        gb.add_solution_cell("explain", "lstm", "lstm")
        gb.add_grade_cell("test_count", "lstm", "lstm", max_score=1, cell_type="code")
        for student, submitted in [("1001", "2026-11-28 12:00:00"),
                                   ("1006", "2026-11-29 09:00:00")]:
            gb.add_student(student)
            gb.add_submission("lstm", student, timestamp=submitted)
            gb.find_grade("test_count", "lstm", "lstm", student).auto_score = 1.0
            grade = gb.find_grade("explain", "lstm", "lstm", student)
            grade.needs_manual_grade = True
        gb.db.commit()
    # the course's late policy, as nbgrader_config.py gives it
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.LateSubmissionPlugin.penalty_method = "zero"\n', encoding="utf-8")
    return path


def write_answer(tmp_path, folder, student, text):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("Part 5. Explain."),
                      nbformat.v4.new_markdown_cell(text)]
    notebook.cells[1].metadata["nbgrader"] = {"grade_id": "explain", "grade": True,
                                              "solution": True, "points": 2}
    path = tmp_path / folder / student / "lstm" / "lstm.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, str(path))


def test_the_listing_shows_each_answer_under_its_student(gradebook, tmp_path, capsys):
    answer = "The forget gate keeps the cell state.\n\nTanh bounds each write " + "x " * 80
    write_answer(tmp_path, "autograded", "1001", answer)
    write_answer(tmp_path, "submitted", "1006", "YOUR ANSWER HERE")
    assert manual.main(["lstm", "--gradebook", str(gradebook)]) == 0
    out = capsys.readouterr().out
    assert "1001             explain      not graded of 2\n" \
           "    The forget gate keeps the cell state.\n" in out
    assert all(len(line) <= 100 for line in out.splitlines())      # wrapped, readable
    assert "1006             explain      not graded of 2 (late)\n" \
           "    (left as released: YOUR ANSWER HERE)" in out
    assert manual.main(["lstm", "1001", "explain", "1.5", "--comment", "good",
                        "--gradebook", str(gradebook)]) == 0
    manual.main(["lstm", "--gradebook", str(gradebook)])
    assert "1001             explain      1.5 of 2\n" in capsys.readouterr().out


def test_the_listing_says_where_an_answer_is_missing_and_hides_terminal_codes(
        gradebook, tmp_path, capsys):
    write_answer(tmp_path, "autograded", "1001", "Gates \x1b[2J\x1b[31mcleared")
    manual.main(["lstm", "--gradebook", str(gradebook)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "Gates \N{REPLACEMENT CHARACTER}[2J" in out
    assert "(no notebook: neither autograded/ nor submitted/ holds 1006/lstm/lstm.ipynb)" in out


def test_a_hand_score_keeps_the_late_penalty(gradebook, capsys):
    from nbgrader.api import Gradebook

    assert manual.main(["lstm", "1006", "explain", "2", "--gradebook", str(gradebook)]) == 0
    assert "lstm/1006/explain: 2 of 2 (late: a penalty of 3 on the notebook)" in \
        capsys.readouterr().out
    manual.main(["lstm", "1001", "explain", "2", "--gradebook", str(gradebook)])
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        late, on_time = (gb.find_submission("lstm", s) for s in ("1006", "1001"))
        assert (late.score, late.late_submission_penalty) == (3.0, 3.0)   # "zero": all of it
        assert (on_time.score, on_time.late_submission_penalty) == (3.0, 0.0)
        assert not gb.find_grade("explain", "lstm", "lstm", "1006").needs_manual_grade


@pytest.mark.parametrize("args,says", [
    (["lstm", "1001", "explain", "3"], "score: expected a number from 0 to 2, got 3"),
    (["lstm", "1001", "test_count", "1"], "cell: lstm has no hand-graded cell 'test_count'"),
    (["lstm", "9999", "explain", "1"], "student: '9999' has no graded submission of lstm"),
    (["rnn"], "assignment: no assignment 'rnn' in the gradebook"),
    (["lstm", "1001"], "give STUDENT, CELL and SCORE together"),
])
def test_hand_grading_mistakes_are_usage_errors(gradebook, capsys, args, says):
    with pytest.raises(SystemExit) as stop:
        manual.main([*args, "--gradebook", str(gradebook)])
    assert stop.value.code == 2 and says in capsys.readouterr().err
