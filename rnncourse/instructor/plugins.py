"""The course's plugins for nbgrader, named in ``nbgrader_config.py``.

- :class:`LmsCollectorPlugin`: ``nbgrader zip_collect`` for downloads from Canvas, Moodle and
  Blackboard: copies' names put right, submission times kept (Canvas's late mark included),
  loud about every file it skips.
- :class:`OverwriteReleasedCells`: autograde restores test cells as nbgrader does, but stays
  quiet about a test cell that arrives exactly as it was released (its hidden tests were
  removed from the release, which nbgrader would otherwise report as a change in every
  honest submission), so that a real change stands out.
- :class:`ReviewedCsvExportPlugin`: ``nbgrader export`` writes grades.csv with a ``review``
  column holding :mod:`rnncourse.instructor.review`'s flags.
"""

import copy
import csv
import os
import re
from datetime import timedelta
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin, FileNameCollectorPlugin
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from nbgrader.utils import compute_checksum
from traitlets import List, Unicode

from . import review

# The file names of a learning-management system's "download all submissions", for a
# submission of rnn.ipynb (the patterns' named groups are nbgrader's, plus ``late``):
#   Canvas      doejane_12345_6789012_rnn.ipynb, doejane_LATE_12345_6789012_rnn-1.ipynb
#               (12345 is the Canvas user id; LATE_ says the file came after Canvas's due
#               date, and the name carries no time)
#   Moodle      Jane Doe_123456_assignsubmission_file_rnn.ipynb, or the same in a folder:
#               Jane Doe_123456_assignsubmission_file_/rnn.ipynb (123456 is the participant
#               number Moodle gives the student in this assignment, not the user id; the name
#               carries no time and no late mark)
#   Blackboard  rnn_j_doe_attempt_2026-11-27-10-00-00_rnn.ipynb (the first part is the
#               assignment's name in Blackboard and must not contain "_"; the attempt's time
#               is Blackboard's local time, with no zone)
LMS_PATTERNS = {
    "Canvas": r"^(?P<last_first>[a-z][a-z\-']*)_(?P<late>LATE_)?(?P<student_id>\d+)_\d+_"
              r"(?P<file_id>[^/]+)$",
    "Moodle": r"^(?P<full_name>[^/_][^/]*?)_(?P<student_id>\d+)_assignsubmission_file_/?"
              r"(?P<file_id>[^/]+)$",
    "Blackboard": r"^(?P<lms_assignment>[^_/]*)_(?P<student_id>.+?)_attempt_"
                  r"(?P<timestamp>[0-9\-]+)_(?P<file_id>[^/]+)$",
}
# What an LMS or a notebook service adds to a notebook's name when it keeps a copy: Colab's
# "Copy of " (or "Copy-of-" once an LMS has replaced the spaces), and the "-1" or " (1)"
# that Canvas and browsers add to a second file of the same name. They combine
# ("Copy of lstm (1).ipynb").
COPY_PREFIX = re.compile(r"^(?:copy[ _-]of[ _-])+", re.IGNORECASE)
COPY_SUFFIX = re.compile(r"(?:-\d+| ?\(\d+\))+$")
BLACKBOARD_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})-(\d{2})$")


