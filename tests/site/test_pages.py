"""Every page of the built site works in a real browser, with no network but localhost."""

import re
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from rnncourse.site import EDITIONS
from rnncourse.site.i18n import CJK

from .conftest import HTML, SCREENSHOTS, edition_of, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()


# How each page is read: (width, colour scheme). Screenshots go to _build/screenshots/VIEW/.
VIEWS = {"desktop": (1280, "light"), "phone": (390, "light"), "dark": (1280, "dark")}


def load(browser, server, page_path, view="desktop"):
    """Open a page; return it with the console errors and the off-site requests it made."""
    width, scheme = VIEWS[view]
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    # The site opens in light mode; a reader's choice of dark mode is kept in localStorage.
    page.add_init_script(f"localStorage.setItem('mode', '{scheme}')")
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))

    def only_localhost(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request leaves the site: {route.request.url}")
            route.abort()

    page.route("**/*", only_localhost)
    page.goto(f"{server}/{page_path}", wait_until="networkidle")
    page.wait_for_function("() => !window.MathJax || !MathJax.startup || "
                           "MathJax.startup.promise !== undefined")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page, problems


WIDE_EQUATIONS = """() => !window.MathJax ? [] : Array.from(MathJax.startup.document.math)
    .filter((item) => item.display)
    .map((item) => ({tex: item.math.trim().slice(0, 70),
                     width: item.typesetRoot.querySelector("mjx-math")
                                .getBoundingClientRect().width,
                     column: item.typesetRoot.parentElement.getBoundingClientRect().width}))
    .filter((e) => e.width > e.column + 0.5)"""

# Each figure's SVG states its width and its smallest font (rnncourse/book/figures.py); the text's
# rendered height is that font scaled by the width the image is shown at.
FIGURE_TEXT = r"""() => [...document.querySelectorAll("main picture.rnn-figure img")]
  .filter((img) => img.getClientRects().length).map((img) => {
    const svg = atob(img.currentSrc.split(",")[1]);
    const width = Number(/data-width-in="([\d.]+)"/.exec(svg)[1]);
    const font = Number(/data-min-font-pt="([\d.]+)"/.exec(svg)[1]);
    return {alt: img.alt.slice(0, 60), layout: width,
            px: font * img.getBoundingClientRect().width / (width * 72)};
})"""

OTHER_FIGURES = """() => [...document.querySelectorAll("main figure img")]
    .filter((img) => img.getClientRects().length && !img.closest("picture.rnn-figure"))
    .map((img) => img.alt.slice(0, 60))"""

VISIBLE_OUTSIDE_SIDEBAR = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length && !e.closest(".bd-sidebar-primary")).length"""


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("page_path", PAGES)
def test_page(browser, server, page_path, view):
    page, problems = load(browser, server, page_path, view)
    try:
        # Math: every formula typeset by MathJax, no raw TeX left on the page.
        formulas = page.locator(".math").count()
        typeset = page.locator("mjx-container").count()
        assert typeset >= formulas, f"{formulas} formulas, {typeset} typeset"
        errors = page.locator("mjx-merror").all_inner_texts()
        assert not errors, f"MathJax errors: {errors}"

        # Images: each one loaded and described.
        images = page.evaluate("""() => [...document.querySelectorAll('main img')].map(i =>
            ({src: i.getAttribute('src').slice(0, 60), ok: i.complete && i.naturalWidth > 0,
              alt: i.getAttribute('alt') || ''}))""")
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"images that did not load: {broken}"
        undescribed = [i["src"] for i in images if not i["alt"].strip()
                       and "logo" not in i["src"]]
        assert not undescribed, f"images without alt text: {undescribed}"
        uncaptioned = page.evaluate("""() => [...document.querySelectorAll('main figure')]
            .filter(f => !f.querySelector('figcaption')).length""")
        assert uncaptioned == 0, f"{uncaptioned} figure(s) without a caption"

        # Equations: every display equation fits its column; the page never scrolls sideways.
        wide = page.evaluate(WIDE_EQUATIONS)
        assert not wide, f"display equations wider than their column: {wide}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page scrolls {overflow} px sideways"

        # Figures: drawn for the column, their smallest text at least 80 % of the body's.
        body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                             "'main p') || document.body).fontSize)")
        small = [f for f in page.evaluate(FIGURE_TEXT) if f["px"] < 0.8 * body]
        assert not small, f"figure text below {0.8 * body:.1f} px: {small}"
        assert not page.evaluate(OTHER_FIGURES), "a figure not drawn by rnncourse.book.figures"

        # Explorers: each one is live (its charts drawn, its static figure put away).
        explorers = page.locator(".rnn-explorer").count()
        live = page.locator(".rnn-explorer .rnn-chart polyline").count()
        assert live >= explorers, f"{explorers} explorers, {live} drawn lines"
        assert page.locator(".rnn-explorer-static").evaluate_all(
            "(figures) => figures.every((f) => !f.getClientRects().length)")

        assert page.evaluate("() => document.documentElement.dataset.theme") == VIEWS[view][1]

        # Language: the page is in its edition's, and its header links to its counterpart.
        language = edition_of(page_path)
        assert page.evaluate("() => document.documentElement.lang") == language.replace("_", "-")
        check_language(page, page_path, language)

        # Theme: one search box (the sidebar's), and an icon for the browser's tab.
        assert page.evaluate(VISIBLE_OUTSIDE_SIDEBAR, ".search-button-field") == 0, \
            "a second search box outside the sidebar"
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert (HTML / urlparse(urljoin(page.url, icon)).path.lstrip("/")).exists(), icon

        # Internal links: every target file exists and every #fragment names an element.
        links = page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                              ".map(a => a.getAttribute('href'))")
        base = page.url             # after any redirect, links are relative to this page
        for href in links:
            if urlparse(href).scheme in ("http", "https", "mailto", "javascript"):
                continue
            target, fragment = urldefrag(urljoin(base, href))
            path = urlparse(target).path.lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            file = HTML / path
            assert file.exists(), f"link {href!r} points to a missing file {path}"
            if fragment and file.suffix == ".html":
                html = file.read_text(encoding="utf-8")
                assert f'id="{fragment}"' in html, f"link {href!r}: no element #{fragment}"

        (SCREENSHOTS / view).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / view / (page_path.replace("/", "_") + ".png"),
                        full_page=True)
        assert not problems, "\n".join(problems)
    finally:
        page.close()


# The share of a page's words written in Chinese characters, and what is left of the other
# language's version of a cell's output (rnncourse.site.i18n) after the build chose one.
MAIN_TEXT = """() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll("pre, code, .math, mjx-container, script, style, .rnn-explorer-config, "
                        + ".citation-list")          // the references, in their own language
      .forEach((e) => e.remove());
  return main.innerText;
}"""
BLOCKS = """() => [...document.querySelectorAll("main p, main figcaption, main li, main th, "
    + "main td, main h1, main h2, main h3, main dt, main dd, main summary, main label, "
    + "main .admonition-title, main .sd-tab-label")]
  .filter((e) => !e.closest("pre, .citation-list"))
  .map((e) => { const c = e.cloneNode(true);
                c.querySelectorAll("code, .math, mjx-container").forEach((x) => x.remove());
                const row = e.closest("tr");
                return {text: c.innerText, row: row ? row.innerText : ""}; })"""
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
ENGLISH_WORD = re.compile(r"\b(?![A-Z0-9]+\b)[A-Za-z]{3,}\b")      # not an acronym
ENGLISH_RUN = re.compile(r"(?:\b[A-Za-z][A-Za-z'’-]*\b[\s,;:()]+){5,}[A-Za-z]+")


def check_language(page, page_path, language):
    switch = page.locator("a.rnn-language-switch")
    assert switch.count() == 1 and switch.is_visible(), "no language switch in the header"
    counterpart = urlparse(urljoin(page.url, switch.get_attribute("href"))).path.lstrip("/")
    shown = urlparse(page.url).path.lstrip("/")       # index.html redirects to the first page
    in_edition = shown.removeprefix(EDITIONS[language][0])
    assert counterpart in {folder + in_edition for folder, _ in EDITIONS.values()} - {shown}, \
        counterpart
    assert (HTML / counterpart).exists(), counterpart
    html = page.content()
    assert "rnn-lang" not in html.replace("rnn-language-switch", ""), \
        "another language's version of a cell's output is on the page"
    alts = page.evaluate("() => [...document.querySelectorAll("
                         "'main picture.rnn-figure img, main .rnn-explorer img')]"
                         ".map((img) => img.alt)")
    labels = page.locator(".rnn-explorer-live label").all_inner_texts()
    if language == "en":
        # (The English pages quote the article and list its terms, in Chinese.)
        assert not any(CJK.search(words) for words in alts + labels), alts + labels
        return
    text = page.evaluate(MAIN_TEXT)
    chinese, latin = len(CJK.findall(text)), len(LATIN_WORD.findall(text))
    # Names (LSTM, PyTorch, rnncore), citations and the glossary's English stay in Latin.
    # (A page left in English has a few Chinese characters for 30 or more Latin words.)
    assert chinese > 2 * latin, f"{chinese} Chinese characters, {latin} Latin words"
    assert all(CJK.search(words) for words in alts + labels), \
        f"alt texts or explorer labels not in Chinese: {alts + labels}"
    # No sentence left in English (a quotation, such as a checker's message, may be), and no
    # heading, label or cell of English words alone (a row that is translated, such as the
    # glossary's, may keep its English term).
    blocks = page.evaluate(BLOCKS)
    english = [run.group() for block in blocks
               for run in ENGLISH_RUN.finditer(QUOTED.sub("", block["text"]))]
    english += [block["text"] for block in blocks
                if not CJK.search(block["text"]) and not CJK.search(block["row"])
                and len(ENGLISH_WORD.findall(QUOTED.sub("", block["text"]))) >= 2]
    assert not english, f"English left on the page: {english[:5]}"


@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_a_figure_enlarges_on_a_tap_and_closes(browser, server, view):
    page, problems = load(browser, server, "book/lstm.html", view)
    try:
        figure = page.locator("main picture.rnn-figure img").first
        figure.scroll_into_view_if_needed()
        figure.click()
        enlarged = page.locator("dialog.rnn-enlarged[open] img")
        assert enlarged.is_visible()
        assert enlarged.evaluate("(img) => img.complete && img.naturalWidth > 0")
        width = enlarged.evaluate("(img) => img.getBoundingClientRect().width")
        assert width >= page.viewport_size["width"] - 20, width
        page.keyboard.press("Escape")
        assert page.locator("dialog.rnn-enlarged").count() == 0
        assert not problems, "\n".join(problems)
    finally:
        page.close()
