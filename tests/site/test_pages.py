"""Every page of the built site works in a real browser, with no network but localhost."""

from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from .conftest import HTML, SCREENSHOTS, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()


def load(browser, server, page_path):
    """Open a page; return it with the console errors and the off-site requests it made."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
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


@pytest.mark.parametrize("page_path", PAGES)
def test_page(browser, server, page_path):
    page, problems = load(browser, server, page_path)
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

        # Widgets: every embedded widget view was rendered by the widget manager.
        views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
        if views:
            page.wait_for_selector(".jupyter-widgets", timeout=15000)
            rendered = page.locator(".widget-subarea .jupyter-widgets").count()
            assert rendered >= views, f"{views} widget views, {rendered} rendered"

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

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / (page_path.replace("/", "_") + ".png"),
                        full_page=True)
        assert not problems, "\n".join(problems)
    finally:
        page.close()
