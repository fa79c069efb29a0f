"""The references in each edition: a Sphinx extension named in _config.yml, beside
sphinxcontrib-bibtex.

- Citations read by author and year, [Gers et al., 2000]; a work whose author is not known
  (the source article) is cited by its number in the list, [1], not by its title and "n.d."
  again after the text has just named it (``bibtex_reference_style: author_year_or_label``).
- Each edition's bibliography is ``book/references.bib`` or, where it exists, the file of the
  edition's language beside it (``book/references.zh_CN.bib``): the same entries with the
  same fields, their notes in that language (:func:`bibliography`, used by
  :mod:`rnncourse.site.editions`).
"""

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
STYLE = "author_year_or_label"


def bibliography(language, root):
    """The bibliography file of the edition in ``language``, relative to the site's ``root``:
    the language's own (references.<language>.bib) if there is one."""
    own = BIBLIOGRAPHY.with_suffix(f".{language}.bib")
    return own if (Path(root) / own).exists() else BIBLIOGRAPHY


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
