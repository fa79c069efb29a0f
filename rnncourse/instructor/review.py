"""The instructor's review of submissions, run outside every learner's kernel.

    python -m rnncourse.instructor.review [ASSIGNMENT ...]      (from the course folder)

The autograder stops what it can inside the learner's kernel (see :mod:`rnncourse.grading.guard`).
Code that sets out to defeat the checks themselves can only be caught from outside, so every
submission also gets:

1. a scan of its code, which flags what an honest answer has no need for: imports of the
   course's code, replacing functions of NumPy, the builtins, math, sys or the checks, looking
   for the grader's own objects (``sys.modules``, ``gc``, frames, ``__closure__``), running
   other processes or threads, ``exec``/``eval``/``compile``, writing or copying files, and a
   copy of one of the reference's functions, renamed or not, with or without its docstring;
2. an independent re-check: its code runs again in a fresh kernel in which the checks were
   loaded before any of the learner's code, and each part's score is compared with the one
   autograde gave. A difference means the notebook changed the outcome of its own checks.

The flags are printed here and go into the ``review`` column of the grade export (see
:mod:`rnncourse.instructor.plugins`). A flag is a reason to read the notebook, not a verdict.
"""

import ast
import functools
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

from . import submissions

# What an honest answer never needs, by module.
SUSPECT_MODULES = {
    "rnncore": "imports rnncore, the reference implementation",
    "rnncourse": "imports rnncourse, the course's own tooling",
    "importlib": "imports modules by computed names (importlib)",
    "ctypes": "reaches into the interpreter (ctypes)",
    "gc": "searches the interpreter's objects (gc)",
    "inspect": "reads functions' source or frames (inspect)",
    "builtins": "changes Python's builtins",
    "subprocess": "runs other processes",
    "multiprocessing": "runs other processes",
    "threading": "runs threads",
    "concurrent": "runs threads or processes",
    "shutil": "copies or moves files (shutil)",
    "tempfile": "makes temporary files and folders (tempfile)",
}
PATCHED_ROOTS = {"numpy", "math", "builtins", "sys", "importlib", "rnncore", "rnncourse",
                 "threading", "os", "io", "warnings", "contextlib"}
SUSPECT_CALLS = {"__import__": "imports by a computed name (__import__)",
                 "exec": "runs code from a string (exec)", "eval": "evaluates strings (eval)",
                 "compile": "compiles code at run time (compile)",
                 "globals": "reads the notebook's globals()", "setattr": "sets attributes "
                 "by name (setattr)", "delattr": "deletes attributes by name (delattr)"}
SUSPECT_ATTRIBUTES = {
    "modules": "reads sys.modules", "setprofile": "changes the profiler (setprofile)",
    "settrace": "changes the tracer (settrace)", "_getframe": "reads interpreter frames",
    "__code__": "reads or replaces a function's code", "__globals__": "reads a function's "
    "globals", "__closure__": "reads a function's closure", "__builtins__": "reaches the "
    "builtins", "f_back": "walks interpreter frames", "f_globals": "reads a frame's globals",
    "tb_frame": "walks interpreter frames", "__subclasses__": "searches classes",
    "system": "runs shell commands", "popen": "runs shell commands", "_exit": "ends the "
    "kernel (os._exit)"}


def answer_cells(notebook):
    """The code cells a learner wrote: answer cells and any cell they added."""
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or not meta.get("locked")) \
                and not meta.get("grade"):
            yield cell


