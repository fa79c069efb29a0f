"""The chapters' .ipynb copies (what the Colab and Binder buttons open) match their sources."""

import jupytext
import nbformat
import pytest

from rnncourse import manifest

BOOK = manifest.ROOT / "book"
CHAPTERS = manifest.chapters()


@pytest.mark.parametrize("name", CHAPTERS)
def test_notebook_copy_is_in_sync(name):
    source = jupytext.read(BOOK / f"{name}.md")
    copy = nbformat.read(str(BOOK / f"{name}.ipynb"), as_version=4)
    assert [(c.cell_type, c.source) for c in copy.cells] == \
        [(c.cell_type, c.source) for c in source.cells], f"run make notebooks ({name})"
    assert copy.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")


def test_every_executable_page_is_a_chapter_with_a_copy():
    executable = {p.stem for p in BOOK.glob("*.md") if "kernelspec:" in p.read_text("utf-8")}
    assert executable == set(CHAPTERS)
    assert {p.stem for p in BOOK.glob("*.ipynb")} == set(CHAPTERS), "run make notebooks"
