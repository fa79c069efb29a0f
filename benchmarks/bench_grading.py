"""Grading throughput: submissions per minute that `nbgrader autograde` handles for one
assignment on this machine.

    python benchmarks/bench_grading.py [--students N] [--assignment NAME]

The baseline, run in the same process, executes the same notebook the same number of times
with nbclient alone: the share of grading time that is nbgrader's own bookkeeping.
"""

import argparse
import tempfile
import time
from pathlib import Path

import nbclient

from rnncourse.instructor import course as nbcourse
from rnncourse.instructor import submissions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--assignment", default="rnn", choices=submissions.ASSIGNMENTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = nbcourse.new_course(Path(tmp) / "course", [args.assignment])
        source = nbcourse.read_notebook(course, "solutions", args.assignment)
        release = nbcourse.read_notebook(course, "exercises", args.assignment)
        solution = submissions.solution_submission(source, release)
        for k in range(args.students):
            nbcourse.write_submission(course, f"s{k:03d}", args.assignment, solution)

        start = time.perf_counter()
        nbcourse.nbgrader(course, "autograde", args.assignment)
        grading = time.perf_counter() - start

        start = time.perf_counter()
        for _ in range(args.students):
            nbclient.NotebookClient(solution, timeout=60, kernel_name="python3").execute()
        executing = time.perf_counter() - start

    n = args.students
    print(f"assignment {args.assignment}, {n} submissions")
    print(f"nbgrader autograde: {grading:6.1f} s  {60 * n / grading:6.1f} per minute")
    print(f"nbclient alone:     {executing:6.1f} s  {60 * n / executing:6.1f} per minute")
    print(f"autograde / execution time: {grading / executing:.2f}")


if __name__ == "__main__":
    main()
