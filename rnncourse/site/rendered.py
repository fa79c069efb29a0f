"""A translated page as the reader sees it, held to its English page: the same formulas, and
no block lost.

A catalogue can be complete and the page still wrong: Sphinx hands a translated display
formula to the parser as a literal block, which renders as ``\\[::\\]``, and a mistranslated
message can swallow a paragraph or a figure. This compares the built pages themselves:

- every display formula, in order, renders the same TeX as the English one, apart from the
  words inside ``\\text{}``;
- every section has the same inline formulas (in any order: word order differs between
  languages), paragraphs, code cells, figures, tables and display formulas.

    python -m rnncourse.site.rendered _build/html        # every page of every edition
"""

import re
import sys
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup, Comment

from . import EDITIONS

TEXT = re.compile(r"\\text\{[^{}]*\}")
BLOCKS = {"paragraphs": "p", "code cells": "div.cell", "figures": "figure", "tables": "table",
          "display formulas": "div.math"}


def _tex(element):
    """A formula's TeX, without the words inside \\text{} and without spacing."""
    return "".join(TEXT.sub(r"\\text{}", element.get_text()).split())


def _sections(html):
    """The page's sections, in order, each as the elements that belong to it alone."""
    main = BeautifulSoup(html, "html.parser").select_one("main#main-content") or \
        BeautifulSoup(html, "html.parser")
    for section in main.select("section"):
        for inner in section.select("section"):
            inner.extract()
        yield section


def problems(english_html, translated_html):
    """How the translated page differs from the English one, as sentences (none: it renders
    the same formulas and blocks)."""
    found = []
    english, translated = list(_sections(english_html)), list(_sections(translated_html))
    if len(english) != len(translated):
        return [f"{len(translated)} sections, the English page has {len(english)}"]
    for number, (ours, theirs) in enumerate(zip(english, translated), start=1):
        where = f"section {number}"
        for kind, selector in BLOCKS.items():
            if len(ours.select(selector)) != len(theirs.select(selector)):
                found.append(f"{where}: {len(theirs.select(selector))} {kind}, the English "
                             f"has {len(ours.select(selector))}")
        lost = [m for m in theirs.select(".math") if _tex(m) in ("\\[::\\]", "\\(::\\)")]
        if lost:
            found.append(f"{where}: {len(lost)} formula(s) lost, rendered as '::'")
        displays = [_tex(m) for m in ours.select("div.math")]
        for k, (want, got) in enumerate(zip(displays, [_tex(m) for m in
                                                     theirs.select("div.math")]), start=1):
            if want != got:
                found.append(f"{where}: display formula {k} is {got[:60]!r}, the English "
                             f"{want[:60]!r}")
        inline = Counter(_tex(m) for m in ours.select("span.math"))
        other = Counter(_tex(m) for m in theirs.select("span.math"))
        if inline != other:
            missing = sorted((inline - other).elements())
            extra = sorted((other - inline).elements())
            found.append(f"{where}: inline formulas differ: missing {missing[:3]}, extra "
                         f"{extra[:3]}")
    return found


def site_problems(root):
    """{translated page: its problems} for every page of every translated edition under the
    built site's ``root``."""
    root = Path(root)
    result = {}
    for folder, _ in EDITIONS.values():
        if not folder:
            continue
        for translated in sorted((root / folder).rglob("*.html")):
            english = root / translated.relative_to(root / folder)
            if "_static" in translated.parts or not english.exists() or \
                    translated.name in ("search.html", "genindex.html"):
                continue
            found = problems(english.read_text(encoding="utf-8"),
                             translated.read_text(encoding="utf-8"))
            if found:
                result[str(translated.relative_to(root))] = found
    return result


# The frame of a page: what the theme's and the course's templates write around the article, in
# words shown or said (tooltips, labels, placeholders, alt texts, the footer). Links to pages
# (the tables of contents, previous and next) carry the pages' titles, which are the text's;
# the language switch names each edition in its own language.
NOT_FRAME = ("script, style, article.bd-article, nav.bd-links li, .bd-sidebar-secondary li, "
             ".prev-next-area, #jb-print-docs-body h1, #jb-print-docs-body nav > *, "
             "a.rnn-language-switch")
FRAME_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-bs-title")
# Names that stay as they are in every edition.
NAMES = re.compile(r"\b(Binder|Colab|PDF|Ctrl|K|JavaScript|Sphinx|rnncore|LSTM|GRU|RNN)\b"
                   r"|\.(ipynb|md|pdf)\b")


def frame_words(html):
    """Every piece of words of a page's frame (the header, the sidebars, the footer), as text
    or as the labels, tooltips, placeholders and alt texts of its elements."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.select(NOT_FRAME):
        element.decompose()
    words = [" ".join(text.split()) for text in soup.find_all(string=True)
             if text.parent.name not in ("[document]", "title") and text.strip()
             and not isinstance(text, Comment)]
    words += [element[name] for name in FRAME_ATTRIBUTES
              for element in soup.find_all(attrs={name: True}) if element.name != "link"]
    return [word for word in words if re.search(r"[A-Za-z\u4e00-\u9fff]", word)]


def frame_in_other_language(html, language):
    """The pieces of a page's frame that are not in ``language`` (a key of EDITIONS): for
    Chinese, those with an English word (apart from NAMES), for English, those with Chinese."""
    if language == "en":
        return [word for word in frame_words(html) if re.search("[\u4e00-\u9fff]", word)]
    return [word for word in frame_words(html) if re.search(r"[A-Za-z]{2,}", NAMES.sub("", word))]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m rnncourse.site.rendered BUILT_SITE", file=sys.stderr)
        return 2
    found = site_problems(argv[0])
    for page, lines in found.items():
        for line in lines:
            print(f"{page}: {line}")
    print(f"{len(found)} page(s) differ from their English page")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
