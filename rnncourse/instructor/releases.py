"""The assignments in every language, written from the English ones through catalogues, so that
no language's notebook can go stale.

``solutions/NAME/NAME.ipynb`` is the one source. In another language it becomes
``solutions/LANGUAGE/NAME/NAME.ipynb``, with the same cells and the same code:

- every markdown block, code comment and docstring is translated from the assignment's
  catalogue, ``locales/LANGUAGE/LC_MESSAGES/assignments/NAME.po``, and a link to one of the
  site's pages leads to that page in the language's edition;
- every test cell loads its checks in the language (``load_checks("rnn", "zh_CN")``: their
  messages come from ``locales/LANGUAGE/LC_MESSAGES/grading/``, see
  :mod:`rnncourse.grading.messages`) and names its checks in it (the first argument of each
  ``part.check``). Its checks, hidden ones included, and its points are the English cell's.

Each language's student release, ``exercises/NAME/`` or ``exercises/LANGUAGE/NAME/``, is what
``nbgrader generate_assignment`` makes of that language's source. The class's own language
(``LANGUAGE`` in ``nbgrader_config.py``) is generated in the course folder, which records its
assignments in ``gradebook.db``; every other language in a throw-away course.

    python -m rnncourse.instructor.releases             # sources and releases (`make exercises`,
                                                        # in the course folder)
    python -m rnncourse.instructor.releases catalogues  # add new messages to the .po files
    python -m rnncourse.instructor.releases check       # what is missing or broken in them
"""

import argparse
import ast
import copy
import inspect
import re
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path

import nbformat

from .. import manifest
from ..grading import messages
from ..site import EDITIONS
from ..site.i18n import catalogue
from ..site.notebooks import Untranslated, has_words, translate_comments, translate_markdown
from .course import nbgrader

ROOT = manifest.ROOT
ENGLISH = "en"
LOCALES = ROOT / "locales"
CONFIG = "nbgrader_config.py"
CLASS_LANGUAGE = re.compile(r'^LANGUAGE = "([\w-]+)"$', flags=re.MULTILINE)
# nbgrader's markers: kept as they are, and never part of a translated block
MARKER = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
LOADER = re.compile(r'load_checks\("(\w+)"\)')


def translated_languages():
    """The languages other than English that the checks speak."""
    return tuple(language for language in messages.languages() if language != ENGLISH)


def source_path(name, language=ENGLISH, root=ROOT):
    folder = Path(root) / "solutions"
    return (folder if language == ENGLISH else folder / language) / name / f"{name}.ipynb"


def release_path(name, language=ENGLISH, root=ROOT):
    folder = Path(root) / "exercises"
    return (folder if language == ENGLISH else folder / language) / name / f"{name}.ipynb"


def assignment_catalogue(name, language):
    return catalogue(language, f"assignments/{name}")


# -- the pieces of a notebook that are translated -------------------------------------------

def _segments(source):
    """``source`` cut at nbgrader's marker lines: [(is a marker, text)], in order."""
    pieces, current = [], []
    for line in source.split("\n"):
        if MARKER.match(line):
            if current:
                pieces.append((False, "\n".join(current)))
            pieces.append((True, line))
            current = []
        else:
            current.append(line)
    if current or not pieces:
        pieces.append((False, "\n".join(current)))
    return pieces


def _between_markers(source, translate):
    """``source`` with ``translate`` applied to each stretch between nbgrader's markers."""
    return "\n".join(text if marker else translate(text) for marker, text in _segments(source))


def docstrings(source):
    """The docstrings of a code cell's functions and classes: (literal node, cleaned text)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node.body and isinstance(node.body[0], ast.Expr) and \
                isinstance(node.body[0].value, ast.Constant) and \
                isinstance(node.body[0].value.value, str):
            found.append((node.body[0].value, inspect.cleandoc(node.body[0].value.value)))
    return found


def check_descriptions(source):
    """What a test cell names in words: the first argument of each ``part.check("...", ...)``,
    and a part's name that is more than a function's (``checks.Part("gru_step_backward (reset
    after)", ...)``), as (literal node, text)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [(node.args[0], node.args[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (node.func.attr == "check" or node.func.attr == "Part"
                 and " " in node.args[0].value)]


