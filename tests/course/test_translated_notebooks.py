"""The chapters' Chinese notebooks (rnncourse.site.notebooks): every block and comment
translated, the English notebook's cells, code and formulas otherwise, the committed copies
in sync, and each notebook run in the course's kernel writing Chinese."""

import re

import nbformat
import pytest

from rnncourse import manifest
from rnncourse.site import editions, extension, i18n, notebooks

CHAPTERS = manifest.chapters()
LANGUAGE = "zh_CN"


def english(name):
    return nbformat.read(str(notebooks.notebook_path(name, "en")), as_version=4)


def display_math(notebook):
    """Every display formula of the notebook's markdown cells, in order."""
    formulas = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            formulas += [t.content for t in notebooks._parser().parse(cell.source)
                         if t.type in ("math_block", "math_block_label", "amsmath")]
    return formulas


@pytest.fixture(scope="module")
def translated():
    return {name: notebooks.translate_notebook(english(name), name, LANGUAGE)
            for name in CHAPTERS}


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_block_is_translated_and_the_code_is_the_english_code(name, translated):
    source, chinese = english(name), translated[name]
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in source.cells]
    assert [c.metadata.get("tags") for c in chinese.cells] == \
        [c.metadata.get("tags") for c in source.cells]
    setting = "\n".join(notebooks.language_lines(LANGUAGE))      # first, in the first
    for ours, theirs in zip(chinese.cells, source.cells):
        if ours.cell_type != "code":
            continue
        code = ours.source
        assert notebooks.strip_comments(code) == notebooks.strip_comments(setting + theirs.source)
        setting = ""
        # Every comment that says something in words is Chinese.
        for *_, text, _, _ in notebooks.comments(code):
            assert not notebooks.is_remark(text) or i18n.CJK.search(text), (name, text)
    assert display_math(chinese) == display_math(source)
    assert display_math(source) or name in ("intro", "summary")
    # Every markdown cell with words reads Chinese, and keeps the English cell's roles.
    roles = re.compile(r"\{[\w:-]+\}`[^`]*`|^:+\{[\w:-]+\}|^```\{[\w:-]+\}", re.MULTILINE)
    for ours, theirs in zip(chinese.cells, source.cells):
        if ours.cell_type == "markdown":
            assert sorted(roles.findall(ours.source)) == sorted(roles.findall(theirs.source))
            if editions.english_words(theirs.source) > 1:       # not "# LSTM"
                assert i18n.CJK.search(ours.source), theirs.source[:80]


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_committed_notebook_is_what_the_generator_writes(name, translated):
    path = notebooks.notebook_path(name, LANGUAGE)
    assert path.exists(), "run make notebooks"
    committed = nbformat.read(str(path), as_version=4)
    assert [(c.cell_type, c.source, c.metadata) for c in committed.cells] == \
        [(c.cell_type, c.source, c.metadata) for c in translated[name].cells], \
        f"run make notebooks ({name})"
    assert committed.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


def test_an_untranslated_block_or_comment_is_reported_by_message_and_page():
    notebook = english("rnn")
    notebook.cells.insert(3, nbformat.v4.new_markdown_cell(
        "A planted paragraph that\nnobody has translated.\n\n$$\nx = 1\n$$"))
    notebook.cells.insert(5, nbformat.v4.new_code_cell("x = 1   # a planted remark"))
    notebook.cells.insert(6, nbformat.v4.new_markdown_cell(
        ":::{note} A planted title\nA planted note.\n:::"))
    with pytest.raises(notebooks.Untranslated) as error:
        notebooks.translate_notebook(notebook, "rnn", LANGUAGE)
    assert error.value.missing == [
        ("book/rnn.po (rnn cell 4)", "A planted paragraph that nobody has translated."),
        ("notebooks.po (rnn cell 6)", "a planted remark"),
        ("book/rnn.po (rnn cell 7)", "A planted title"),
        ("book/rnn.po (rnn cell 7)", "A planted note."),
    ]
    assert "A planted paragraph that nobody has translated." in str(error.value)


def test_blocks_are_replaced_in_place_keeping_their_markup():
    text = ("# Title\n\nA paragraph\nover two lines.\n\n- an item\n  that goes on\n\n"
            "| a | b |\n| --- | --- |\n| one | {glue:text}`x` |\n\n$$\nx = 1\n$$\n\n"
            "```{admonition} A title\n:class: warning\n\nInside the box.\n```\n\n(label)=\n")
    catalogue = {"Title": "标题", "A paragraph over two lines.": "一段两行的文字。",
                 "an item that goes on": "一项", "a": "甲", "b": "乙", "one": "一",
                 "A title": "标题二", "Inside the box.": "框内。"}
    missing = []
    assert notebooks.translate_markdown(text, catalogue, "page", missing) == (
        "# 标题\n\n一段两行的文字。\n\n- 一项\n\n| 甲 | 乙 |\n| --- | --- |\n"
        "| 一 | {glue:text}`x` |\n\n$$\nx = 1\n$$\n\n```{admonition} 标题二\n"
        ":class: warning\n\n框内。\n```\n\n(label)=\n")
    assert missing == []


