"""nbgrader configuration for the course: run nbgrader commands from this folder."""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "rnns-properly"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"      # instructor notebooks (with solutions)
c.CourseDirectory.release_directory = "exercises"     # what learners download

# A learner's cell may not run for ever: after this many seconds it is interrupted, and the
# rest of the notebook still runs (that part then earns nothing).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Outputs are cut to a readable size in the graded and feedback notebooks.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# A deleted test or answer cell is put back from the gradebook, so it is graded, not skipped.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# zip_collect: an LMS download named like "rnn_jdoe_attempt_2026-11-27-10-00-00_rnn.ipynb".
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/[^/_]+_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>[0-9-]+)_(?P<file_id>[^/]+)$")
