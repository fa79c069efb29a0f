"""The instructors' page, followed literally: its shell blocks, in order, in a fresh copy of the
course, on a sample class (a model solution, mistakes, a blank and a hostile notebook, a late
file and a Colab copy, downloaded from Canvas, Moodle and Blackboard), and its LMS exports
from a roster of each LMS."""

import csv
import os
import re
import shutil
import subprocess

import nbformat
import pytest

from rnncourse.instructor import demo, releases, submissions
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
    for step in ("make exercises", "release_assignment", "db assignment add lstm --duedate=",
                 "zip_collect", "autograde", "instructor.review", "instructor.manual",
                 "generate_feedback", "export --assignment lstm", *(
                     f"lms_export lstm --lms {lms} --roster {roster}"
                     for lms, roster in demo.ROSTERS.items())):
        assert step in commands, step


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def model_answer_opening(language):
    """The first words of the model's written answer, which the sample solution submits."""
    source = nbformat.read(str(releases.source_path("lstm", language)), as_version=4)
    (cell,) = [c for c in source.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "explain"]
    return submissions.strip_solution_markers(cell.source).splitlines()[0][:40]


@pytest.mark.parametrize("language", ("en", *releases.translated_languages()))
def test_the_instructors_page_works_as_written(tmp_path, language):
    course = fresh_course(tmp_path / "course")
    if language != "en":            # the page: "set one line of nbgrader_config.py"
        releases.set_class_language(course, language)
    logs = []
    for block in BLOCKS:
        if "zip_collect" in block:      # the page: "put the LMS's zip in downloaded/lstm/archive/"
            demo.lms_download(course, "lstm", course / "downloaded" / "lstm" / "archive"
                              / "submissions.zip")
        if "lms_export" in block:       # the page: "download the class list from your LMS"
            demo.write_rosters(course, "lstm", course)
        script = ("set -e\n" + ("" if "activate" in block else "source .venv/bin/activate\n")
                  + block)
        run = subprocess.run(["bash", "-c", script], cwd=course, capture_output=True,
                             text=True, timeout=900)
        logs.append(run.stdout + run.stderr)
        assert run.returncode == 0, f"{block}\n{logs[-1][-3000:]}"
    log = "\n".join(logs)
    ids = {learner.work: learner.user_id for learner in demo.CLASS}

    # collected: every file, the Colab copy under the assignment's name
    assert f"{len(demo.CLASS)} files collected" in log and "files skipped" not in log
    assert "Renamed Copy of lstm.ipynb to lstm.ipynb (a copy's name)" in log
    assert [p.name for p in (course / "submitted" / ids["colab copy"] / "lstm").iterdir()] \
        == ["lstm.ipynb"]

    # the export: this assignment's rows only, one per student
    rows = read_csv(course / "grades.csv")
    assert {r["assignment"] for r in rows} == {"lstm"} and len(rows) == len(demo.CLASS)
    rows = {r["student_id"]: r for r in rows}
    assert set(rows) == set(ids.values())
    maximum = float(rows[ids["solution"]]["max_score"])
    score = {work: float(rows[user]["score"]) for work, user in ids.items()}
    # the model solution: every automatic point, and the 1.5 of 2 the page's command gave
    assert score["solution"] == maximum - 0.5
    assert score["colab copy"] == maximum - 2          # graded; its written answer is not yet
    assert 0 < score["mistake"] < maximum and score["blank"] == 0

    # the due date; Canvas's late file one second after it loses what the page says: all of it
    assert {r["duedate"] for r in rows.values()} == {demo.DUE_DATE}
    late = rows[ids["late"]]
    assert late["timestamp"] == "2026-11-28 23:59:01"
    assert float(late["raw_score"]) == maximum - 2 and float(late["score"]) == 0
    assert float(late["late_submission_penalty"]) == float(late["raw_score"])
    # Blackboard's attempt, before the due date, kept and on time; the others on time
    assert rows[ids["two mistakes"]]["timestamp"] == "2026-11-27 10:00:00"
    assert all(float(r["late_submission_penalty"]) == 0 for u, r in rows.items()
               if u != ids["late"])

    # review and hand grading
    assert "replaces numpy.abs" in rows[ids["hostile"]]["review"]
    assert all(not rows[u]["review"] for w, u in ids.items() if w != "hostile")
    assert f"{ids['solution']:16} explain      not graded of 2\n" \
           f"    {model_answer_opening(language)}" in log
    assert f"{ids['blank']:16} explain      not graded of 2\n    (left as released: " in log
    assert f"{ids['late']:16} explain      not graded of 2 (late)\n" in log
    assert "lstm/1001/explain: 1.5 of 2" in log
    for user in ids.values():
        assert (course / "feedback" / user / "lstm" / "lstm.html").exists()
    feedback = (course / "feedback" / ids["solution"] / "lstm" / "lstm.html").read_text("utf-8")
    assert ("PASS" in feedback) == (language == "en")
    assert bool(re.search(r"[\u4e00-\u9fff]{4}", feedback)) == (language == "zh_CN")

    # each LMS's file: its columns, keyed on its ids, with nbgrader's scores (the late file's 0)
    expected = {u: float(rows[u]["score"]) for u in ids.values()}
    canvas = read_csv(course / "lstm-canvas.csv")
    assert list(canvas[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    (column,) = list(canvas[0])[5:]
    assert re.fullmatch(r"lstm \(\d+\)", column)
    assert {r["ID"]: float(r[column]) for r in canvas} == expected
    assert next(r[column] for r in canvas if r["ID"] == ids["late"]) == "0"
    moodle = read_csv(course / "lstm-moodle.csv")
    assert list(moodle[0]) == ["Full name", "Email address", "lstm"]
    participant = {r["Email address"]: r["Identifier"].split()[-1]
                   for r in read_csv(course / demo.ROSTERS["moodle"])}
    assert {participant[r["Email address"]]: float(r["lstm"]) for r in moodle} == expected
    blackboard = read_csv(course / "lstm-blackboard.csv")
    assert list(blackboard[0])[:3] == ["Last Name", "First Name", "Username"]
    (column,) = list(blackboard[0])[3:]
    assert re.fullmatch(rf"lstm \[Total Pts: {maximum:g} Score\] \|\d+", column)
    assert {r["Username"]: float(r[column]) for r in blackboard} == expected
