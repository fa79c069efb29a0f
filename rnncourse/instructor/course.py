"""A throw-away nbgrader course folder, and nbgrader commands run inside it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from ..manifest import ROOT


def nbgrader(course, *args, check=True):
    """Run one nbgrader command in ``course``; return the completed process."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}"
                           f"\n{result.stderr[-3000:]}")
    return result


def course_config(course):
    """What ``course``'s nbgrader_config.py defines (its ``LANGUAGE``, ``STUBS``...)."""
    from traitlets.config import Config

    path = Path(course) / "nbgrader_config.py"
    namespace = {"get_config": Config, "__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def new_course(path, assignments, language="en"):
    """A course at ``path`` with the repository's config and source notebooks, taught in
    ``language``, and the given assignments generated (its exchange, as the config says, is
    ``path/exchange``)."""
    from .releases import set_class_language, source_path

    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", path / "nbgrader_config.py")
    set_class_language(path, language)
    for name in assignments:
        shutil.copytree(source_path(name, language).parent,
                        source_path(name, language, path).parent)
        nbgrader(path, "generate_assignment", name, "--force")
    return path


def write_submission(course, student, assignment, notebook, filename=None):
    """Put a notebook (or raw text, for a broken file) where nbgrader collects it."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (filename or f"{assignment}.ipynb")
    if isinstance(notebook, str):
        target.write_text(notebook, encoding="utf-8")
    else:
        nbformat.write(notebook, str(target))
    return target


def read_notebook(course, folder, assignment):
    """``course/folder/assignment/assignment.ipynb``, e.g. folder "exercises"."""
    return nbformat.read(str(Path(course) / folder / assignment / f"{assignment}.ipynb"),
                         as_version=4)