class _Scanner(ast.NodeVisitor):
    def __init__(self):
        self.flags = []
        self.aliases = {}            # name in the notebook -> the module it stands for

    def flag(self, text):
        if text not in self.flags:
            self.flags.append(text)

    def visit_Import(self, node):
        for alias in node.names:
            root = alias.name.split(".")[0]
            self.aliases[(alias.asname or alias.name).split(".")[0]] = root
            if root in SUSPECT_MODULES:
                self.flag(SUSPECT_MODULES[root])

    def visit_ImportFrom(self, node):
        root = (node.module or "").split(".")[0]
        if root in SUSPECT_MODULES:
            self.flag(SUSPECT_MODULES[root])
        for alias in node.names:
            self.aliases.setdefault(alias.asname or alias.name, f"{root}.{alias.name}")

    def _root(self, node):
        while isinstance(node, ast.Attribute):
            node = node.value
        return self.aliases.get(node.id, node.id).split(".")[0] \
            if isinstance(node, ast.Name) else None

    def _dotted(self, node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        base = self.aliases.get(node.id, node.id) if isinstance(node, ast.Name) else "?"
        return ".".join([base, *reversed(parts)])

    def _targets(self, targets):
        for target in targets:
            if isinstance(target, ast.Attribute):
                root = self._root(target)
                if root in PATCHED_ROOTS:
                    self.flag(f"replaces {self._dotted(target)}")
                elif root == "checks":
                    self.flag("changes the checks")
            elif isinstance(target, (ast.Tuple, ast.List)):
                self._targets(target.elts)

    def visit_Assign(self, node):
        self._targets(node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._targets([node.target])
        self.generic_visit(node)

    def visit_Delete(self, node):
        self._targets(node.targets)
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        if any(self._root(base) == "numpy" for base in node.bases):
            self.flag("defines its own kind of NumPy array")
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in SUSPECT_CALLS:
            self.flag(SUSPECT_CALLS[node.func.id])
        if isinstance(node.func, ast.Name) and node.func.id == "open" and any(
                isinstance(a, ast.Constant) and isinstance(a.value, str) and
                set(a.value) & set("wax+") for a in node.args[1:2] + [
                    k.value for k in node.keywords if k.arg == "mode"]):
            self.flag("writes a file")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in SUSPECT_ATTRIBUTES:
            self.flag(SUSPECT_ATTRIBUTES[node.attr])
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "checks":
            self.flag("uses the test cells' checks object")
        if node.id == "load_checks":
            self.flag("uses the test cells' loader of the checks")
        if node.id == "_take_checks":
            self.flag("tampers with the review's re-check")

    def visit_Constant(self, node):
        if isinstance(node.value, str) and ("rnncore" in node.value
                                            or "rnncourse" in node.value):
            self.flag("names the course's code in a string")


RNNCORE = Path(__file__).resolve().parents[2] / "rnncore"


def _shape_of(function):
    """A function's code as text, without its name and docstring: equal for a verbatim copy
    under another name."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    copy = ast.FunctionDef(name="_", args=function.args, body=body,
                           decorator_list=function.decorator_list, returns=function.returns,
                           type_params=[])
    return ast.dump(copy, include_attributes=False)


@functools.cache
def _reference_functions():
    """{shape: "name (rnncore/FILE)"} of every function of the reference's source."""
    found = {}
    for path in sorted(RNNCORE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and len(node.body) > 1:
                found.setdefault(_shape_of(node), f"{node.name} (rnncore/{path.name})")
    return found


def copied_functions(tree):
    """The reference's functions that ``tree`` holds a copy of, renamed or not, with or
    without their docstrings."""
    reference = _reference_functions()
    return [reference[shape] for shape in (_shape_of(node) for node in ast.walk(tree)
                                           if isinstance(node, ast.FunctionDef))
            if shape in reference]


def scan(notebook):
    """The review flags of a notebook's own code, from its text alone."""
    scanner = _Scanner()
    answers = list(answer_cells(notebook))
    for cell in notebook.cells:          # the names the given cells import (np for numpy)
        if cell.cell_type == "code" and cell not in answers:
            given = _Scanner()
            try:
                given.visit(ast.parse(_without_magics(cell.source)))
            except SyntaxError:
                continue
            scanner.aliases.update(given.aliases)
    for cell in answers:
        try:
            tree = ast.parse(_without_magics(cell.source))
        except SyntaxError as error:
            scanner.flag(f"has code that does not parse ({error.msg}, cell "
                         f"{submissions.grade_id(cell) or 'added by the learner'})")
            continue
        scanner.visit(tree)
        for copied in copied_functions(tree):
            scanner.flag(f"copies the reference's source: {copied}")
    return scanner.flags


def _without_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


# -- the independent re-check ------------------------------------------------------------------

CHECKS_FIRST = """\
def _load_checks_first(assignment, language, count):
    from rnncourse.grading import load_checks
    copies = [load_checks(assignment, language) for _ in range(count)]
    return copies.pop
_take_checks = _load_checks_first({assignment!r}, {language!r}, {count})
del _load_checks_first
"""
# The one line that starts every test cell (rnncourse.grading), naming the release's language
# unless it is English.
LOADER = re.compile(r'^from rnncourse\.grading import load_checks; '
                    r'checks = load_checks\("(\w+)"(?:, "([\w-]+)")?\)\n', flags=re.MULTILINE)


def recheck(notebook, timeout=60):
    """Each test cell's score when the notebook runs again with the checks loaded first:
    {grade_id: score}. Runs in a fresh kernel, like autograde."""
    import nbclient

    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")
             and c.cell_type == "code"]
    run = nbformat.v4.new_notebook(metadata=notebook.metadata)
    loaders = [LOADER.search(cell.source) for cell in tests]
    for cell, loader in zip(tests, loaders):
        if loader is None:
            raise ValueError(f"test cell {submissions.grade_id(cell)} does not load the checks")
    assignments = {(loader.group(1), loader.group(2) or "en") for loader in loaders}
    if len(assignments) > 1:
        raise ValueError(f"the test cells load the checks of {sorted(assignments)}")
    assignment, language = assignments.pop() if assignments else ("", "en")
    run.cells = [nbformat.v4.new_code_cell(CHECKS_FIRST.format(
        assignment=assignment, language=language, count=len(tests)))]
    order = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell in tests:
            copy = nbformat.v4.new_code_cell(LOADER.sub("checks = _take_checks()\n",
                                                        cell.source, count=1))
            order.append((submissions.grade_id(cell), copy))
            run.cells.append(copy)
        else:
            run.cells.append(nbformat.v4.new_code_cell(cell.source))
    client = nbclient.NotebookClient(run, timeout=timeout, allow_errors=True,
                                     kernel_name=notebook.metadata.get("kernelspec", {})
                                     .get("name", "python3"))
    client.execute()
    scores = {}
    for grade_id, cell in order:
        value = 0.0
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                try:
                    value = float(output["data"]["text/plain"])
                except (KeyError, ValueError):
                    value = 0.0
            if output.get("output_type") == "error":
                value = 0.0
                break
        scores[grade_id] = value
    return scores


def autograde_scores(course, assignment, student):
    """{grade_id: score} of the autograded code cells, from the course's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {grade.name: grade.score for notebook in submission.notebooks
                for grade in notebook.grades if grade.cell_type == "code"}


def review_submission(course, assignment, student):
    """The flags for one student's submission of ``assignment`` (a list of strings)."""
    course = Path(course)
    flags = []
    submitted = sorted((course / "submitted" / student / assignment).glob("*.ipynb"))
    if not submitted:
        return ["no notebook was submitted"]
    for path in submitted:
        try:
            flags += scan(nbformat.read(str(path), as_version=4))
        except Exception as error:
            flags.append(f"{path.name} could not be read ({type(error).__name__})")
    expected = f"{assignment}.ipynb"
    if expected not in [path.name for path in submitted]:
        flags.append(f"no {expected} was submitted, only "
                     f"{', '.join(path.name for path in submitted)}: rename it and grade again")
    autograded = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not autograded.exists():
        flags.append("autograding failed, so there is no autograded notebook and no feedback: "
                     "nbgrader's log says why")
    given = autograde_scores(course, assignment, student)
    if autograded.exists() and given:
        try:
            again = recheck(nbformat.read(str(autograded), as_version=4))
        except Exception as error:
            flags.append(f"the re-check could not run ({type(error).__name__}: {error})")
        else:
            for grade_id, score in again.items():
                first = given.get(grade_id)
                if first is not None and abs(first - score) > 0.005:
                    flags.append(f"{grade_id}: autograde gave {first:g}, the re-check with the "
                                 f"checks loaded first gives {score:g}")
    return flags


def cached_review(course, assignment, student):
    """:func:`review_submission`, remembered in ``review/`` until the files change."""
    course = Path(course)
    files = sorted((course / "submitted" / student / assignment).glob("*")) + sorted(
        (course / "autograded" / student / assignment).glob("*.ipynb"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files if p.is_file()))
    for grade in autograde_scores(course, assignment, student).items():
        digest.update(repr(grade).encode())
    record = course / "review" / assignment / f"{student}.json"
    if record.exists():
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved.get("digest") == digest.hexdigest():
            return saved["flags"]
    flags = review_submission(course, assignment, student)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"digest": digest.hexdigest(), "flags": flags}, indent=1),
                      encoding="utf-8")
    return flags


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    course = Path.cwd()
    assignments = argv or sorted(p.name for p in (course / "submitted").glob("*/*")
                                 if p.is_dir() and p.parent.parent.name == "submitted")
    assignments = sorted(set(assignments))
    flagged = 0
    for assignment in assignments:
        students = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}"))
        for student in students:
            flags = cached_review(course, assignment, student)
            flagged += bool(flags)
            print(f"{assignment:8} {student:16} " + ("; ".join(flags) if flags else "ok"))
    print(f"{flagged} submission(s) flagged for review")
    return 0


if __name__ == "__main__":
    sys.exit(main())
