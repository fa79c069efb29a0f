"""The chapters' notebooks in each translated edition's language, written from the English ones
through the same catalogues as the site, so that they cannot go stale.

``book/NAME.ipynb`` (written by jupytext from ``book/NAME.md``) becomes
``book/LANGUAGE/NAME.ipynb``:

- each block of a markdown cell that Sphinx's gettext makes a message of (a paragraph, a
  heading, a list item, a table cell, a directive's title and body) becomes its translation
  from the page's catalogue ``locales/LANGUAGE/LC_MESSAGES/book/NAME.po``; display math, code,
  labels and MyST's syntax stay as they are. A block without a translation is an error;
- each ``# comment`` of a code cell becomes its translation from
  ``locales/LANGUAGE/LC_MESSAGES/notebooks.po`` (a run of full-line comments is one message);
- the first code cell starts by naming the language for the course's code, so that what the
  cells print and draw is in that language too (:mod:`rnncourse.site.i18n`).

    python -m rnncourse.site.notebooks                 # every chapter (`make notebooks`)
    python -m rnncourse.site.notebooks template FILE   # the comments' catalogue template
"""

import argparse
import copy
import io
import re
import sys
import tokenize
from functools import cache
from pathlib import Path

import nbformat

from .. import manifest
from . import EDITIONS
from .i18n import catalogue

ROOT = manifest.ROOT
BOOK = ROOT / "book"
COMMENTS = "notebooks"                 # the comments' catalogue: LC_MESSAGES/notebooks.po
TRANSLATED = tuple(language for language in EDITIONS if language != "en")
PARSER_EXTENSIONS = {"amsmath", "dollarmath", "colon_fence", "deflist"}     # as _config.yml
# Directives whose body is not markdown: kept as it is.
VERBATIM_DIRECTIVES = {"math", "code", "code-block", "code-cell", "sourcecode", "raw",
                       "eval-rst", "bibliography", "glue:math", "literalinclude", "toctree"}


def language_lines(language):
    """What the Chinese (or any translated) notebook's first code cell starts with: the
    language the course's code prints and draws in."""
    return ["# The course's code prints and draws its text in this notebook's language.",
            "import os",
            f'os.environ["RNNCOURSE_LANGUAGES"] = "{language}"', ""]


def notebook_path(name, language):
    """Where the chapter ``name``'s notebook in ``language`` is, in the repository."""
    return BOOK / (f"{name}.ipynb" if language == "en" else f"{language}/{name}.ipynb")


class Untranslated(Exception):
    """Blocks or comments whose translation is missing, each named with its page."""

    def __init__(self, missing):
        self.missing = missing
        super().__init__("no translation for:\n" + "\n".join(
            f"  {where}: {message!r}" for where, message in missing))


def page_catalogue(name, language):
    return catalogue(language, f"book/{name}")


def comment_catalogue(language):
    return catalogue(language, COMMENTS)


# -- markdown ----------------------------------------------------------------------------------

@cache
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=PARSER_EXTENSIONS), RendererHTML)


def message_of(content):
    """The message Sphinx makes of a block: its source, line breaks joined into spaces."""
    return " ".join(line.strip() for line in content.strip().split("\n"))


def has_words(text):
    """Whether a block has words outside its roles, math and code (else it is not a message
    Sphinx asks to translate, or its translation is the block itself)."""
    text = re.sub(r"\{[\w:-]+\}`[^`]*`|`[^`]*`|\$[^$]*\$", "", text)
    return bool(re.search(r"[^\W\d_]", text))


def _directive(info):
    match = re.fullmatch(r"\{([\w:-]+)\}\s*(.*)", info.strip())
    return match.groups() if match else (None, None)


