"""Every page of the built site works in a real browser, with no network but localhost."""

from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from .conftest import HTML, SCREENSHOTS, site_pages

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

        # Explorers: each one is live (its charts drawn, its static figure put away).
        explorers = page.locator(".rnn-explorer").count()
        live = page.locator(".rnn-explorer .rnn-chart polyline").count()
        assert live >= explorers, f"{explorers} explorers, {live} drawn lines"
        assert page.locator(".rnn-explorer-static").evaluate_all(
            "(figures) => figures.every((f) => !f.getClientRects().length)")

        assert page.evaluate("() => document.documentElement.dataset.theme") == VIEWS[view][1]

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
