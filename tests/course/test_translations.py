"""The Chinese edition's catalogues: complete, in step with the English sources, and using
the glossary's terms (rnncourse.site.editions, rnncourse.site.i18n)."""

import re

import pytest
from babel.messages.pofile import read_po

from rnncourse.site import editions
from rnncourse.site.i18n import CJK, LOCALES, glossary

CATALOGUES = sorted(LOCALES.glob("*/LC_MESSAGES/**/*.po"))
PAGES = sorted(LOCALES.glob("*/LC_MESSAGES/book/*.po"))


def messages(path):
    with path.open("rb") as file:
        return [m for m in read_po(file) if m.id]


def test_there_is_a_catalogue_for_every_page_and_for_the_code():
    pages = {path.stem for path in PAGES}
    chapters = {path.stem for path in (LOCALES.parent / "book").glob("*.md")}
    assert pages == chapters
    assert (LOCALES / "zh_CN" / "LC_MESSAGES" / "rnncourse.po") in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_every_message_is_translated_and_keeps_its_markup(path):
    assert editions.catalogue_problems(path) == []


def test_the_checker_finds_what_is_missing_fuzzy_or_broken(tmp_path):
    path = tmp_path / "page.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    'msgid "one"\nmsgstr ""\n\n'
                    '#, fuzzy\nmsgid "two"\nmsgstr "二"\n\n'
                    'msgid "the gate $f_t$ after {0} steps"\nmsgstr "门 $f$ 之后"\n\n'
                    'msgid "[the LSTM](lstm.md)"\nmsgstr "[LSTM](gru.md)"\n\n'
                    'msgid "1. Forget gate"\nmsgstr "1. 遗忘门"\n\n'
                    'msgid "\\n\\\\text{otherwise}\\n"\nmsgstr "\\n\\\\text{否则}\\n"\n',
                    encoding="utf-8")
    problems = editions.catalogue_problems(path)
    assert len(problems) == 6, problems
    assert "list item" in problems[4] and "display equation" in problems[5]
    assert "not translated" in problems[0] and "fuzzy" in problems[1]
    assert "$f_t$" in problems[2] and "{0}" in problems[2] and "lstm.md" in problems[3]


def english_pattern(term):
    return re.compile(rf"\b{re.escape(term)}(s|es)?\b", re.IGNORECASE)


def test_the_translations_use_the_glossary_terms():
    """Where a glossary term is in the English, this edition's Chinese term is in the
    translation."""
    rows = [([english_pattern(term) for term in row.english], row.course) for row in glossary()]
    assert len(rows) >= 40
    missing = []
    for path in CATALOGUES:
        for message in messages(path):
            if path.stem == "glossary":
                continue            # the glossary names every text's terms
            # code, math, links' targets and the fields code fills in ({embedding}) are not words
            english = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)|\{\w+(?::[^{}]*)?\}", "",
                             message.id)
            for patterns, chinese in rows:
                if any(p.search(english) for p in patterns) and chinese not in message.string:
                    missing.append(f"{path.name}: {chinese} for {message.id[:70]!r}")
    assert not missing, "\n".join(missing)


QUOTED = re.compile(r"“[^”]*”|「[^」]*」|《[^》]*》")


def other_terms():
    """The article's and d2l-zh's Chinese terms that this edition does not use for anything."""
    ours = {row.course for row in glossary()}
    return {term: row.course for row in glossary() for term in row.chinese
            if CJK.search(term) and term not in ours and not any(term in o for o in ours)}


def test_the_translations_use_no_other_texts_term_unless_they_quote_it():
    """记忆单元 for c_t, 梯度弥散 or 时间步 appear only where the text names another text's term,
    in quotation marks."""
    others = other_terms()
    assert {"记忆单元", "梯度弥散", "时间步", "隐状态"} <= set(others)
    found = []
    for path in CATALOGUES:
        if path.stem == "glossary":
            continue
        for message in messages(path):
            text = QUOTED.sub("", message.string)
            found += [f"{path.name}: {term} (use {ours}) in {message.string[:60]!r}"
                      for term, ours in others.items() if term in text]
    assert not found, "\n".join(found)


def test_the_glossary_gives_each_term_in_the_three_texts():
    terms = {tuple(row.english): row for row in glossary()}
    assert terms[("memory cell", "cell state")][1:] == ("记忆元", "记忆单元", "记忆元")
    assert terms[("hidden state",)][1:] == ("隐藏状态", "隐藏层", "隐状态")
    assert terms[("time step",)][1:] == ("时刻", "时刻", "时间步")
    assert terms[("backpropagation through time",)].d2l == "通过时间反向传播"
    assert terms[("teacher forcing",)].d2l == "强制教学"
    assert {"词元", "候选值", "谱半径", "雅可比矩阵", "读出层", "预激活", "饱和", "训练步"} <= {
        row.course for row in glossary()}
