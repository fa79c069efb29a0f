"""A freshly built site, served on localhost, and a headless Chromium to load it."""

import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from rnncourse.site import EDITIONS

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
SOURCES = [ROOT / "_config.yml", ROOT / "_toc.yml", *ROOT.glob("book/**/*"),
           *ROOT.glob("rnncore/**/*.py"), *ROOT.glob("rnncourse/**/*.py"),
           *ROOT.glob("rnncourse/**/web/**/*"), *ROOT.glob("locales/**/*.po")]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def site_is_fresh():
    index = HTML / "zh" / "searchindex.js"          # written by every build, last
    if not index.exists():
        return False
    built = index.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in SOURCES if path.is_file())


@pytest.fixture(scope="session")
def site():
    """The path of the built site, building it first unless it is newer than its sources."""
    if not site_is_fresh():
        result = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, "make book failed:\n" + result.stdout[-4000:] + \
            result.stderr[-4000:]
    return HTML


def site_pages():
    """Every page of the table of contents, as paths in the built site, and the entry page:
    in English at the root, then in each other edition's folder."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [chapter["file"] for part in toc.get("parts", [])
                             for chapter in part["chapters"]]
    pages = ["index.html"] + [f"{name}.html" for name in files]
    return [folder + page for folder, _ in EDITIONS.values() for page in pages]


def edition_of(page_path):
    """The language of a page of the built site (a key of rnncourse.site.EDITIONS)."""
    return next(language for language, (folder, _) in reversed(EDITIONS.items())
                if page_path.startswith(folder))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    """The site over HTTP on a free loopback port, as a reader's browser would load it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium): "
                    "the site is not checked in a browser here")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
