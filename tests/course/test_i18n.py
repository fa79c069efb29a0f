"""What a cell outputs, in each of the site's languages (rnncourse.site.i18n), and each edition
keeping its own (rnncourse.site.extension)."""

from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.utils import new_document

from rnncourse.site import extension, i18n


@pytest.fixture
def catalogue(monkeypatch):
    monkeypatch.setenv("RNNCOURSE_LANGUAGES", "en zh_CN")
    entries = {"not solved (accuracy {0})": "未解决（准确率 {0}）", "{0} steps": "{0} 步",
               "the gate $f_{{t}}$ at {0}": "{0} 处的门 $f_{{t}}$", "model": "模型"}
    monkeypatch.setattr(i18n, "catalogue", lambda language: entries)
    return entries


def test_numbers_outside_math_and_code_become_placeholders():
    assert i18n.template("not solved (accuracy 0.456), seed 2") == \
        ("not solved (accuracy {0}), seed {1}", ["0.456", "2"])
    assert i18n.template("$10^{-5}$ after 1,000 steps in `h2`") == \
        ("$10^{{-5}}$ after {0} steps in `h2`", ["1,000"])
    assert i18n.template("seq2seq and LSTM1") == ("seq2seq and LSTM1", [])


def test_a_translation_gets_the_numbers_of_its_english(catalogue):
    assert i18n.translate("not solved (accuracy 0.456)", "zh_CN") == "未解决（准确率 0.456）"
    assert i18n.translate("the gate $f_{t}$ at 3", "zh_CN") == "3 处的门 $f_{t}$"
    assert i18n.translate("not solved (accuracy 0.456)", "en") == "not solved (accuracy 0.456)"
    # A message the catalogue lacks stays English, and only numbers or math need no entry.
    assert i18n.translate("something new", "zh_CN") == "something new"
    assert i18n.translate("0.5 $h_t$", "zh_CN") == "0.5 $h_t$"


def test_the_build_lists_every_message_it_asked_for(catalogue, monkeypatch, tmp_path):
    monkeypatch.setenv("RNNCOURSE_MESSAGES", str(tmp_path))
    i18n.translate("500 steps", "zh_CN")
    i18n.translate("something new", "zh_CN")
    i18n.translate("7 steps", "zh_CN")
    assert i18n.recorded_messages(tmp_path) == ["{0} steps", "something new"]


def test_a_table_is_translated_cell_by_cell_and_keeps_its_markup(catalogue):
    table = "| model | x |\n| --- | --- |\n| $a|b$ | **500 steps** |\n```\nmodel\n```"
    assert i18n.translate_markdown(table, "zh_CN") == \
        "| 模型 | x |\n| --- | --- |\n| $a|b$ | **500 步** |\n```\nmodel\n```"
    shown = i18n.Markdown(table)._repr_markdown_()
    assert shown.count("::::{container} rnn-lang-") == 2 and "**500 步**" in shown


def test_a_notebook_shows_english_only(monkeypatch):
    monkeypatch.delenv("RNNCOURSE_LANGUAGES", raising=False)
    assert i18n.localized_html(lambda language: f"<p>{language}</p>") == "<p>en</p>"
    assert i18n.Markdown("| model |")._repr_markdown_() == "| model |"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_each_edition_keeps_its_own_version_of_an_output(catalogue, language):
    document = new_document("page")
    html = i18n.localized_html(lambda lang: f"<b>{lang}</b>")
    document += nodes.raw(html, html, format="html")
    for lang in ("en", "zh_CN"):
        box = nodes.container(classes=[nodes.make_id(f"rnn-lang-{lang}")])
        box += nodes.paragraph(text=f"table in {lang}")
        document += box
    app = SimpleNamespace(config=SimpleNamespace(language=language),
                          builder=SimpleNamespace(name="html"))
    extension._keep_own_language(app, document, "page")
    raw = next(iter(document.findall(nodes.raw)))
    assert raw.astext() == f"<b>{language}</b>"
    assert [p.astext() for p in document.findall(nodes.paragraph)] == [f"table in {language}"]
    assert not list(document.findall(nodes.container))          # the kept one unwrapped