def _split_options(lines):
    """A directive's body: its options (``:name: value`` lines, or a ``---`` block) and
    what follows."""
    k = 0
    if lines and lines[0].strip() == "---":
        k = next((j + 1 for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
    else:
        while k < len(lines) and re.match(r"\s*:[\w-]+:", lines[k]):
            k += 1
    return lines[:k], lines[k:]


def translate_markdown(text, translations, where, missing):
    """``text`` (a markdown cell) with every block that is a message translated; the
    messages without a translation are appended to ``missing`` as ``(where, message)``."""
    lines = text.split("\n")
    edits = []                              # (first line, end line, new lines)

    def look_up(message):
        if message in translations:
            return translations[message]
        if not has_words(message):
            return message
        missing.append((where, message))
        return message

    tokens = _parser().parse(text)
    block = None
    row = None
    for token in tokens:
        if token.type == "tr_open":
            row = (token.map, [])
        elif token.type == "tr_close":
            (first, end), cells = row
            edits.append((first, end, ["| " + " | ".join(cells) + " |"]))
            row = None
        elif token.type == "inline" and row is not None:
            row[1].append(look_up(message_of(token.content)) if token.content.strip() else "")
        elif token.type == "inline" and block is not None and block.map:
            first, end = block.map
            body = token.content.strip().split("\n")
            prefix = lines[first][:lines[first].index(body[0].strip())]
            translated = look_up(message_of(token.content)).split("\n")
            indent = prefix if prefix.lstrip().startswith(">") else " " * len(prefix)
            edits.append((first, end, [prefix + translated[0],
                                       *(indent + line for line in translated[1:])]))
        elif token.type in ("fence", "colon_fence") and token.map:
            name, argument = _directive(token.info)
            if name is None:
                continue                    # a code block
            first, end = token.map
            opening = lines[first]
            if argument and name not in ("glue:figure", "glue:any", "glue:md", "glue:math"):
                translated = look_up(message_of(argument))
                opening = opening[:opening.rindex(argument)] + translated
            closed = end - first >= 2 and lines[end - 1].strip().startswith(token.markup)
            body = lines[first + 1:end - 1 if closed else end]
            if name not in VERBATIM_DIRECTIVES:
                options, content = _split_options(body)
                body = options + translate_markdown("\n".join(content), translations, where,
                                                    missing).split("\n")
            edits.append((first, end, [opening, *body, *([lines[end - 1]] if closed else [])]))
            block = None
        if token.nesting == 1 and token.type != "tr_open":
            block = token
    for first, end, new in sorted(edits, reverse=True):
        lines[first:end] = new
    return "\n".join(lines)


# -- comments ----------------------------------------------------------------------------------

MAGIC = re.compile(r"^(\s*)[!%].*$", re.MULTILINE)


def is_remark(text):
    """Whether a comment says something in words (``# U``, ``# (T, B, D)`` name a symbol or
    a shape, the same in any language)."""
    return bool(re.search(r"[A-Za-z]{2,}", text))


def comments(source):
    """The comments of a code cell, as ``(first line, last line, column, text, whole line,
    lead)`` (lines counted from 0; ``lead`` is the ``#`` and the spaces after it): a run of
    full-line comments at one column is one comment, its lines' texts joined with spaces."""
    python = MAGIC.sub(lambda m: m.group(1) + "pass", source)     # IPython's ! and % lines
    found = []
    for token in tokenize.generate_tokens(io.StringIO(python).readline):
        if token.type != tokenize.COMMENT:
            continue
        row, column = token.start[0] - 1, token.start[1]
        lead = re.match(r"#+\s*", token.string).group()
        text = token.string[len(lead):].strip()
        whole = token.line[:column].strip() == ""
        previous = found[-1] if found else None
        if whole and previous and previous[4] and previous[1] == row - 1 \
                and previous[2] == column and text:
            found[-1] = (previous[0], row, column, f"{previous[3]} {text}", True, previous[5])
        else:
            found.append((row, row, column, text, whole, lead))
    return found


def comment_messages(source):
    return [text for _, _, _, text, _, _ in comments(source) if is_remark(text)]


def translate_comments(source, translations, where, missing):
    """``source`` with each comment translated (a translation's line breaks are kept, each
    line a comment at the English comment's column)."""
    lines = source.split("\n")
    for first, last, column, text, whole, lead in reversed(comments(source)):
        if not is_remark(text):
            continue
        if text not in translations:
            missing.append((where, text))
            continue
        translated = translations[text].split("\n")
        if whole:
            lines[first:last + 1] = [" " * column + (lead if k == 0 else "# ") + line
                                     for k, line in enumerate(translated)]
        else:
            lines[first] = lines[first][:column] + lead + " ".join(translated)
    return "\n".join(lines)


def strip_comments(source):
    """A code cell's code without its comments (for comparing two editions' cells)."""
    lines = source.split("\n")
    for first, last, column, _, whole, _ in reversed(comments(source)):
        if whole:
            del lines[first:last + 1]
        else:
            lines[first] = lines[first][:column].rstrip()
    return "\n".join(lines)


# -- notebooks ---------------------------------------------------------------------------------

def translate_notebook(notebook, name, language):
    """The English chapter notebook ``notebook`` in ``language``. Raises
    :class:`Untranslated` listing every block and comment without a translation."""
    pages = page_catalogue(name, language)
    remarks = comment_catalogue(language)
    notebook = copy.deepcopy(notebook)
    missing = []
    first_code = True
    for k, cell in enumerate(notebook.cells):
        where = f"{name} cell {k + 1}"
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, pages, f"book/{name}.po ({where})",
                                             missing)
        elif cell.cell_type == "code":
            if first_code:
                cell.source = "\n".join(language_lines(language)) + cell.source
                first_code = False
            cell.source = translate_comments(cell.source, remarks,
                                             f"{COMMENTS}.po ({where})", missing)
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("caption"):
                figure["caption"] = pages.get(message_of(figure["caption"]), figure["caption"])
    if missing:
        raise Untranslated(missing)
    notebook.metadata["language_info"] = {**notebook.metadata.get("language_info", {}),
                                          "name": "python"}
    notebook.metadata["rnncourse"] = {"language": language}
    return notebook


def write(name, language):
    english = nbformat.read(str(notebook_path(name, "en")), as_version=4)
    translated = translate_notebook(english, name, language)
    path = notebook_path(name, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(translated, str(path))
    return path


def write_all(languages=TRANSLATED):
    missing = []
    for language in languages:
        for name in manifest.chapters():
            try:
                write(name, language)
            except Untranslated as error:
                missing += error.missing
    if missing:
        raise Untranslated(missing)


def write_template(path):
    """The comments' catalogue template (.pot): every chapter's comments, and the line the
    translated notebooks start with."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(project="rnncourse", charset="utf-8")
    template.add(language_lines("xx")[0].lstrip("# "),
                 locations=[("rnncourse/site/notebooks.py", 0)])
    for name in manifest.chapters():
        notebook = nbformat.read(str(notebook_path(name, "en")), as_version=4)
        for k, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                for message in comment_messages(cell.source):
                    template.add(message, locations=[(f"book/{name}.ipynb", k + 1)])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("wb") as file:
        write_po(file, template, width=96, omit_header=False)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.site.notebooks")
    commands = parser.add_subparsers(dest="command")
    template = commands.add_parser("template", help="write the comments' .pot template")
    template.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "template":
        write_template(args.path)
        return 0
    try:
        write_all()
    except Untranslated as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