def test_a_run_of_comments_is_one_message_and_keeps_its_column():
    """A shell line (IPython's !) is the shell's: its # is left as it is."""
    source = ("x = 1  # one\n    # a run of\n    # two lines\n#   W   bias   aligned\n"
              "!pip install thing  # a shell line\n# (T, B, D)")
    assert notebooks.comment_messages(source) == ["one", "a run of two lines",
                                                  "W   bias   aligned"]
    catalogue = {"one": "一", "a run of two lines": "两行\n合为一条", "W   bias   aligned":
                 "W   偏置   对齐"}
    missing = []
    assert notebooks.translate_comments(source, catalogue, "here", missing) == (
        "x = 1  # 一\n    # 两行\n    # 合为一条\n#   W   偏置   对齐\n"
        "!pip install thing  # a shell line\n# (T, B, D)")
    assert missing == []
    assert notebooks.strip_comments(source) == "x = 1\n!pip install thing  # a shell line"


def test_a_chinese_page_launches_and_downloads_the_chinese_notebook():
    buttons = [
        {"type": "group", "buttons": [
            {"url": "../_sources/book/rnn.ipynb", "text": ".ipynb"},
            {"url": "../_sources/book/rnn.md", "text": ".md"}]},
        {"type": "group", "buttons": [
            {"url": "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/book/rnn.ipynb"},
            {"url": "https://colab.research.google.com/github/o/r/blob/main/book/rnn.ipynb"}]},
    ]
    rewritten = extension.notebook_links(buttons, "book/rnn", "book/zh_CN/rnn.ipynb")
    assert [b["url"] for group in rewritten for b in group["buttons"]] == [
        "../_sources/book/zh_CN/rnn.ipynb", "../_sources/book/rnn.md",
        "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/book/zh_CN/rnn.ipynb",
        "https://colab.research.google.com/github/o/r/blob/main/book/zh_CN/rnn.ipynb"]
    assert buttons[0]["buttons"][0]["url"] == "../_sources/book/rnn.ipynb"    # not changed


# -- each Chinese notebook run as a learner runs it -------------------------------------------

WIDGET = "application/vnd.jupyter.widget-view+json"


def text_outputs(notebook, streams=True):
    """What the notebook's cells wrote: streams (what the chapter's own ``print`` calls
    write), and each rich output's text forms (what the course's code drew or wrote). A
    widget's text form, its Python repr for front ends without widgets, names its values as
    the code does, not as it shows them."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and streams:
                texts.append(output.text)
            data = output.get("data", {})
            for kind in ("text/plain", "text/markdown", "text/html"):
                if WIDGET not in data:
                    texts.append(data.get(kind, ""))
    return [text for text in texts if text]


@pytest.fixture(scope="module")
def executed():
    """Every chapter's Chinese notebook, executed once in the course's kernel."""
    nbclient = pytest.importorskip("nbclient")
    runs = {}
    for name in CHAPTERS:
        path = notebooks.notebook_path(name, LANGUAGE)
        notebook = nbformat.read(str(path), as_version=4)
        nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        runs[name] = notebook
    return runs


@pytest.mark.parametrize("name", CHAPTERS)
def test_a_chinese_notebook_runs_and_writes_chinese(name, executed):
    outputs = text_outputs(executed[name])
    assert not any(o.output_type == "error" for c in executed[name].cells
                   for o in c.get("outputs", []))
    assert not any(o.get("name") == "stderr" for c in executed[name].cells
                   for o in c.get("outputs", [])), "a warning in a learner's notebook"
    assert not any("rnn-lang" in text for text in outputs), "the site's markers"
    rich = [o for c in executed[name].cells for o in c.get("outputs", [])
            if o.output_type in ("display_data", "execute_result")
            and set(o.get("data", {})) & {"text/html", "text/markdown"}]
    if rich:        # what the course's code drew or wrote
        assert any(i18n.CJK.search(text) for text in outputs)
    # No message of the code's catalogue is left in English where it has a translation, in
    # what the course's code wrote or the chapter printed with i18n.say: no message, and no
    # stretch of words of a message whose numbers the code fills in ("accuracy on new
    # sequences: {0}").
    translated = {english: chinese for english, chinese in i18n.catalogue(LANGUAGE).items()
                  if english != chinese}
    pieces = {piece.strip() for english in translated for piece in re.split(r"\{\d+\}", english)
              if len(piece.strip()) > 12 and i18n.WORDS.search(piece)}
    written = "\n".join(text_outputs(executed[name]))
    left = [english for english in pieces if english in written]
    assert not left, left


def printed(notebook):
    """What the notebook's cells printed, cell by cell."""
    return ["".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream")
            for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_what_a_chinese_notebook_prints_is_chinese_and_unmarked(name, executed):
    """Every cell that prints words with i18n.say prints them in Chinese, as plain printed
    lines: one version, no marks."""
    cells = [cell for cell in executed[name].cells if cell.cell_type == "code"]
    for cell, text in zip(cells, printed(executed[name])):
        if re.search(r"^\s*say\(", cell.source, re.MULTILINE):
            assert i18n.CJK.search(text), (name, cell.source[:200], text)
        assert "rnn-lang" not in text
