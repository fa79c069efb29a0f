"""nbgrader configuration for the course: run nbgrader commands from this folder."""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)
COURSE = Path(__file__).resolve().parent

# The language the class is taught in: "en", or "zh_CN" for the Chinese release, whose
# instructions, hints and checks' feedback are Chinese (the same checks, the same points). It
# picks the notebooks generate_assignment reads and writes, and so the gradebook's test cells.
LANGUAGE = "en"
IN_LANGUAGE = "" if LANGUAGE == "en" else "/" + LANGUAGE

c.CourseDirectory.course_id = "rnns-properly"
c.CourseDirectory.root = str(COURSE)
c.CourseDirectory.source_directory = "solutions" + IN_LANGUAGE    # instructor notebooks
c.CourseDirectory.release_directory = "exercises" + IN_LANGUAGE   # what learners download

# The exchange, where release_assignment puts assignments and collect finds submissions,
# lives inside the course folder (nbgrader makes it writable by every user, with the sticky
# bit). On a JupyterHub shared with the students, set it to a folder they can all reach.
c.Exchange.root = str(COURSE / "exchange")

# A learner's cell may not run for ever: after this many seconds it is interrupted, and the
# rest of the notebook still runs (that part then earns nothing).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Outputs are cut to a readable size in the graded and feedback notebooks.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# A deleted test or answer cell is put back from the gradebook, so it is graded, not skipped;
# a test cell that arrives as it was released is restored without a warning, so that a test
# cell a learner changed stands out in the log.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "rnncourse.instructor.plugins.OverwriteReleasedCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Late work. Autograde compares a submission's time (timestamp.txt, which zip_collect writes from
# the LMS's file name: see rnncourse/instructor/plugins.py) with the assignment's due date
# (nbgrader db assignment add NAME --duedate=...), and nbgrader's own late-penalty plugin takes
# every point of a late submission; the export's late_submission_penalty column shows them.
# "none" keeps a late submission's points.
c.LateSubmissionPlugin.penalty_method = "zero"

# What the release leaves in an answer cell, in the class's language
STUBS = {"en": ("# YOUR CODE HERE", "YOUR ANSWER HERE"),
         "zh_CN": ("# 在这里写你的代码", "在这里写你的回答")}
CODE_STUB, TEXT_STUB = STUBS[LANGUAGE]
c.ClearSolutions.code_stub = {"python": CODE_STUB + "\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = TEXT_STUB

# zip_collect: downloads from Canvas, Moodle or Blackboard (file-name patterns in
# rnncourse/instructor/plugins.py); every file that fits none is reported as an error.
c.ZipCollectApp.collector_plugin = "rnncourse.instructor.plugins.LmsCollectorPlugin"

# export: grades.csv with a "review" column of flags (rnncourse/instructor/review.py).
c.ExportApp.plugin_class = "rnncourse.instructor.plugins.ReviewedCsvExportPlugin"
