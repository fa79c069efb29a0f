"""Each edition's bibliography: the Chinese one is written from the English one with its notes
translated (rnncourse.site.references)."""

import re

import pytest
from pybtex.database import parse_file

from rnncourse.site import EDITIONS, references
from rnncourse.site.i18n import LOCALES

ROOT = LOCALES.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def entries(path):
    return parse_file(str(ROOT / path), bib_format="bibtex").entries


def test_each_edition_reads_its_own_bibliography():
    assert references.bibliography("en", ROOT) == references.BIBLIOGRAPHY
    for language in EDITIONS:
        assert (ROOT / references.bibliography(language, ROOT)).exists()
    assert references.bibliography("zh_CN", ROOT).name == "references.zh_CN.bib"


def test_a_note_without_a_translation_is_an_error(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text(
        "@misc{x, title = {T}, note = {A note no catalogue has {with} braces}}\n")
    with pytest.raises(ValueError, match="no translation for 'A note no catalogue has"):
        references.bibliography("zh_CN", tmp_path)


def test_the_chinese_bibliography_is_the_english_one_with_chinese_notes():
    """The same entries, types, authors and fields, in the same order; only the notes differ,
    and every note is Chinese."""
    english = entries(references.BIBLIOGRAPHY)
    chinese = entries(references.bibliography("zh_CN", ROOT))
    assert list(chinese) == list(english)
    for key, entry in english.items():
        other = chinese[key]
        assert other.type == entry.type, key
        assert {role: [str(p) for p in people] for role, people in other.persons.items()} == \
            {role: [str(p) for p in people] for role, people in entry.persons.items()}, key
        fields = {name: value for name, value in entry.fields.items() if name != "note"}
        assert {name: value for name, value in other.fields.items() if name != "note"} == \
            fields, key
        assert ("note" in other.fields) == ("note" in entry.fields), key
        if "note" in entry.fields:
            assert CJK.search(other.fields["note"]), f"{key}: the note is not in Chinese"
            assert not CJK.search(entry.fields["note"].replace("深度学习技巧4", "")), key


def test_the_chinese_notes_keep_the_english_notes_references():
    """What a note names that is not words (an arXiv number, a version) is in both."""
    english = entries(references.BIBLIOGRAPHY)
    chinese = entries(references.bibliography("zh_CN", ROOT))
    for key, entry in english.items():
        if "note" in entry.fields:
            names = re.findall(r"arXiv:[\d.]+|v\d+", entry.fields["note"])
            assert names == re.findall(r"arXiv:[\d.]+|v\d+", chinese[key].fields["note"]), key
