"""The assignments in every translated language: each one's source is exactly what the
catalogues make of the English source, has the same code, checks and points, and the same code
earns the same score in either language over the whole catalogue, while its feedback speaks
the learner's language. In this process, as tests/grading/test_checks.py runs the English;
tests/grading/test_translated_autograde.py grades the translated releases with nbgrader."""

import ast
import importlib
import re

import nbformat
import pytest

from rnncourse.grading import assignments, messages
from rnncourse.instructor import releases, submissions
from rnncourse.site.notebooks import Untranslated

from .test_checks import (
    blank_answers,
    grade,
    model_answers,
    nbgrader_meta,
    source_notebook,
    with_edit,
)

LANGUAGES = releases.translated_languages()
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_is_a_translated_language():
    assert "zh_CN" in LANGUAGES


def code_of(source):
    """A cell's code without its comments and docstrings, the names of its checks and the
    language it loads them in: what must be the same in every language."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node.body and isinstance(node.body[0], ast.Expr) and \
                isinstance(node.body[0].value, ast.Constant):
            node.body[0].value.value = "docstring"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("check", "Part") and node.args:
            node.args[0] = ast.Constant("description")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "load_checks":
            node.args = node.args[:1]
    return ast.dump(tree)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", assignments())
def test_the_committed_source_is_the_catalogues_translation(assignment, language):
    english = source_notebook(assignment)
    generated = releases.translate_source(english, assignment, language)
    committed = source_notebook(assignment, language)
    assert [c.source for c in committed.cells] == [c.source for c in generated.cells], \
        "run `make exercises` after changing solutions/ or the catalogues"
    assert [c.metadata for c in committed.cells] == [c.metadata for c in english.cells]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", assignments())
def test_same_cells_code_checks_and_points(assignment, language):
    english, translated = source_notebook(assignment), source_notebook(assignment, language)
    assert [c.cell_type for c in english.cells] == [c.cell_type for c in translated.cells]
    for ours, theirs in zip(english.cells, translated.cells, strict=True):
        assert nbgrader_meta(ours) == nbgrader_meta(theirs)
        if ours.cell_type == "code":
            assert code_of(ours.source) == code_of(theirs.source), nbgrader_meta(ours)
            assert ours.source.count("### BEGIN HIDDEN TESTS") == \
                theirs.source.count("### BEGIN HIDDEN TESTS")
        elif nbgrader_meta(ours).get("solution"):
            assert "### BEGIN SOLUTION" in theirs.source
    for cell in translated.cells:
        if releases.is_test_cell(cell):
            assert f'load_checks("{assignment}", "{language}")' in cell.source


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", assignments())
def test_the_text_is_translated(assignment, language):
    translated = source_notebook(assignment, language)
    text = "\n".join(cell.source for cell in translated.cells if cell.cell_type == "markdown")
    assert len(CJK.findall(text)) > 500
    base = releases._site_base()
    links = re.findall(re.escape(base) + r"\S*?\.html", text)
    assert links and all(link.startswith(base + "zh/book/") for link in links), links


def test_an_untranslated_message_is_reported(monkeypatch):
    english = source_notebook("rnn")
    complete = releases.assignment_catalogue("rnn", "zh_CN")
    dropped = next(text for text, _ in releases.messages_of(english)
                   if text.startswith("Part 2"))
    monkeypatch.setattr(releases, "assignment_catalogue", lambda name, language: {
        k: v for k, v in complete.items() if k != dropped})
    with pytest.raises(Untranslated) as raised:
        releases.translate_source(english, "rnn", "zh_CN")
    assert raised.value.missing == [(raised.value.missing[0][0], dropped)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_and_message_has_a_translation(language):
    assert releases.missing_messages(language) == []


def test_a_template_must_be_a_literal(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('say("fine {x}", x=1)\nsay(f"not {x}")\n', encoding="utf-8")
    with pytest.raises(ValueError, match="module.py:2"):
        releases.said_templates(module)


# -- the same code, the same score ------------------------------------------------------------

ENTRIES = [(name, "model", None) for name in assignments()] + \
    [(name, "blank", None) for name in assignments()] + \
    [(name, entry.name, entry) for name in assignments()
     for entry in (*submissions.MISTAKES[name], *submissions.HONEST[name])]


def answers_for(assignment, entry):
    if entry is None:
        return model_answers(assignment)
    answers = with_edit(model_answers(assignment), entry)
    if entry in submissions.HONEST[assignment]:
        first = next(c for c in source_notebook(assignment).cells
                     if nbgrader_meta(c).get("solution"))
        key = submissions.grade_id(first)
        answers[key] = submissions.HONEST_IMPORTS + answers[key]
    return answers


# Left in English on purpose: code (in backticks, or the learner's line an error points at),
# and what Python or NumPy said (an exception's or a warning's own message).
CODE = re.compile(r"`[^`]*`|（在 \w+ 中.*?）|^\s+.*(?:=|\(|\)).*$"
                  r"|\b\w*(?:Error|Warning|Exception)\b:? [^\n（）。；]*", flags=re.MULTILINE)


def english_sentences(printed):
    """Stretches of three or more English words in what the checks printed, outside code."""
    return re.findall(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b", CODE.sub("", printed))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment,name,entry", ENTRIES,
                         ids=[f"{a}-{n}" for a, n, _ in ENTRIES])
def test_the_same_code_scores_the_same_in_every_language(assignment, name, entry, language):
    answers = blank_answers(assignment) if name == "blank" else answers_for(assignment, entry)
    english = grade(assignment, answers)
    translated = grade(assignment, answers, language)
    assert {cell: r[:2] for cell, r in translated.items()} == \
        {cell: r[:2] for cell, r in english.items()}
    printed = "".join(r[2] for r in translated.values())
    assert CJK.search(printed)
    assert english_sentences(printed) == [], printed


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", assignments())
def test_the_translated_blank_release_earns_nothing(assignment, language):
    release = nbformat.read(str(releases.release_path(assignment, language)), 4)
    blank = {submissions.grade_id(c): c.source for c in release.cells
             if nbgrader_meta(c).get("solution")}
    results = grade(assignment, blank, language)
    assert results and all(score == 0 for score, _, _ in results.values()), results


def test_the_checks_speak_the_language_they_are_loaded_in():
    from rnncourse.grading import load_checks

    def said(checks):
        return importlib.import_module(checks.__package__ + ".messages").say("PASS")

    assert said(load_checks("rnn")) == "PASS"
    assert CJK.search(said(load_checks("rnn", "zh_CN")))
    with pytest.raises(ValueError, match="language: expected one of en, zh_CN"):
        load_checks("rnn", "xx")
    assert messages.languages() == ("en", "zh_CN")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_template_said_in_two_modules_has_one_translation(language):
    """Every grading catalogue is read into one table, so a template that two modules say
    must read the same in both."""
    from babel.messages.pofile import read_po

    seen = {}
    for path in sorted((messages.LOCALES / language / "LC_MESSAGES" / messages.CATALOGUES)
                       .glob("*.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id:
                    seen.setdefault(message.id, {})[path.stem] = message.string
    differing = {text: found for text, found in seen.items() if len(set(found.values())) > 1}
    assert not differing, differing
