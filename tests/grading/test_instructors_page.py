"""The instructors' page, followed literally: its shell blocks, in order, in a fresh copy of the
course, on a sample class (a model solution, mistakes, a blank and a hostile notebook,
downloaded from Canvas, Moodle and Blackboard)."""

import csv
import os
import re
import shutil
import subprocess

import pytest

from rnncourse.instructor import demo
from rnncourse.manifest import ROOT

pytestmark = pytest.mark.grading

PAGE = (ROOT / "book" / "instructors.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```sh\n(.*?)^```", PAGE, flags=re.MULTILINE | re.DOTALL)


def fresh_course(path):
    """What a clone of the repository holds, with the repository's environment."""
    path.mkdir()
    stamp = (ROOT / ".venv" / ".installed").stat().st_mtime
    for name in ("nbgrader_config.py", "Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, path / name)
        os.utime(path / name, (stamp - 1, stamp - 1))     # the environment is up to date
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, path / folder)
    (path / ".venv").symlink_to(ROOT / ".venv")
    return path


def test_the_page_has_the_whole_workflow():
    commands = " ".join(BLOCKS)
    for step in ("make exercises", "release_assignment", "zip_collect", "autograde",
                 "instructor.review", "instructor.manual", "generate_feedback", "export"):
        assert step in commands, step


def test_the_instructors_page_works_as_written(tmp_path):
    course = fresh_course(tmp_path / "course")
    logs = []
    for block in BLOCKS:
        if "zip_collect" in block:      # the page: "put the LMS's zip in downloaded/lstm/archive/"
            demo.lms_download(course, "lstm", course / "downloaded" / "lstm" / "archive"
                              / "submissions.zip")
        script = ("set -e\n" + ("" if "activate" in block else "source .venv/bin/activate\n")
                  + block)
        run = subprocess.run(["bash", "-c", script], cwd=course, capture_output=True,
                             text=True, timeout=900)
        logs.append(run.stdout + run.stderr)
        assert run.returncode == 0, f"{block}\n{logs[-1][-3000:]}"
    log = "\n".join(logs)
    assert f"{len(demo.CLASS)} files collected" in log and "files skipped" not in log
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == "lstm"}
    ids = {learner.work: learner.user_id for learner in demo.CLASS}
    assert set(rows) == set(ids.values())
    # the model solution: every automatic point, and the 1.5 of 2 the page's command gave
    assert float(rows[ids["solution"]]["score"]) == float(rows[ids["solution"]]["max_score"]) - 0.5
    assert 0 < float(rows[ids["mistake"]]["score"]) < float(rows[ids["mistake"]]["max_score"])
    assert float(rows[ids["blank"]]["score"]) == 0
    assert "replaces numpy.abs" in rows[ids["hostile"]]["review"]
    assert all(not rows[u]["review"] for w, u in ids.items() if w != "hostile")
    assert "lstm/1001/explain: 1.5 of 2" in log
    for user in ids.values():
        assert (course / "feedback" / user / "lstm" / "lstm.html").exists()
