"""The Chinese edition's catalogues: complete, in step with the English sources, and using
the glossary's terms (rnncourse.site.editions, rnncourse.site.i18n)."""

import re

import pytest
from babel.messages.pofile import read_po

from rnncourse.site import editions
from rnncourse.site.i18n import LOCALES, glossary

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
    """Where a glossary term is in the English, its Chinese term (the article's, or the
    usual alternative the glossary gives) is in the translation."""
    rows = [([english_pattern(term) for term in english], chinese)
            for english, chinese in glossary()]
    assert len(rows) >= 25
    missing = []
    for path in CATALOGUES:
        for message in messages(path):
            if path.stem == "glossary" and message.string == message.id:
                continue            # the glossary's English column stays English
            english = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)", "", message.id)
            # The space between Chinese and Latin is typography's (双向RNN is 双向 RNN).
            unspaced = message.string.replace(" ", "")
            for patterns, chinese in rows:
                if any(p.search(english) for p in patterns) and \
                        not any(term.replace(" ", "") in unspaced for term in chinese):
                    missing.append(f"{path.name}: {chinese[0]} for {message.id[:70]!r}")
    assert not missing, "\n".join(missing)


def test_the_glossary_gives_the_terms_the_issue_names():
    terms = {term for _, chinese in glossary() for term in chinese}
    assert {"记忆单元", "遗忘门", "输入门", "输出门", "更新门", "重置门", "双向RNN", "深层RNN",
            "梯度消失", "梯度爆炸"} <= terms
