"""The references in each edition: a Sphinx extension named in _config.yml, beside
sphinxcontrib-bibtex.

- Citations read by author and year, [Gers et al., 2000]; a work whose author is not known
  (the source article) is cited by its number in the list, [1], not by its title and "n.d."
  again after the text has just named it (``bibtex_reference_style: author_year_or_label``).
- Each edition's bibliography is ``book/references.bib``, written for a translated edition
  with its notes in the edition's language (:func:`bibliography`, used by
  :mod:`rnncourse.site.editions`): the same entries and fields, each ``note`` translated
  through the catalogue ``locales/LANGUAGE/LC_MESSAGES/bibliography.po``.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pybtex.style.template import join, node
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import (
    entry_label,
    join2,
    post_text,
    pre_text,
    reference,
    year,
)

BIBLIOGRAPHY = Path("book") / "references.bib"
NOTES = "bibliography"              # the notes' catalogue: LC_MESSAGES/bibliography.po
STYLE = "author_year_or_label"
# A note field's value, in braces that may hold one level of braces
NOTE = re.compile(r"(\bnote\s*=\s*\{)((?:[^{}]|\{[^{}]*\})*)(\})")


def notes(root):
    """Every note of the English bibliography, in order."""
    text = (Path(root) / BIBLIOGRAPHY).read_text(encoding="utf-8")
    return [match.group(2) for match in NOTE.finditer(text)]


def bibliography(language, root):
    """The bibliography file of the edition in ``language``, relative to the site's ``root``:
    the English one, or, for a translated edition, ``_build/references.LANGUAGE.bib``
    written from it now with every note translated. A note without a translation is an
    error that names it."""
    if language == "en":
        return BIBLIOGRAPHY
    from .i18n import catalogue

    translations = catalogue(language, NOTES)
    missing = [note for note in notes(root) if note not in translations]
    if missing:
        raise ValueError(f"{NOTES}.po ({language}): no translation for "
                         + "; ".join(repr(note) for note in missing))
    text = (Path(root) / BIBLIOGRAPHY).read_text(encoding="utf-8")
    own = Path("_build") / f"references.{language}.bib"
    (Path(root) / own).parent.mkdir(parents=True, exist_ok=True)
    (Path(root) / own).write_text(NOTE.sub(
        lambda match: match.group(1) + translations[match.group(2)] + match.group(3), text),
        encoding="utf-8")
    return own


def write_template(path, root):
    """The notes' catalogue template (.pot)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(project="rnncourse", charset="utf-8")
    for note in notes(root):
        template.add(note, locations=[(str(BIBLIOGRAPHY), 0)])
    with Path(path).open("wb") as file:
        write_po(file, template, width=96, omit_header=False)


@node
def author_year_or_label(children, data):
    """Its one child (author and year), or the entry's label in the list when the entry has
    no author or editor."""
    [author_year] = children
    persons = data["entry"].persons
    if persons.get("author") or persons.get("editor"):
        return author_year.format_data(data)
    return entry_label.format_data(data)


@dataclass
class AuthorYearOrLabelParenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[author_year_or_label[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), year]]],
            post_text,
        ]


@dataclass
class AuthorYearOrLabelReferenceStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's author_year, with :func:`author_year_or_label` in its
    parenthetical citations ({cite:p})."""

    def __post_init__(self):
        super().__post_init__()
        parenthetical = AuthorYearOrLabelParenthetical(
            bracket=self.bracket_parenthetical, person=self.person,
            author_year_sep=self.author_year_sep, pre_text_sep=self.pre_text_sep,
            post_text_sep=self.post_text_sep)
        self.styles[0] = parenthetical
        for role_name in parenthetical.role_names():
            self.role_style[role_name] = parenthetical


register_plugin("sphinxcontrib.bibtex.style.referencing", STYLE, AuthorYearOrLabelReferenceStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
