"""The book shows rnncore's own step functions, read from the source files, never a copy."""

import ast
import re

import pytest

import rnncore
from rnncourse import manifest
from rnncourse.book.listing import listing

STEP_FUNCTIONS = [f"{cell}_step_{way}" for cell in ("rnn", "lstm", "gru")
                  for way in ("forward", "backward")]
# The chapters that present a step function, and the functions each must show from the source.
SHOWN = {"rnn": ["rnn_step_forward"], "bptt": ["rnn_step_backward"],
         "lstm": ["lstm_step_forward"], "gru": ["gru_step_forward"]}


@pytest.mark.parametrize("name", STEP_FUNCTIONS)
def test_listing_is_the_source_file_itself(name):
    path = manifest.ROOT / "rnncore" / "cells.py"
    source = path.read_text(encoding="utf-8")
    (node,) = [n for n in ast.parse(source).body
               if isinstance(n, ast.FunctionDef) and n.name == name]
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    lines = source.splitlines(keepends=True)[first - 1:node.end_lineno]
    text = listing(getattr(rnncore, name)).data
    assert text.startswith(f"`rnncore/cells.py`, lines {first}–{node.end_lineno}\n")
    assert text.endswith("```python\n" + "".join(lines) + "```")


@pytest.mark.parametrize("chapter,functions", SHOWN.items())
def test_chapters_show_the_library_source(chapter, functions):
    text = (manifest.ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    for function in functions:
        assert f"listing(rnncore.{function})" in text, f"{chapter} does not show {function}"


@pytest.mark.parametrize("chapter", manifest.chapters())
def test_no_chapter_carries_a_hand_typed_copy(chapter):
    text = (manifest.ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    copies = re.findall(r"def ((?:rnn|lstm|gru)_step_(?:forward|backward))", text)
    assert not copies, f"{chapter} defines {copies} itself: show rnncore's with listing()"
