"""The Chinese edition set as a zh-CN textbook is set, and written in sentences a reader takes
in one go (rnncourse.site.editions: typography, sentence lengths)."""

import pytest

from rnncourse.site import editions
from rnncourse.site.i18n import LOCALES

CHINESE = sorted(LOCALES.glob("zh_CN/LC_MESSAGES/**/*.po"))
PAGES = LOCALES / "zh_CN" / "LC_MESSAGES" / "book"


def rules(text):
    return [rule for rule, _ in editions.typography_problems(text)]


@pytest.mark.parametrize("text, rule", [
    ("单向RNN 只读过去", "a space between Chinese and Latin"),
    ("单向 RNN只读过去", "a space between Chinese and Latin"),
    ("共有32个单元", "a space between Chinese and Latin"),
    ("在 $t$时刻", "a space between Chinese and Latin"),
    ("由`rnncore`计算", "a space between Chinese and Latin"),
    ("达到了{glue:text}`c_relu:.1f`", "a space between Chinese and Latin"),
    ("{cite:t}`gers2000`加入了遗忘门", "a space between Chinese and Latin"),
    ("见[LSTM 一章](lstm.md)", "a space between Chinese and Latin"),
    ("见 [LSTM 一章](lstm.md)", None),
    ("在 {numref}`fig-lstm-cell` 中", "no space before a figure"),
    ("在{numref}`fig-lstm-cell`中", "a space between Chinese and Latin"),
    ("梯度消失 ，然后", "no space beside full-width punctuation"),
    ("梯度消失。  然后", "no space beside full-width punctuation"),
    ("文章中的「我是中国人」", "quotation marks"),
    ('文章中的"我是中国人"', "quotation marks"),
    ("本课程以“深度学习技巧4”为蓝本", "the title of a work"),
    ("梯度只剩 5.5e-03 倍", "e-notation"),
    ("梯度只剩 5E+3 倍", "e-notation"),
    ("请把结果列印出来", "zh-CN says 打印"),
    ("见 Gers *et al.* 的论文", "no emphasis dots under Latin"),
    ("这个值就是 *$f_t$*", "no emphasis dots under Latin"),
    ("请补全：*我出生在法国，在里昂附近长大，如今说得最多的是*", "emphasis dots under at most"),
])
def test_each_rule_catches_its_planted_example(text, rule):
    found = rules(text)
    if rule is None:
        assert found == []
    else:
        assert any(rule in r for r in found), found


@pytest.mark.parametrize("text", [
    "单向 RNN 只读过去，双向 RNN 读整个序列。",
    "在{numref}`fig-lstm-cell` 中，记忆元 $c_t$ 是沿顶部的紫色线。",
    "本课程以《深度学习技巧4》{cite:p}`article4` 为蓝本，文章中的“我是中国人”一例。",
    "梯度只剩 $5.5 \\times 10^{-3}$ 倍，即 {glue:text}`survive_0.9:.1e`；代码为 `1e-3`。",
    "这就是*内部状态漂移*，**LSTM 加入了门**。",
    "**Assignment** 与 $2 * 3$ 的写法",
    "\n\\text{otherwise}\n",
    "往回 {{k}} 步处，梯度{{verdict}}。",
])
def test_well_set_text_passes(text):
    assert editions.typography_problems(text) == []


def test_the_check_reports_file_message_and_rule(tmp_path):
    path = tmp_path / "zh_CN" / "page.po"
    path.parent.mkdir()
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    'msgid "A bidirectional RNN reads both ways."\n'
                    'msgstr "双向RNN 从两个方向读取序列。"\n', encoding="utf-8")
    [problem] = editions.typography(path)
    assert problem.startswith("page.po: 'A bidirectional RNN reads both ways.': a space")
    assert editions.main(["check", str(path)]) == 1


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_every_chinese_catalogue_is_well_set(path):
    assert editions.typography(path) == []


def test_sentences_are_split_and_counted_as_read():
    text = ("记忆元 $c_t = f_t \\odot c_{t-1}$ 只经过两次运算。见[第 3 章](lstm.md)！"
            "他说：“好吗？”然后走了；**结束**")
    assert editions.sentences(text) == ["记忆元X只经过两次运算。", "见第3章！", "他说：“好吗？”",
                                        "然后走了；结束"]


@pytest.mark.parametrize("page", ["intro", "rnn", "bptt", "lstm", "gru", "language_models",
                                  "summary", "assignments", "notation", "instructors"])
def test_the_chapters_read_in_sentences_of_a_textbooks_length(page):
    figures = editions.sentence_figures(PAGES / f"{page}.po")
    assert figures["average"] <= 40, figures
    assert figures["long"] <= 0.05, figures
