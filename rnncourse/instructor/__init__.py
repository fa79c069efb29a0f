"""Tools for instructors: sample submissions and an end-to-end grading demonstration."""