def _offset(lines, line, column):
    """The character offset of (1-based line, UTF-8 byte column) in ``lines``."""
    before = sum(len(text) + 1 for text in lines[:line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:column].decode("utf-8"))


def _replace_literals(source, replacements):
    """``source`` with each literal node's text replaced: [(node, new text)]."""
    lines = source.split("\n")
    spans = [(_offset(lines, node.lineno, node.col_offset),
              _offset(lines, node.end_lineno, node.end_col_offset), new)
             for node, new in replacements]
    for start, end, new in sorted(spans, reverse=True):
        source = source[:start] + new + source[end:]
    return source


def _string_literal(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _docstring_literal(text, indent):
    lines = text.split("\n")
    return '"""' + "\n".join([lines[0], *(indent + line if line else "" for line in lines[1:])]) \
        + '"""'


def translate_code(source, translations, where, missing, test_cell, language):
    """A code cell in ``language``: its docstrings and comments, and for a test cell the
    language its checks speak and the names of its checks."""
    def look_up(message):
        if not has_words(message):          # shapes and sizes ("T=6, B=3"): the same anywhere
            return message
        if message not in translations:
            missing.append((where, message))
            return message
        return translations[message]

    replacements = []
    for node, text in docstrings(source):
        indent = " " * node.col_offset
        replacements.append((node, _docstring_literal(look_up(text), indent)))
    if test_cell:
        replacements += [(node, _string_literal(look_up(text)))
                         for node, text in check_descriptions(source)]
    source = _replace_literals(source, replacements)
    if test_cell:
        source = LOADER.sub(lambda m: f'load_checks("{m.group(1)}", "{language}")', source)
    return _between_markers(
        source, lambda text: translate_comments(text, translations, where, missing))


def is_test_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


@cache
def _site_base():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["html"]["baseurl"]


def in_edition(text, language):
    """``text`` with its links to the site's pages pointing at ``language``'s edition."""
    base = _site_base()
    return text.replace(f"]({base}", f"]({base}{EDITIONS[language][0]}")


def translate_source(notebook, name, language):
    """The English source notebook of assignment ``name`` in ``language``. Raises
    :class:`Untranslated` listing every message without a translation."""
    translations = assignment_catalogue(name, language)
    notebook = copy.deepcopy(notebook)
    missing = []
    for k, cell in enumerate(notebook.cells):
        where = f"assignments/{name}.po ({name} cell {k + 1})"
        if cell.cell_type == "markdown":
            cell.source = in_edition(_between_markers(
                cell.source,
                lambda text, where=where: translate_markdown(text, translations, where, missing)),
                language)
        elif cell.cell_type == "code":
            cell.source = translate_code(cell.source, translations, where, missing,
                                         is_test_cell(cell), language)
    if missing:
        raise Untranslated(missing)
    notebook.metadata["rnncourse"] = {"language": language}
    return notebook


def messages_of(notebook):
    """Every message of an English source notebook: (text, cell number)."""
    from ..site.notebooks import comment_messages

    found = []
    for k, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown":
            probe = []
            _between_markers(cell.source,
                             lambda text, probe=probe: translate_markdown(text, {}, "", probe))
            found += [(message, k) for _, message in probe]
        elif cell.cell_type == "code":
            found += [(text, k) for _, text in docstrings(cell.source) if has_words(text)]
            if is_test_cell(cell):
                found += [(text, k) for _, text in check_descriptions(cell.source)
                          if has_words(text)]
            for _, text in _segments(cell.source):
                found += [(message, k) for message in comment_messages(text)
                          if not MARKER.match("### " + message)]
    return found


# -- the grading modules' messages ------------------------------------------------------------

GRADING = ROOT / "rnncourse" / "grading"


def said_templates(path):
    """The templates a grading module passes to ``say``: (text, line). A template that is not
    one literal string is an error, since no catalogue could hold it."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "say":
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise ValueError(f"{path}:{node.lineno}: say() takes a literal template")
            found.append((first.value, node.lineno))
    return found


# -- catalogues --------------------------------------------------------------------------------

def templates():
    """{catalogue name: [(message, location, line)]}: each assignment's, each grading
    module's."""
    found = {}
    for name in manifest.assignments():
        notebook = nbformat.read(str(source_path(name)), as_version=4)
        found[f"assignments/{name}"] = [(text, f"solutions/{name}/{name}.ipynb", k)
                                        for text, k in messages_of(notebook)]
    for path in sorted(GRADING.glob("*.py")):
        said = said_templates(path)
        if said:
            found[f"{messages.CATALOGUES}/{path.stem}"] = [
                (text, f"rnncourse/grading/{path.name}", line) for text, line in said]
    return found


def update_catalogues(languages=None, only=None):
    """Add every new message to each language's catalogues (untranslated), and drop the ones
    no source has any more; ``only``: the names of the catalogues to update (all if None)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    for language in languages or translated_languages():
        for name, found in templates().items():
            if only is not None and name not in only:
                continue
            template = Catalog(project="rnncourse", charset="utf-8")
            for text, location, line in found:
                template.add(text, locations=[(location, line)])
            path = LOCALES / language / "LC_MESSAGES" / f"{name}.po"
            if path.exists():
                with path.open("rb") as file:
                    existing = read_po(file, locale=language)
                existing.update(template, no_fuzzy_matching=True)
                existing.obsolete.clear()
            else:
                existing = Catalog(locale=language, project="rnncourse", charset="utf-8")
                existing.update(template, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                write_po(file, existing, width=96, omit_header=False)


def missing_messages(language):
    """(catalogue, message) for every template without a finished translation."""
    missing = []
    for name, found in templates().items():
        translations = catalogue(language, name)
        missing += [(name, text) for text, _, _ in found if text not in translations]
    return missing


# -- sources and releases ----------------------------------------------------------------------

def class_language(root=ROOT):
    """The language the course folder's nbgrader_config.py says the class is taught in."""
    match = CLASS_LANGUAGE.search((Path(root) / CONFIG).read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f'{Path(root) / CONFIG}: expected a line LANGUAGE = "..."')
    return match.group(1)


def set_class_language(root, language):
    """Set ``LANGUAGE`` in the course folder's nbgrader_config.py, as an instructor would."""
    path = Path(root) / CONFIG
    text, count = CLASS_LANGUAGE.subn(f'LANGUAGE = "{language}"', path.read_text("utf-8"))
    if count != 1:
        raise ValueError(f'{path}: expected one line LANGUAGE = "...", found {count}')
    path.write_text(text, encoding="utf-8")


def write_sources(root=ROOT, languages=None):
    """Every assignment's source notebook in each translated language, in the course folder
    ``root``."""
    missing = []
    for language in languages or translated_languages():
        for name in manifest.assignments():
            english = nbformat.read(str(source_path(name, ENGLISH, root)), as_version=4)
            try:
                translated = translate_source(english, name, language)
            except Untranslated as error:
                missing += error.missing
                continue
            path = source_path(name, language, root)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(translated, str(path))
    if missing:
        raise Untranslated(missing)


def generate_release(name, language, root=ROOT):
    """``nbgrader generate_assignment`` of ``name`` in ``language``: in the course folder
    ``root`` for its class's language, else in a throw-away course whose release is copied
    back."""
    if language == class_language(root):
        nbgrader(root, "generate_assignment", name, "--force")
        return
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copy2(Path(root) / CONFIG, course / CONFIG)
        set_class_language(course, language)
        source = source_path(name, language, root)
        shutil.copytree(source.parent, source_path(name, language, course).parent)
        nbgrader(course, "generate_assignment", name, "--force")
        target = release_path(name, language, root).parent
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(release_path(name, language, course).parent, target)


def write_releases(root=ROOT):
    for language in (ENGLISH, *translated_languages()):
        for name in manifest.assignments():
            generate_release(name, language, root)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.instructor.releases")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("catalogues", help="add new messages to the .po files")
    commands.add_parser("check", help="list the messages without a translation")
    args = parser.parse_args(argv)
    if args.command == "catalogues":
        update_catalogues()
        return 0
    if args.command == "check":
        missing = [f"{language}/{name}.po: {text!r}" for language in translated_languages()
                   for name, text in missing_messages(language)]
        print("\n".join(missing) or "every message has a translation")
        return 1 if missing else 0
    course = Path.cwd()             # the course folder, where nbgrader_config.py is
    try:
        write_sources(course)
    except Untranslated as error:
        print(error, file=sys.stderr)
        return 1
    write_releases(course)
    return 0


if __name__ == "__main__":
    sys.exit(main())
