"""zip_collect takes Canvas, Moodle and Blackboard downloads and names every file it skips;
hand grading works from the command line."""

import os
import sys
import zipfile
from pathlib import Path

import pytest

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import manual

pytestmark = pytest.mark.grading

DOWNLOADS = {
    "doejane_12345_6789012_rnn.ipynb": "12345",                         # Canvas
    "oneilkay_LATE_23456_6789013_rnn-1.ipynb": "23456",                 # Canvas, late, a copy
    "Jane Doe_345678_assignsubmission_file_rnn.ipynb": "345678",        # Moodle
    "Zoë Ng_456789_assignsubmission_file_/rnn.ipynb": "456789",         # Moodle, in a folder
    "rnn_j_doe_attempt_2026-11-27-10-00-00_rnn.ipynb": "j_doe",         # Blackboard
}
STRAYS = ["final version rnn.ipynb", "notes.txt"]


def test_zip_collect_takes_every_lms_and_reports_what_it_skips(tmp_path):
    course = nbcourse.new_course(tmp_path / "course", ["rnn"])
    notebook = (course / "exercises" / "rnn" / "rnn.ipynb").read_text(encoding="utf-8")
    archive = course / "downloaded" / "rnn" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for name in [*DOWNLOADS, *STRAYS]:
            bundle.writestr(name, notebook)
    run = nbcourse.nbgrader(course, "zip_collect", "rnn", "--force")
    log = run.stdout + run.stderr
    for student in DOWNLOADS.values():
        assert (course / "submitted" / student / "rnn" / "rnn.ipynb").exists(), (student, log)
    assert "5 files collected, 2 files skipped" in log
    for stray in STRAYS:
        assert "[ZipCollectApp | ERROR] Skipped" in log and stray in log


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    # a new gradebook runs alembic, which must be on PATH
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment("lstm")
        gb.add_notebook("lstm", "lstm")
        gb.add_grade_cell("explain", "lstm", "lstm", max_score=2, cell_type="markdown")
        gb.add_solution_cell("explain", "lstm", "lstm")
        gb.add_grade_cell("test_count", "lstm", "lstm", max_score=1, cell_type="code")
        gb.add_student("1001")
        gb.add_submission("lstm", "1001")
    return path


def test_hand_grading_from_the_command_line(gradebook, capsys):
    assert manual.main(["lstm", "--gradebook", str(gradebook)]) == 0
    assert "1001             explain      not graded of 2" in capsys.readouterr().out
    assert manual.main(["lstm", "1001", "explain", "1.5", "--comment", "good",
                        "--gradebook", str(gradebook)]) == 0
    manual.main(["lstm", "--gradebook", str(gradebook)])
    assert "explain      1.5 of 2" in capsys.readouterr().out


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
