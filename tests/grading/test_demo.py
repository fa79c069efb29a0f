"""`make grade-demo`: a class downloaded from Canvas, Moodle and Blackboard (a late file and a
Colab copy among them), collected, autograded, reviewed, hand-graded, given feedback and
exported, for nbgrader and for each LMS, in a fresh course folder."""

import csv

import pytest

from rnncourse.instructor import demo

pytestmark = pytest.mark.grading


def test_grade_demo_leaves_grades_feedback_and_flags(tmp_path):
    course = demo.run(tmp_path / "course")
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    ids = {learner.work: learner.user_id for learner in demo.CLASS}
    for assignment in demo.ASSIGNMENTS:
        assert {s for a, s in rows if a == assignment} == set(ids.values())
        score = {work: float(rows[(assignment, user)]["score"]) for work, user in ids.items()}
        maximum = float(rows[(assignment, ids["solution"])]["max_score"])
        assert score["solution"] == maximum
        assert 0 < score["mistake"] < maximum and 0 < score["two mistakes"] < maximum
        assert score["blank"] == 0 and score["hostile"] <= 0.1 * maximum
        # the Colab copy is graded as the notebook it is; the late solution loses everything
        assert score["colab copy"] == maximum and score["late"] == 0
        late = rows[(assignment, ids["late"])]
        assert float(late["raw_score"]) == maximum
        assert float(late["late_submission_penalty"]) == maximum
        assert all(float(rows[(assignment, u)]["late_submission_penalty"]) == 0
                   for w, u in ids.items() if w != "late")
        for lms in demo.ROSTERS:
            with open(course / "lms" / f"{assignment}-{lms}-import.csv", newline="",
                      encoding="utf-8") as handle:
                grades = list(csv.reader(handle))
            assert len(grades) == 1 + len(demo.CLASS)
            assert sorted(float(row[-1]) for row in grades[1:]) == sorted(score.values())
        review = {work: rows[(assignment, user)]["review"] for work, user in ids.items()}
        assert "replaces numpy.abs" in review["hostile"]
        assert all(not review[w] for w in review if w != "hostile"), review
    # The written LSTM answer was graded by hand and counts in the total.
    assert float(rows[("lstm", ids["mistake"])]["score"]) % 1 == 0.5
    feedback = (course / "feedback" / ids["mistake"] / "rnn" / "rnn.html").read_text("utf-8")
    assert "Likely cause" in feedback and "not put back in time order" in feedback
