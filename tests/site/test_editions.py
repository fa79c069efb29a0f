"""The Chinese edition of the built site: its explorers speak Chinese with Python's numbers,
its search finds Chinese terms, and the code's catalogue has every message the build used."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from rnncourse import manifest
from rnncourse.site import editions, i18n, rendered

from .test_explorers import GRIDS, PAGES, SET_ALL, python_explorers  # noqa: F401

pytestmark = pytest.mark.browser


def open_page(browser, server, path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/{path}", wait_until="load")
    return page, errors


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_chinese_explorers_label_and_read_in_chinese(kind, browser, server,
                                                         python_explorers):  # noqa: F811
    page, errors = open_page(browser, server, "zh/" + PAGES[kind])
    try:
        page.wait_for_function("() => window.rnnExplorers && rnnExplorers.instances.length")
        explorer = python_explorers[kind]
        shown_labels = page.evaluate(
            """(kind) => [...rnnExplorers.instances.find((i) => i.config.kind === kind)
                 .root.querySelectorAll('.rnn-controls label')].map((l) => l.textContent)""",
            kind)
        expected_labels = [i18n.translate(spec.label, "zh_CN")
                           for spec in explorer.specs.values()]
        assert [label.strip() for label in shown_labels] == expected_labels
        assert all(i18n.CJK.search(label) for label in expected_labels), expected_labels
        for values in GRIDS[kind][::7]:
            shown = page.evaluate(SET_ALL, [kind, values])
            expected = explorer.compute(**shown["values"])
            assert shown["reading"] == explorer.reading(expected, "zh_CN"), shown["values"]
            assert i18n.CJK.search(shown["reading"]), shown["reading"]
        assert not errors
    finally:
        page.close()


@pytest.mark.parametrize("query, page_name", [("遗忘门", "lstm"), ("遗忘", "lstm"),
                                              ("更新门", "gru"), ("梯度消失", "bptt")])
def test_the_chinese_search_finds_whole_and_partial_terms(query, page_name, browser, server):
    page, errors = open_page(browser, server, f"zh/search.html?q={query}")
    try:
        results = page.locator("#search-results li a")
        results.first.wait_for(timeout=15000)
        found = [href.split("?")[0] for href in results.evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))")]
        assert f"book/{page_name}.html" in found, found
        assert not errors
    finally:
        page.close()


def test_the_code_catalogue_holds_exactly_what_the_build_asked_for(site):
    asked = set(i18n.recorded_messages(editions.MESSAGES))
    assert len(asked) > 100
    have = messages(i18n.LOCALES / "zh_CN" / "LC_MESSAGES" / "rnncourse.po")
    assert asked - have == set(), "run `make translations`: new messages in the code"
    assert have - asked == set(), "run `make translations`: the code no longer asks for these"


def test_every_translated_page_renders_the_english_formulas_and_blocks(site):
    """Not the catalogue but the built page: the same formulas (no '::'), paragraphs, code
    cells, figures and tables, section by section (the planted regressions are in
    tests/course/test_rendered.py)."""
    pages = list((site / "zh" / "book").glob("*.html"))
    assert len(pages) == len(manifest.pages())
    assert rendered.site_problems(site) == {}


def messages(path):
    with path.open("rb") as file:
        return {m.id for m in read_po(file) if m.id}


def test_the_catalogues_follow_the_english_sources(site, tmp_path):
    """Extract the pages' messages afresh (from the built site's executed chapters, for the
    figures' captions): a changed English sentence that the catalogue does not have yet
    (run `make translations`) fails here."""
    subprocess.run([sys.executable, "-m", "rnncourse.site.editions", "extract",
                    str(tmp_path / "gettext")], check=True, capture_output=True)
    pages = i18n.LOCALES / "zh_CN" / "LC_MESSAGES" / "book"
    stale = {}
    for template in sorted((tmp_path / "gettext" / "book").glob("*.pot")):
        wanted, have = messages(template), messages(pages / f"{template.stem}.po")
        if wanted != have:
            stale[template.stem] = {"new in English": sorted(wanted - have)[:3],
                                    "gone from English": sorted(have - wanted)[:3]}
    assert not stale, stale


@pytest.mark.parametrize("name", ["lstm", "instructors"])
def test_the_switch_opens_the_other_edition_at_the_same_section(name, browser, server):
    page, errors = open_page(browser, server, f"zh/book/{name}.html")
    try:
        ids = page.evaluate("() => [...document.querySelectorAll('main section[id]')]"
                            ".map((s) => s.id)")
        english, _ = open_page(browser, server, f"book/{name}.html")
        assert ids == english.evaluate("() => [...document.querySelectorAll('main section[id]')]"
                                       ".map((s) => s.id)")
        english.close()
        page.goto(f"{server}/zh/book/{name}.html#{ids[-1]}")
        page.locator("a.rnn-language-switch").click()
        page.wait_for_url(f"**/book/{name}.html#{ids[-1]}")
        assert "/zh/" not in page.url
        assert not errors
    finally:
        page.close()


def built_pages(site):
    """Every page of the built site, English and Chinese, with its edition's language."""
    from .conftest import edition_of
    pages = [path for path in site.rglob("*.html") if "_static" not in path.parts
             and "_sources" not in path.parts and "jupyter_execute" not in path.parts]
    return [(path, edition_of(str(path.relative_to(site)))) for path in pages]


