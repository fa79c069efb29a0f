"""Text that the course's code draws or writes, in the reader's language.

The pages' own text is translated by Sphinx (see :mod:`rnncourse.site.editions`). What a cell
outputs is not in a page's source, so the code translates it: a figure's labels and alt text,
the explorers' labels and readings, a table a cell computes, the lines a chapter prints
(:func:`say`, the chapters' ``print``). The messages and their Chinese
forms are in ``locales/<language>/LC_MESSAGES/rnncourse.po``.

A notebook run by a learner writes one language, unmarked: English, or the one language
``RNNCOURSE_LANGUAGES`` names (a chapter's Chinese notebook sets ``zh_CN`` in its first cell,
see :mod:`rnncourse.site.notebooks`). The site's build (``make book``) sets
``RNNCOURSE_LANGUAGES`` to every edition's language; each output then holds one version per
language, marked, and each edition's pages keep their own (:mod:`rnncourse.site`). The build
also sets ``RNNCOURSE_MESSAGES``, a folder where every message asked for is listed, from which
``make translations`` writes the catalogue's template.
"""

import json
import os
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import NamedTuple

from IPython import display

LOCALES = Path(__file__).resolve().parents[2] / "locales"
GLOSSARY = LOCALES.parent / "book" / "glossary.md"
CATALOGUE = "rnncourse"
ENGLISH = "en"
CJK = re.compile(r"[\u4e00-\u9fff]")
MATH = re.compile(r"\$[^$]*\$|`[^`]*`")      # math and code: kept as they are


# A number in e-notation ("5.5e-03", as Python's and JavaScript's formats write it) and how
# the course's prose writes it in either language: 5.5×10⁻³, the exponent in superscript digits
# with a real minus sign, and no ×10⁰ at all.
E_NOTATION = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?)[eE]([-+]?)(\d+)\b")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def times_ten(text):
    """``text`` with every number in e-notation written a×10ⁿ (``"5.5e-03"`` → ``"5.5×10⁻³"``)."""
    def written(number):
        mantissa, sign, exponent = number.groups()
        exponent = exponent.lstrip("0")
        if not exponent:
            return mantissa
        return f"{mantissa}×10{'⁻' if sign == '-' else ''}{exponent.translate(SUPERSCRIPT)}"

    return E_NOTATION.sub(written, text)


def languages():
    """The languages an output is written in: English alone, or the site's editions."""
    return tuple(os.environ.get("RNNCOURSE_LANGUAGES", ENGLISH).split())


def output_language():
    """The one language a learner's notebook writes in (English unless
    ``RNNCOURSE_LANGUAGES`` names a single other one)."""
    versions = languages()
    return versions[0] if len(versions) == 1 else ENGLISH


def is_message(text):
    """Whether ``text`` has words to translate (not only numbers, symbols, math or code)."""
    return bool(re.search(r"[A-Za-z]", MATH.sub("", text)))


@cache
def catalogue(language, name=CATALOGUE):
    """``{English: translation}`` of the finished (not fuzzy) messages of the language's
    catalogue ``name`` (``"rnncourse"``, ``"book/rnn"``…); empty if there is none."""
    from babel.messages.pofile import read_po

    path = LOCALES / language / "LC_MESSAGES" / f"{name}.po"
    if not path.exists():
        return {}
    with path.open("rb") as file:
        messages = read_po(file)
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


_recorded = set()          # (folder, message): by this process, each written down once


