"""Each edition's chapter pages launch and download the chapter's notebook in their language:
the English notebooks from English pages, the Chinese ones (book/zh_CN/) from Chinese pages."""

import re

import pytest

from rnncourse import manifest
from rnncourse.site import EDITIONS, notebooks

CHAPTERS = manifest.chapters()


@pytest.mark.parametrize("language", list(EDITIONS))
@pytest.mark.parametrize("name", CHAPTERS)
def test_the_buttons_open_the_notebook_in_the_page_language(site, name, language):
    folder = site / EDITIONS[language][0]
    page = (folder / "book" / f"{name}.html").read_text(encoding="utf-8")
    notebook = notebooks.notebook_path(name, language).relative_to(notebooks.ROOT).as_posix()
    links = re.findall(r'href="([^"]+\.ipynb)"', page)
    binder = [link for link in links if "mybinder.org" in link]
    colab = [link for link in links if "colab.research.google.com" in link]
    download = [link for link in links if "_sources/" in link]
    assert binder and colab and download, links
    assert all(link.endswith(f"/{notebook}") for link in binder + colab + download), links
    served = (folder / "book" / download[0]).resolve()
    if language != "en":        # the English download is the executed notebook, as built
        assert served.read_bytes() == notebooks.notebook_path(name, language).read_bytes()


@pytest.mark.parametrize("language", list(EDITIONS))
def test_the_assignments_page_downloads_the_release_in_the_page_language(site, language):
    from rnncourse.instructor import releases

    folder = site / EDITIONS[language][0]
    page = (folder / "book" / "assignments.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(\.\./_downloads/[^"]+\.ipynb)"', page)
    names = manifest.assignments()
    assert [link.rsplit("/", 1)[1] for link in links] == [f"{name}.ipynb" for name in names]
    for link, name in zip(links, names, strict=True):
        served = (folder / "book" / link).resolve()
        assert served.read_bytes() == releases.release_path(name, language).read_bytes(), link