class LmsCollectorPlugin(FileNameCollectorPlugin):
    """Reads the student id from a Canvas, Moodle or Blackboard file name (see LMS_PATTERNS):
    Canvas's numeric user ids, Moodle's participant numbers, Blackboard's user names.

    A copy's name ("Copy of lstm.ipynb", "lstm-1.ipynb", "lstm (1).ipynb") is put back to the
    assignment's notebook name, with a warning. The submission's time goes to nbgrader
    (``timestamp.txt``, which autograde compares with the assignment's due date): Blackboard's
    attempt time as the name gives it; for a file Canvas marks late, whose name has no time,
    one second after the due date in the gradebook, so that nbgrader's late penalty applies.
    Every file that fits no pattern is reported as an error, by name."""

    patterns = List(Unicode(), default_value=list(LMS_PATTERNS.values()),
                    help="Named regular expressions tried in turn on the file's name, then "
                         "on 'folder/name'.").tag(config=True)

    def collect(self, submitted_file):
        name = os.path.basename(submitted_file)
        folder = os.path.basename(os.path.dirname(submitted_file))
        assignment = self.parent.coursedir.assignment_id if self.parent else ""
        if os.path.splitext(name)[1] not in self.valid_ext:
            self.log.error("Skipped %s: not a notebook (%s)", submitted_file,
                           ", ".join(self.valid_ext))
            return None
        for pattern in self.patterns:
            for candidate in (name, f"{folder}/{name}"):
                match = re.match(pattern, candidate)
                if match:
                    found = {k: v for k, v in match.groupdict().items() if v is not None}
                    found["file_id"] = self._notebook_name(found["file_id"], assignment)
                    self._submission_time(found, submitted_file, assignment)
                    return found
        self.log.error("Skipped %s: its name fits none of the patterns for Canvas, Moodle or "
                       "Blackboard (LmsCollectorPlugin.patterns in nbgrader_config.py)",
                       submitted_file)
        return None

    def _notebook_name(self, file_id, assignment):
        stem, ext = os.path.splitext(file_id)
        plain = COPY_SUFFIX.sub("", COPY_PREFIX.sub("", stem))
        if plain != stem and plain == assignment:
            self.log.warning("Renamed %s to %s%s (a copy's name)", file_id, plain, ext)
            return plain + ext
        return file_id

    def _submission_time(self, found, submitted_file, assignment):
        """Sets ``found["timestamp"]`` as nbgrader reads it (parse_utc), or leaves it out."""
        late = found.pop("late", None)
        stamp = found.get("timestamp")
        if stamp is not None:
            # Blackboard's 2026-11-27-10-00-00, written out so that nbgrader does not guess
            parts = BLACKBOARD_TIME.match(stamp)
            if parts:
                found["timestamp"] = "{} {}:{}:{}".format(*parts.groups())
            else:
                del found["timestamp"]
                self.log.error("%s: the time %r in its name is not YYYY-MM-DD-hh-mm-ss; it is "
                               "collected without a time, so it cannot count as late",
                               submitted_file, stamp)
        if late:
            due = self._due_date(assignment)
            if due is None:
                self.log.warning("%s is marked late by Canvas, but %s has no due date in the "
                                 "gradebook, so no late penalty applies (set one with: "
                                 "nbgrader db assignment add %s --duedate=...)",
                                 submitted_file, assignment, assignment)
            else:
                found["timestamp"] = str(due + timedelta(seconds=1))
                self.log.warning("%s is marked late by Canvas, whose names carry no time: "
                                 "recorded as submitted at %s, one second after the due date, "
                                 "so that the late penalty applies", submitted_file,
                                 found["timestamp"])

    def _due_date(self, assignment):
        if not hasattr(self, "_due"):
            coursedir = self.parent.coursedir
            with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
                try:
                    self._due = gradebook.find_assignment(assignment).duedate
                except MissingEntry:
                    self._due = None
        return self._due


class OverwriteReleasedCells(OverwriteCells):
    """nbgrader's OverwriteCells, silent about test cells that are exactly as released."""

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted = copy.deepcopy(cell)
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._as_released(name):
            return
        super().report_change(name, attr, old, new)

    def _as_released(self, grade_id):
        source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        released = copy.deepcopy(self._submitted)
        released.source = source.source
        ClearHiddenTests()._remove_hidden_test_region(released)
        return compute_checksum(released) == compute_checksum(self._submitted)


class ReviewedCsvExportPlugin(CsvExportPlugin):
    """grades.csv as nbgrader writes it, plus the ``review`` column."""

    def export(self, gradebook):
        super().export(gradebook)
        destination = Path(self.to or "grades.csv")
        course = Path(self.parent.coursedir.root)
        with destination.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            # nbgrader's own columns, even when no student has a row
            fields = [*reader.fieldnames, "review"]
        for row in rows:
            submitted = course / "submitted" / row["student_id"] / row["assignment"]
            flags = review.cached_review(course, row["assignment"], row["student_id"]) \
                if submitted.is_dir() else []
            row["review"] = "; ".join(flags)
            if flags:
                self.log.warning("review %s/%s: %s", row["assignment"], row["student_id"],
                                 row["review"])
        with destination.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
