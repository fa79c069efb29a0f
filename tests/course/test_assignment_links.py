"""The assignments link to the chapters on the published site, not to raw files."""

import re

import nbformat
import pytest
import yaml

from rnncourse import manifest

CONFIG = yaml.safe_load((manifest.ROOT / "_config.yml").read_text(encoding="utf-8"))
SITE = CONFIG["html"]["baseurl"]
PAGES = {f"{page}.html" for page in manifest.pages()}


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
@pytest.mark.parametrize("name", manifest.assignments())
def test_chapter_links_point_at_the_site(folder, name):
    notebook = nbformat.read(str(manifest.ROOT / folder / name / f"{name}.ipynb"), 4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links, "the notebook links to its chapter"
    for link in links:
        assert link.startswith(SITE), f"{link} is not on the site {SITE}"
        assert link[len(SITE):] in PAGES, f"{link} is not a page of the book"