def test_the_catalogues_get_no_version_of_an_output(catalogue):
    """rnncourse.po translates what a cell wrote; the pages' catalogues must not hold it."""
    document = new_document("page")
    html = i18n.localized_html(lambda lang: f"<b>{lang}</b>")
    document += nodes.raw(html, html, format="html")
    for lang in ("en", "zh_CN"):
        document += nodes.container(classes=[nodes.make_id(f"rnn-lang-{lang}")])
    app = SimpleNamespace(config=SimpleNamespace(language="en"),
                          builder=SimpleNamespace(name="gettext"))
    extension._keep_own_language(app, document, "page")
    assert next(iter(document.findall(nodes.raw))).astext() == ""
    assert not list(document.findall(nodes.container))


@pytest.fixture
def sayings(catalogue):
    catalogue.update({"accuracy on new sequences: {0}": "新序列上的准确率：{0}",
                      "parameters:": "参数：", "LSTM, biased gates": "LSTM，门偏置已设置",
                      "rate": "学习率", "{0} steps: product {1}": "{0} 个时刻：乘积 {1}"})
    return catalogue


def said(monkeypatch, capsys, languages, *values, **options):
    monkeypatch.setenv("RNNCOURSE_LANGUAGES", languages)
    i18n.say(*values, **options)
    return capsys.readouterr().out


def test_a_notebook_prints_its_one_language_as_print_does(sayings, monkeypatch, capsys):
    shape = (3, 4)
    assert said(monkeypatch, capsys, "en", "parameters:", 52, "  h_n:", shape) == \
        "parameters: 52   h_n: (3, 4)\n"
    assert said(monkeypatch, capsys, "zh_CN", "parameters:", 52, "  h_n:", shape) == \
        "参数： 52   h_n: (3, 4)\n"
    assert said(monkeypatch, capsys, "zh_CN", "accuracy on new sequences: 97.5%") == \
        "新序列上的准确率：97.5%\n"
    # A name or a symbol alone is not a message, and numbers stay the numbers printed.
    assert said(monkeypatch, capsys, "zh_CN", "LSTM    99,328", end="") == "LSTM    99,328"
    assert said(monkeypatch, capsys, "zh_CN", " 1 steps: product 0.5") == \
        " 1 个时刻：乘积 0.5\n"


def test_a_padded_label_keeps_its_columns_in_chinese(sayings, monkeypatch, capsys):
    """A Chinese character takes two columns: a table's rows line up in either language."""
    for language in ("en", "zh_CN"):
        header = said(monkeypatch, capsys, language, f"{'':20}", f"{'rate':>6}", sep="")
        row = said(monkeypatch, capsys, language, f"{'LSTM, biased gates':20}", f"{0.01:>6g}",
                   sep="")
        assert i18n.width(header) == i18n.width(row) == 27, (header, row)
    assert row == "LSTM，门偏置已设置    0.01\n" and header.endswith("学习率\n")


def test_the_site_prints_every_version_and_each_page_keeps_its_own(sayings, monkeypatch,
                                                                   capsys):
    text = said(monkeypatch, capsys, "en zh_CN", "parameters:", 52) + "0.5 0.25\n"
    assert text == ("<!--rnn-lang:en-->parameters: 52<!--/rnn-lang:en-->"
                    "<!--rnn-lang:zh_CN-->参数： 52<!--/rnn-lang:zh_CN-->\n0.5 0.25\n")
    for language, kept in (("en", "parameters: 52\n0.5 0.25\n"),
                           ("zh_CN", "参数： 52\n0.5 0.25\n")):
        document = new_document("page")
        document += nodes.literal_block(text, text, classes=["output", "stream"])
        app = SimpleNamespace(config=SimpleNamespace(language=language),
                              builder=SimpleNamespace(name="html"))
        extension._keep_own_language(app, document, "page")
        block = next(iter(document.findall(nodes.literal_block)))
        assert block.astext() == kept and block["classes"] == ["output", "stream"]


def test_the_glossary_pairs_each_english_term_with_its_chinese_forms():
    rows = {tuple(row.english): row.chinese for row in i18n.glossary()}
    assert rows[("deep RNN", "stacked RNN")] == ["深层 RNN", "deep RNN", "深度循环神经网络"]
    assert rows[("memory cell", "cell state")] == ["记忆元", "记忆单元"]
    assert rows[("vanishing gradient",)] == ["梯度消失", "梯度弥散"]
    assert rows[("long short-term memory",)] == ["长短期记忆网络"]