def _record(message):
    folder = os.environ.get("RNNCOURSE_MESSAGES")
    if folder and (folder, message) not in _recorded:
        _recorded.add((folder, message))
        Path(folder).mkdir(parents=True, exist_ok=True)
        with (Path(folder) / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as file:
            file.write(json.dumps(message, ensure_ascii=False) + "\n")


# A number outside math: the catalogue holds "after {0} steps", not one message per count.
NUMBER = re.compile(r"(?<![\w.{])[-−]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:e[-+]?\d+)?%?(?![\w{])")


def template(message):
    """``message`` as a catalogue entry, with its numbers (outside math) as ``{0}``, ``{1}``…,
    and the numbers."""
    numbers, pieces, start = [], [], 0
    for math in [*MATH.finditer(message), None]:
        end = math.start() if math else len(message)

        def placeholder(match):
            numbers.append(match.group())
            return f"{{{len(numbers) - 1}}}"
        text = message[start:end].replace("{", "{{").replace("}", "}}")
        pieces.append(NUMBER.sub(placeholder, text))
        if math:
            pieces.append(math.group().replace("{", "{{").replace("}", "}}"))
            start = math.end()
    return "".join(pieces), numbers


def translate(message, language):
    """``message`` in ``language``; English where the catalogue has no translation yet."""
    if language == ENGLISH or not is_message(message):
        return message
    entry, numbers = template(" ".join(message.split()) if "\n" not in message else message)
    _record(entry)
    translated = catalogue(language).get(entry)
    return message if translated is None else translated.format(*numbers)


def _english_terms(cell):
    """"memory cell, cell state" -> both; "deep (stacked) RNN" -> "deep RNN", "stacked RNN";
    "long short-term memory (LSTM)" -> the words alone (an abbreviation is not translated)."""
    terms = []
    for part in cell.split(","):
        alternative = re.fullmatch(r"(.*?)\s*\(([a-z]+)\)\s*(.*)", part.strip())
        if alternative:
            before, instead, after = alternative.groups()
            terms += [f"{before} {after}".strip(), f"{instead} {after}".strip()]
        else:
            terms.append(re.sub(r"\s*\([^)]*\)", "", part).strip())
    return terms


class Term(NamedTuple):
    """A glossary row: the English terms, this edition's Chinese term, and the terms of the
    source article and of d2l-zh (None where that text has none)."""
    english: list
    course: str
    article: str | None
    d2l: str | None

    @property
    def chinese(self):
        """Every Chinese form of the term, this edition's first."""
        return list(dict.fromkeys(term for term in (self.course, self.article, self.d2l)
                                  if term))


def glossary(path=GLOSSARY):
    """The glossary's rows, as :class:`Term` tuples."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] == "English" or set(cells[0]) <= {"-"}:
            continue            # not a row, or the header or its rule
        article, d2l = (None if cell == "—" else cell for cell in cells[2:4])
        rows.append(Term(_english_terms(cells[0]), cells[1], article, d2l))
    return rows


def recorded_messages(folder):
    """Every message the build's outputs asked for, in first-asked order."""
    seen = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            seen.setdefault(json.loads(line), None)
    return list(seen)


def write_template(path, folder):
    """The catalogue's template (.pot) from the messages a site build recorded in
    ``folder``."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(project="rnncourse", charset="utf-8")
    for message in recorded_messages(folder):
        template.add(message)
    with Path(path).open("wb") as file:
        write_po(file, template, width=96, omit_header=False)


def _versions(render, mark, separator):
    versions = languages()
    if len(versions) == 1:              # a notebook: its one language, unmarked
        return render(versions[0])
    return separator.join(mark(language, render(language)) for language in versions)


def _marked(language, text):
    return f"<!--rnn-lang:{language}-->{text}<!--/rnn-lang:{language}-->"


def localized_html(render):
    """``render(language)`` for every language, each marked for :mod:`rnncourse.site`."""
    return _versions(render, _marked, "")


# Words to translate in what a chapter prints: a run of two lowercase letters outside math and
# code ("largest difference:"), not a symbol or a name alone ("  h_n:", "LSTM   99,328").
WORDS = re.compile(r"[a-z]{2,}")


def width(text):
    """How many columns ``text`` takes in a monospaced output: a Chinese character two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _said(value, language, columns):
    """One of :func:`say`'s values in ``language``. A string keeps the spaces at its ends; in
    ``columns`` (values set side by side, ``sep=""``), a string padded to its column's width
    (an f-string's ``:30`` or ``:>6``) keeps that width, in columns, translated."""
    if not isinstance(value, str):
        return str(value)
    words = value.strip()
    if not WORDS.search(MATH.sub("", words)):
        return value
    translated = translate(words, language)
    if translated == words:
        return value
    lead, trail = value[:len(value) - len(value.lstrip())], value[len(value.rstrip()):]
    if not columns:
        return lead + translated + trail
    padding = " " * max(0, width(value) - width(translated))
    return padding + translated if lead else translated + padding


def say(*values, sep=" ", end="\n"):
    """``print(*values)`` in the reader's language. Each string with words is a message (its
    numbers stay the numbers it has, see :func:`template`); anything else, an array or a
    shape, is written as ``print`` writes it. With ``sep=""`` the values are columns: a label
    padded to its column's width keeps it, a Chinese character counting two. A learner's
    notebook prints its one language; the site's build prints every edition's version,
    marked, and each page keeps its own."""
    print(_versions(lambda language: sep.join(_said(value, language, sep == "")
                                              for value in values), _marked, ""), end=end)


def localized_markdown(render):
    """Markdown ``render(language)`` for every language, each in a marked container."""
    return _versions(render, lambda language, text:
                     f"::::{{container}} rnn-lang-{language}\n{text}\n::::", "\n\n")


def _translate_cell(cell, language):
    bold = cell.startswith("**") and cell.endswith("**") and len(cell) > 4
    text = translate(cell[2:-2] if bold else cell, language)
    return f"**{text}**" if bold else text


TABLE_CELL = re.compile(r"((?:\$[^$]*\$|`[^`]*`|[^|$`])+)")


def translate_markdown(text, language):
    """Markdown text in ``language``: each paragraph line and each table cell a message;
    code blocks and a table's rule line kept."""
    if language == ENGLISH:
        return text
    lines, in_code = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("|") and not set(line) <= set("|-: "):
            line = "| " + " | ".join(_translate_cell(cell.strip(), language)
                                     for cell in TABLE_CELL.findall(line)) + " |"
        elif not in_code and line.strip():
            line = translate(line, language)
        lines.append(line)
    return "\n".join(lines)


class Markdown(display.Markdown):
    """IPython's ``Markdown`` output, its words in each of the site's languages."""

    def _repr_markdown_(self):
        return localized_markdown(lambda language: translate_markdown(self.data, language))
