"""Tools for instructors: nbgrader plugins, the review of submissions, hand grading from the
command line, sample submissions and an end-to-end grading demonstration."""
