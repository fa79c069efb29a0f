"""`make grade-demo`: a class collected from an LMS zip, autograded, hand-graded, given
feedback and exported, in a fresh course folder."""

import csv

import pytest

from rnncourse.instructor import demo

pytestmark = pytest.mark.grading


def test_grade_demo_leaves_grades_and_feedback(tmp_path):
    course = demo.run(tmp_path / "course")
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    for assignment, students in demo.CLASS.items():
        assert {s for a, s in rows if a == assignment} == set(students)
        score = {s: float(rows[(assignment, s)]["score"]) for s in students}
        maximum = float(rows[(assignment, "alice")]["max_score"])
        assert score["alice"] == maximum                       # the model solution
        assert 0 < score["bob"] < maximum and 0 < score["carol"] < maximum  # mistakes
        assert score["dave"] == 0                              # the blank release
    # The written LSTM answer was graded by hand and counts in the total.
    assert float(rows[("lstm", "bob")]["score"]) % 1 == 0.5
    feedback = (course / "feedback" / "bob" / "rnn" / "rnn.html").read_text(encoding="utf-8")
    assert "Likely cause" in feedback and "not put back in time order" in feedback
