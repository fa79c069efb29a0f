"""The layout stays as documented: rnncourse's module list names every module and folder it
holds, and every path or module that the code, the docs and the tests name exists."""

import importlib
import re
import subprocess

import pytest

import rnncourse
from rnncourse.manifest import ROOT

PACKAGE = ROOT / "rnncourse"


def listed_entries(docstring):
    """The (folder, name) entries of the package docstring's tree: an indented name under
    ``folder/`` belongs to that folder; ``a.py, b.py`` lists several."""
    entries, folders = set(), []
    for line in docstring.splitlines():
        match = re.match(r"^( {4,})([\w./, ]+?)(?: {2,}|$)", line)
        if not match:
            continue
        depth = (len(match.group(1)) - 4) // 2
        folders = folders[:depth]
        for name in (n.strip() for n in match.group(2).split(",")):
            entries.add(("/".join(folders), name.rstrip("/")))
            if name.endswith("/"):
                folders.append(name.rstrip("/"))
    return entries


def package_entries():
    """Every module and folder under rnncourse/ (not caches, not __init__.py)."""
    entries = set()
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE)
        if "__pycache__" in relative.parts or path.name == "__init__.py":
            continue
        if path.is_dir() or path.suffix == ".py":
            folder = relative.parent.as_posix()
            entries.add(("" if folder == "." else folder, path.name))
    # the files inside data folders are described by the folder's own line
    return {(folder, name) for folder, name in entries
            if folder.split("/")[-1] not in {"web", "static", "results", "templates"}}


def test_the_module_list_names_every_module_and_folder():
    listed, present = listed_entries(rnncourse.__doc__), package_entries()
    assert not present - listed, f"not in rnncourse/__init__.py's list: {present - listed}"
    assert not listed - present, f"listed in rnncourse/__init__.py but absent: {listed - present}"


def tracked_text_files():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    keep = (".py", ".md", ".yml", ".toml", ".js", ".css", ".html", ".txt", ".cfg")
    return [ROOT / f for f in files if (f.endswith(keep) or f in ("Makefile", "postBuild"))
            and not f.startswith(("exercises/", "locales/")) and (ROOT / f).is_file()
            and f != "tests/course/test_layout.py"]          # its examples are stale on purpose


PATH = re.compile(r"(?<![\w/.-])((?:rnncore|rnncourse|tests|benchmarks|book|solutions|exercises"
                  r"|locales)/[\w./*-]*[\w*])")
MODULE = re.compile(r"(?<![\w./-])((?:rnncore|rnncourse)(?:\.[A-Za-z_]\w*)+)")
NOT_MODULES = (".po", ".pot", ".py", ".json", ".txt", ".js", ".css")


def named_paths():
    for path in tracked_text_files():
        text = path.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            yield path.relative_to(ROOT).as_posix(), match.group(1)


def resolves(dotted):
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for name in parts[k:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


def exists(name):
    """A path, a glob, a page named without its suffix (``book/rnn``), or a built page
    (``book/rnn.html``) of an existing source. A placeholder (``solutions/NAME``) stands for
    any."""
    if re.search(r"\b[A-Z]{2,}\b", name):
        return True
    if "*" in name:
        return bool(list(ROOT.glob(name)))
    path = ROOT / name
    return path.exists() or path.with_suffix(".md").exists()


def test_every_named_path_exists():
    missing = sorted({(where, name) for where, name in named_paths() if not exists(name)})
    assert not missing, f"paths that do not exist: {missing}"


def test_every_named_module_exists():
    missing = set()
    for path in tracked_text_files():
        for match in MODULE.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1)
            if not name.endswith(NOT_MODULES) and not resolves(name):
                missing.add((path.relative_to(ROOT).as_posix(), name))
    assert not missing, f"modules or names that do not exist: {sorted(missing)}"


@pytest.mark.parametrize("text,found", [("see tests/test_kernels.py here", "tests/test_kernels.py"),
                                        ("(rnncourse/web/site/)", "rnncourse/web/site/")])
def test_the_path_pattern_finds_a_path_in_prose(text, found):
    assert PATH.search(text).group(1) == found.rstrip("/")
    assert not (ROOT / found).exists()            # such a stale path makes the test above fail


def test_a_stale_module_does_not_resolve():
    assert not resolves("rnncourse.instructor.export")
    assert resolves("rnncourse.grading.framework.compare")
