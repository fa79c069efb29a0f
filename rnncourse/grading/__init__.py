"""The assignments' checks, and the one line that loads them in a test cell::

    from rnncourse.grading import load_checks; checks = load_checks("rnn")

(a release in another language names it too: ``load_checks("rnn", "zh_CN")``).
:func:`load_checks` returns a fresh, private copy of the assignment's checks, loaded from
their files with their own copies of the framework, of :mod:`.guard` and of rnncore: nothing a
notebook defines or changes, in rnncore or in an earlier test cell's copy, can alter what this
one computes.

    framework.py    parts and scores, the guarded runner, comparisons, "graded on its own"
                    (and how to add a check)
    guard.py        what keeps the checks honest inside a learner's kernel
    problems.py     random problems, the same for the learner's function and the reference
    cells.py        the checks every cell shares: one step forward and backward, a parameter count
    catalogue.py    the catalogue's entries (a typical mistake, an honest variant)
    messages.py     what the checks say, in the language of the learner's release
    rnn.py, bptt.py, lstm.py, gru.py, language_model.py
                    one per assignment: its cases, the course's versions of its earlier parts,
                    its likely causes, and its catalogue (MISTAKES, HONEST)
"""

import importlib
import importlib.util
import itertools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_copies = itertools.count()


def private_package(name, folder):
    """A new, independent copy of the package in ``folder``, loaded from its files as ``name``
    (registered in sys.modules, where its own submodules find it)."""
    spec = importlib.util.spec_from_file_location(name, Path(folder) / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def assignments():
    """The assignments that have checks: each module here with a catalogue."""
    return sorted(path.stem for path in HERE.glob("*.py")
                  if "\nMISTAKES = [" in path.read_text(encoding="utf-8"))


def load_checks(assignment, language="en"):
    """A fresh, private copy of ``assignment``'s checks (a module: ``checks.Part``, its
    cases), which report in ``language`` (a release in another language passes its own)."""
    if not isinstance(assignment, str) or assignment not in assignments():
        raise ValueError(f"assignment: expected one of {', '.join(assignments())}, "
                         f"got {assignment!r}")
    name = f"_checks_{next(_copies)}"
    private_package(name, HERE)
    importlib.import_module(f"{name}.messages").use(language)
    return importlib.import_module(f"{name}.{assignment}")
