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


@pytest.mark.parametrize("name", manifest.assignments())
def test_the_assignments_page_lists_every_assignment_with_its_points(name):
    """Its row links the notebook, and the points it gives its parts add up to the
    notebook's."""
    page = (manifest.ROOT / "book" / "assignments.md").read_text(encoding="utf-8")
    link = f"{{download}}`{name}.ipynb <../exercises/{name}/{name}.ipynb>`"
    (row,) = [line for line in page.splitlines() if line.startswith("|") and link in line]
    parts = row.rstrip(" |").rsplit("|", 1)[1]
    stated = sum(int(n) for group in re.findall(r"\(([\d +]+)\)", parts)
                 for n in group.split("+"))
    notebook = nbformat.read(str(manifest.ROOT / "solutions" / name / f"{name}.ipynb"), 4)
    points = sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in notebook.cells
                 if c.metadata.get("nbgrader", {}).get("grade"))
    assert stated == points, f"the page gives {name} {stated} points, the notebook {points}"


@pytest.mark.parametrize("chapter", [c for c in manifest.chapters() if c != "intro"])
def test_every_chapter_ends_with_its_key_points_and_assignment(chapter):
    """The last section of a chapter is "Key points", closed by a link to the chapter's
    assignment (the notebook itself, where the chapter has one) or to the assignments page."""
    text = (manifest.ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    last = sections[-1]
    assert last.startswith("Key points\n"), f"{chapter} ends with '## {last.splitlines()[0]}'"
    assert len(re.findall(r"^- ", last, flags=re.MULTILINE)) >= 3, "at least three points"
    if chapter in manifest.assignments():
        notebook = f"<../exercises/{chapter}/{chapter}.ipynb>"
        assert f"{{download}}`{chapter}.ipynb {notebook}`" in last, "the assignment's notebook"
        assert (manifest.ROOT / "exercises" / chapter / f"{chapter}.ipynb").exists()
    assert "[Assignments](assignments.md)" in last
