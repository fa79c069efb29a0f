"""The course's Sphinx extension (rnncourse.site.extension) on a small site built in a temporary
folder, in English and in Chinese: what it does to glued numbers and to the theme's words,
without building the whole book."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnncourse.site import rendered
from rnncourse.site.i18n import LOCALES, times_ten

ROOT = Path(__file__).resolve().parents[2]

CONF = """
project = "Small"
copyright = "2026"
author = "The rnncore course authors"
extensions = ["myst_nb", "sphinx_book_theme", "sphinxcontrib.bibtex", "rnncourse.site.references",
              "rnncourse.site.extension"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year_or_label"
bibtex_default_style = "plain"
html_theme = "sphinx_book_theme"
html_theme_options = {"search_bar_text": "Search this book..."}
nb_execution_mode = "off"
exclude_patterns = ["_build"]
gettext_compact = False
""" + f"locale_dirs = [{str(LOCALES)!r}]\n"

PAGE = """# Numbers

The ratio is {glue:text}`ratio:.1e` times, the gain {glue:text}`gain:.0e`, the share
{glue:text}`share:.2f`; the code writes `1e-3` and the maths $10^{-3}$.

## More

An article whose author is not known, 《深度学习技巧4》 {cite:p}`anonymous`, and a paper
{cite:p}`elman1990`.

```{bibliography}
```
"""

REFS = """@article{elman1990,
  author = {Elman, Jeffrey L.},
  title = {Finding Structure in Time},
  journal = {Cognitive Science},
  year = {1990}
}

@misc{anonymous,
  title = {深度学习技巧4},
  note = {An article}
}
"""


def notebook(markdown, glued):
    outputs = [{"output_type": "display_data", "data": {"text/plain": repr(value)},
                "metadata": {"scrapbook": {"name": name, "mime_prefix": ""}}}
               for name, value in glued.items()]
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "glue()",
              "outputs": outputs},
             {"cell_type": "markdown", "metadata": {}, "source": markdown}]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """The small site's pages, built once per language in a process of its own (Sphinx's
    translators are global to a process)."""
    source = tmp_path_factory.mktemp("small-site")
    (source / "conf.py").write_text(CONF, encoding="utf-8")
    (source / "refs.bib").write_text(REFS, encoding="utf-8")
    (source / "index.md").write_text("# Small\n\n```{toctree}\nnumbers\n```\n", encoding="utf-8")
    glued = {"ratio": 0.0055, "gain": 25000.0, "share": 0.25}
    (source / "numbers.ipynb").write_text(json.dumps(notebook(PAGE, glued)), encoding="utf-8")
    pages = {}
    # Each edition's title and authors in its language, as rnncourse.site.editions sets them.
    names = {"en": [], "zh_CN": ["-D", "html_title=小站", "-D", "author=课程的作者们"]}
    for language in ("en", "zh_CN"):
        out = source / "_build" / language
        result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q",
                                 "-D", f"language={language}", *names[language], str(source),
                                 str(out)],
                                cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        pages[language] = {path.name: path.read_text(encoding="utf-8")
                           for path in out.glob("*.html")}
    return pages


def test_e_notation_is_written_times_ten():
    assert times_ten("5.5e-03 倍, 2.5e+04, 1e-18, 1.1e+00, -2e-10") == \
        "5.5×10⁻³ 倍, 2.5×10⁴, 1×10⁻¹⁸, 1.1, -2×10⁻¹⁰"
    assert times_ten("x1e3, v1.5e2, `1e-3`") == "x1e3, v1.5e2, `1×10⁻³`"     # a name stays


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_glued_number_is_written_times_ten(small_site, language):
    page = small_site[language]["numbers.html"]
    assert "5.5×10⁻³" in page and "2×10⁴" in page and "0.25" in page
    assert "5.5e-03" not in page and "2e+04" not in page
    assert "<code" in page and "1e-3" in page                  # code is left as it is


def prose(page):
    """The text a reader reads on a page: no scripts, styles, code or maths."""
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r'<span class="math[^"]*">.*?</span>|<div class="math[^"]*">.*?</div>', " ",
                  page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", page)


E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[-+]?\d+\b")


def e_notation(page):
    return E_NOTATION.findall(prose(page))


def test_e_notation_in_prose_is_found():
    assert e_notation("<p>keeps 5.5e-03 of it</p><code>1e-3</code>") == ["5.5e-03"]
    assert e_notation("<p>keeps 5.5×10⁻³ of it</p><pre>2e+04</pre>") == []


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_page_has_e_notation_in_its_prose(small_site, language):
    assert {name: e_notation(page) for name, page in small_site[language].items()
            if e_notation(page)} == {}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_frame_is_in_the_pages_language(small_site, language):
    """The theme's words (search field, tooltips, labels, footer) on every page are in the
    edition's language: theme.po before the themes' own catalogues, and the course's templates
    where the themes write fixed English."""
    for name, page in small_site[language].items():
        assert rendered.frame_words(page), name
        assert rendered.frame_in_other_language(page, language) == [], name


def test_the_chinese_frame_reads_as_zh_cn(small_site):
    page = small_site["zh_CN"]["numbers.html"]
    words = rendered.frame_words(page)
    assert "在本书中搜索…" in words and "配色模式" in words and "跟随系统" in words
    assert "显示或隐藏全书目录" in words and 'title="链接到此标题"' in page
    assert "© 2026 版权所有。" in words and "打印为 PDF" in words
    assert "作者：课程的作者们" in words
    assert not [word for word in words if "列印" in word]
    english = rendered.frame_words(small_site["en"]["numbers.html"])
    assert "Search this book..." in english and "© Copyright 2026." in english
    assert "By The rnncore course authors" in english and "Print to PDF" in english


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_work_without_author_is_cited_by_its_number(small_site, language):
    """[1] after the title the text has just named, not [深度学习技巧4, n.d.]; a work with an
    author by author and year (rnncourse.site.references)."""
    text = " ".join(prose(small_site[language]["numbers.html"]).split())
    assert "《深度学习技巧4》 [ 1 ]" in text and "[ Elman, 1990 ]" in text
    assert "n.d." not in text and "[ 深度学习技巧4" not in text
