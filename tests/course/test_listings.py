"""The chapters print library functions with ``listing``; no assignment part asks
for one of them, so that the page that teaches a function never holds a part's answer. A
printed function may still be given, in a locked cell, for the parts that build on it."""

import ast
import re

import nbformat

from rnncourse.manifest import ROOT, assignments, chapters

LISTED = re.compile(r"listing\(rnncore\.(\w+)\)")


def printed_functions():
    """{function name: chapter} for every listing on a chapter's page."""
    found = {}
    for chapter in chapters():
        text = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
        found.update({name: chapter for name in LISTED.findall(text)})
    return found


def answers(path):
    """The names of the functions that the notebook's answer cells define."""
    names = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            names += [node.name for node in ast.walk(ast.parse(cell.source))
                      if isinstance(node, ast.FunctionDef)]
    return names


def printed_answers(path, printed):
    return [f"{path.name}: the answer {name} is printed in book/{printed[name]}.md"
            for name in answers(path) if name in printed]


def test_the_chapters_print_the_step_functions():
    assert {"rnn_step_forward", "rnn_step_backward", "lstm_step_forward",
            "gru_step_forward"} <= set(printed_functions())


def test_no_assignment_asks_for_a_function_a_chapter_prints():
    printed = printed_functions()
    assert [problem for name in assignments() for problem in printed_answers(
        ROOT / "solutions" / name / f"{name}.ipynb", printed)] == []


def test_an_answer_that_a_chapter_prints_is_found(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("def lstm_step_forward(x):\n    return x",
                                  metadata={"nbgrader": {"solution": False, "locked": True}}),
        nbformat.v4.new_code_cell("def rnn_step_forward(x, h_prev):\n    ### BEGIN SOLUTION\n"
                                  "    return x\n    ### END SOLUTION",
                                  metadata={"nbgrader": {"solution": True}})]
    path = tmp_path / "planted.ipynb"
    nbformat.write(notebook, path)
    assert printed_answers(path, printed_functions()) == [
        "planted.ipynb: the answer rnn_step_forward is printed in book/rnn.md"]