def test_every_pages_frame_is_in_its_editions_language(site):
    """The search field, the buttons' tooltips, the labels and the footer: Chinese on every
    Chinese page, English on every English page (rnncourse/site/extension.py, theme.po)."""
    pages = built_pages(site)
    assert {language for _, language in pages} == {"en", "zh_CN"}
    wrong = {}
    for path, language in pages:
        html = path.read_text(encoding="utf-8")
        if "bd-footer" not in html:
            continue                                # the Chinese edition's redirecting index
        found = rendered.frame_in_other_language(html, language)
        if found:
            wrong[str(path.relative_to(site))] = sorted(set(found))
    assert wrong == {}
    chinese = rendered.frame_words((site / "zh" / "book" / "lstm.html").read_text("utf-8"))
    assert {"在本书中搜索…", "配色模式", "打印为 PDF", "© 2026 版权所有。"} <= set(chinese)
    english = rendered.frame_words((site / "book" / "lstm.html").read_text("utf-8"))
    assert {"Search this book...", "Color mode", "Print to PDF", "© Copyright 2026."} <= \
        set(english)


def test_no_page_writes_a_number_in_e_notation(site):
    """Glued numbers and the explorers' readings are written a×10ⁿ in the prose of both
    editions (the rule is tested on a small site in tests/course/test_small_site.py)."""
    from tests.course.test_small_site import e_notation
    found = {str(path.relative_to(site)): e_notation(path.read_text(encoding="utf-8"))
             for path, _ in built_pages(site)}
    assert {page: numbers for page, numbers in found.items() if numbers} == {}
    assert "×10⁻" in (site / "zh" / "book" / "bptt.html").read_text(encoding="utf-8")


def test_the_chinese_references_have_chinese_notes_and_the_article_is_cited_by_number(site):
    """The notes of the source article and of Cho et al. 2014 are Chinese on the Chinese
    references page (book/references.bib, its notes translated), and the introduction cites
    the article, whose author is not known, as [1] after naming it, in both editions."""
    chinese = (site / "zh" / "book" / "references.html").read_text(encoding="utf-8")
    english = (site / "book" / "references.html").read_text(encoding="utf-8")
    assert "本课程所依据的版本未注明作者" in chinese and "重置门" in chinese
    assert "Chinese article" not in chinese and "the published version" not in chinese
    assert "Chinese article" in english and "本课程" not in english
    for page in ("book/intro.html", "zh/book/intro.html"):
        text = " ".join(re.sub(r"<[^>]+>", " ", (site / page).read_text("utf-8")).split())
        assert "深度学习技巧4 ," not in text and "n.d." not in text, page
        assert re.search(r"深度学习技巧4[」》][^\[]{0,40}\[ 1 \]", text), page


def printed_lines(path):
    """Every line a page's cells printed (its stream outputs), in order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return [line for pre in soup.select("div.output.stream pre")
            for line in pre.get_text().splitlines()]


@pytest.mark.parametrize("name, english", [
    ("rnn", "accuracy on new sequences: {0}"),
    ("gru", "largest difference in the outputs: {0}"),
    ("summary", "LSTM, biased gates"),
])
def test_each_edition_shows_what_a_chapter_printed_in_its_own_language(site, name, english):
    """A line a chapter prints with i18n.say: the English page shows the English line, the
    Chinese page the Chinese line with the same numbers, and neither the other's version."""
    ours, theirs = (printed_lines(site / folder / "book" / f"{name}.html")
                    for folder in ("", "zh"))
    words = re.escape(english.replace("{0}", "\x00")).replace("\x00", r"(\S+)")
    english_lines = [line for line in ours if re.search(words, line)]
    assert english_lines, (english, ours)
    for line in english_lines:
        numbers = re.search(words, line).groups()
        chinese = i18n.catalogue("zh_CN")[english].format(*numbers)
        assert i18n.CJK.search(chinese)
        assert any(chinese in shown for shown in theirs), (chinese, theirs)
    assert not any(re.search(words, line) for line in theirs), theirs
    for lines in (ours, theirs):
        assert not any("rnn-lang" in line for line in lines)
        assert len(lines) == len(ours)            # every line, once


def test_the_chinese_live_table_lines_up(site):
    """summary's table of the live runs: a Chinese label takes two columns a character, and
    its rows keep the English rows' widths."""
    rows = [line for line in printed_lines(site / "zh" / "book" / "summary.html")
            if "学习率" in line or line.startswith("LSTM，")]
    english = [line for line in printed_lines(site / "book" / "summary.html")
               if "held-out accuracy" in line or line.startswith("LSTM, ")]
    assert len(rows) == len(english) >= 3
    assert [i18n.width(row) for row in rows] == [len(row) for row in english]

