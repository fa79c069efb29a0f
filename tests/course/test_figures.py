"""The book's figures: both variants drawn for their column, with text large enough to read."""

import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnncourse.book import diagrams, figures  # noqa: E402
from rnncourse.book.figures import Figure  # noqa: E402


def svg_attributes(svg):
    return {k: float(v) for k, v in re.findall(r'data-(width-in|min-font-pt)="([\d.]+)"', svg)}


def two_panels(fontsize=10):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained", sharey=True)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("a panel", fontsize=fontsize)
    return fig


def test_each_variant_states_its_width_and_smallest_text():
    figure = Figure(two_panels(), alt="Two panels.")
    for (_, layout), svg in figure.svgs.items():
        assert svg_attributes(svg) == {"width-in": figures.WIDTHS_IN[layout],
                                       "min-font-pt": 10.0}
        assert f'width="{figures.WIDTHS_IN[layout] * 72:g}pt"' in svg


def test_a_narrow_column_stacks_the_panels():
    fig = two_panels()
    figures._svg(fig, "wide")
    side_by_side = [ax.get_position() for ax in fig.axes]
    assert side_by_side[0].x1 < side_by_side[1].x0
    figures._svg(fig, "narrow")
    first, second = (ax.get_position() for ax in fig.axes)
    assert first.y0 > second.y1, "one panel above the other"
    assert all(ax.yaxis.get_tick_params()["labelleft"] for ax in fig.axes)


def test_text_smaller_than_the_minimum_is_refused():
    with pytest.raises(ValueError, match="expected every font at 10 pt or more, got 8 pt"):
        Figure(two_panels(fontsize=8), alt="Two panels.")


def test_a_figure_needs_a_description():
    with pytest.raises(ValueError, match="alt: expected a description"):
        Figure(two_panels(), alt="  ")


def test_the_page_gets_a_picture_and_jupyter_gets_nothing_twice():
    before = set(plt.get_fignums())
    figure = Figure.of(diagrams.lstm_cell, "forget", alt='The "LSTM" cell.')
    assert set(plt.get_fignums()) == before, "both drawings are closed once rendered"
    page = figure.html()
    narrow = re.search(r'<source media="\(max-width: 640px\)" srcset="data:image/svg\+xml;'
                       r'base64,([^"]+)">', page)
    wide = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" '
                     r'alt="The &quot;LSTM&quot; cell.">', page)
    assert narrow and wide
    assert base64.b64decode(narrow.group(1)).decode() == figure.svgs["en", "narrow"]
    assert base64.b64decode(wide.group(1)).decode() == figure.svgs["en", "wide"]
    bundle = figure._repr_mimebundle_()
    assert bundle["image/svg+xml"] == figure.svgs["en", "wide"]


@pytest.mark.parametrize("draw", [diagrams.unrolled_rnn, diagrams.bidirectional_rnn,
                                  diagrams.deep_rnn, diagrams.io_patterns, diagrams.lstm_cell,
                                  diagrams.lstm_gradient_paths, diagrams.gru_cell])
def test_every_diagram_has_a_narrow_variant_that_reads(draw):
    figure = Figure.of(draw, alt="A diagram.")
    for (_, layout), svg in figure.svgs.items():
        assert svg_attributes(svg)["min-font-pt"] >= figures.MIN_FONT_PT, layout


@pytest.fixture
def chinese(monkeypatch):
    """The site's two languages, with a catalogue of two messages."""
    from rnncourse.site import i18n
    monkeypatch.setenv("RNNCOURSE_LANGUAGES", "en zh_CN")
    monkeypatch.setattr(i18n, "catalogue", lambda language: {
        "hidden state after {0} steps": "{0} 步之后的隐藏状态", "Two panels.": "两个图。",
        "cell state $c_t$": "记忆单元 $c_t$"})


def test_the_site_gets_a_drawing_in_each_language(chinese, recwarn, caplog):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.set_title("hidden state after 12 steps")
    ax.plot([0, 1], [0, 1], label="x")
    ax.set_ylabel("cell state $c_t$")
    figure = Figure(fig, alt="Two panels.")
    assert set(figure.svgs) == {(language, layout) for language in ("en", "zh_CN")
                                for layout in ("wide", "narrow")}
    assert figure.svgs["en", "wide"] != figure.svgs["zh_CN", "wide"]
    assert ax.get_title() == "hidden state after 12 steps"      # the English is put back
    page = figure.html()
    english, chinese_version = re.findall(r"<!--rnn-lang:(\w+)-->(.*?)<!--/rnn-lang:\1-->",
                                          page, re.DOTALL)
    assert english[0] == "en" and 'alt="Two panels."' in english[1]
    assert chinese_version[0] == "zh_CN" and 'alt="两个图。"' in chinese_version[1]
    # Every character was drawn from a font that has it (matplotlib warns of a missing glyph).
    # (and mathtext logs it, for the words beside a formula).
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
    assert not [r for r in caplog.records if "does not have a glyph" in r.getMessage()]


def test_in_a_notebook_a_figure_is_english_only():
    figure = Figure(two_panels(), alt="Two panels.")
    assert set(figure.svgs) == {("en", "wide"), ("en", "narrow")}
    assert "rnn-lang" not in figure.html()
