"""The book's figures as the page shows them: SVG drawn for the reading column, a narrow
variant for phones, and a description for readers who cannot see it.

A chapter draws a matplotlib figure (a diagram from :mod:`rnncourse.book.diagrams`, a chart from
:mod:`rnncourse.book.plotting`, or its own axes) and displays ``Figure(fig, alt=...)``. The page
gets both variants in one ``<picture>``; the browser picks by the column's width:

- wide: the figure at 7 inches (672 CSS pixels, the desktop column), its own layout;
- narrow: 3.3 inches (317 pixels: a phone's column, inside a tab or a note too);
  panels side by side are stacked.

Text is drawn at 10 pt or more, so at either width it is at least 13 pixels high, 80 % of
the body's 16. Each SVG says so in ``data-min-font-pt`` and ``data-width-in``, which the
site's browser test reads back against the size the image is shown at.
"""

import base64
import html
import io
import logging
from contextlib import contextmanager
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.gridspec import GridSpec
from matplotlib.text import Text

from ..site.i18n import CJK, ENGLISH, languages, localized_html, output_language, translate

WIDTHS_IN = {"wide": 7.0, "narrow": 3.3}
NARROW_BELOW_PX = 640          # the column is narrower than the wide figure below this width
MIN_FONT_PT = 10.0


def smallest_text(fig):
    """The smallest font size (pt) of the visible, non-empty text drawn in ``fig``."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure() is fig]
    return min(sizes, default=MIN_FONT_PT)


def _grid_axes(fig):
    """The figure's panels (axes placed by a grid spec, not colour bars or insets)."""
    return [ax for ax in fig.axes if ax.get_subplotspec() is not None]


def _stack(fig):
    """Lay the panels of ``fig`` out one above the other (for a narrow column)."""
    panels = _grid_axes(fig)
    if len(panels) < 2:
        return
    rows = sorted(panels, key=lambda ax: (ax.get_subplotspec().rowspan.start,
                                         ax.get_subplotspec().colspan.start))
    grid = GridSpec(len(rows), 1, figure=fig)
    for k, ax in enumerate(rows):
        ax.set_subplotspec(grid[k, 0])
        ax.tick_params(labelleft=True)          # a shared axis' labels, hidden beside its twin


class _OneWeight(logging.Filter):
    """The CJK font has one weight: a bold title's Chinese is drawn regular, as intended, and
    matplotlib need not warn about it in every notebook that draws one."""

    def filter(self, record):
        return "Failed to find font weight" not in record.getMessage()


@cache
def cjk_font():
    """The font that draws Chinese labels: Noto Sans CJK SC from the pinned ``mplfonts``
    package, so that every machine draws the same glyphs."""
    logging.getLogger("matplotlib.font_manager").addFilter(_OneWeight())
    spec = find_spec("mplfonts")
    if spec is None:
        raise RuntimeError("Chinese figures need the mplfonts package (requirements.txt)")
    path = Path(spec.submodule_search_locations[0]) / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextmanager
def in_language(fig, language):
    """``fig``'s words in ``language`` while the block draws it, and the font to draw them:
    each text's own font, falling back to the CJK font for the characters it lacks (or the
    CJK font first, in a text with a formula)."""
    texts = [text for text in fig.findobj(Text) if text.get_text().strip()]
    english = [(text.get_text(), text.get_fontfamily()) for text in texts]
    if language != ENGLISH:
        for text, (words, families) in zip(texts, english):
            text.set_text(translate(words, language))
            # Mathtext sets the words around a formula in the text's first font only.
            mixed = "$" in text.get_text() and CJK.search(text.get_text())
            text.set_fontfamily([cjk_font(), *families] if mixed else [*families, cjk_font()])
    try:
        yield
    finally:
        for text, (words, families) in zip(texts, english):
            text.set_text(words)
            text.set_fontfamily(families)


def _svg(fig, layout, language=ENGLISH):
    """``fig`` as SVG text at ``layout``'s width and in ``language``, its text as paths (the
    same on any machine), marked with its width and its smallest font size."""
    width, height = fig.get_size_inches()
    target = WIDTHS_IN[layout]
    diagram = not any(ax.axison for ax in fig.axes)
    if layout == "wide" or diagram:
        fig.set_size_inches(target, height * target / width)      # the same drawing, scaled
    else:
        # A chart's panels are stacked, each kept tall enough for its title and labels.
        rows = len({ax.get_subplotspec().rowspan.start for ax in _grid_axes(fig)}) or 1
        row_height = min(max(height / rows * WIDTHS_IN["wide"] / width, 2.6), 3.4)
        _stack(fig)
        fig.set_size_inches(target, row_height * max(len(_grid_axes(fig)), 1))
    smallest = smallest_text(fig)
    if smallest < MIN_FONT_PT:
        raise ValueError(f"figure text: expected every font at {MIN_FONT_PT:g} pt or more, "
                         f"got {smallest:g} pt")
    buffer = io.StringIO()
    with in_language(fig, language), plt.rc_context({"svg.fonttype": "path",
                                                     "svg.hashsalt": "rnncourse"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.index("<svg ")
    return (text[:start] + f'<svg data-width-in="{target:g}" data-min-font-pt="{smallest:g}" '
            + text[start + len("<svg "):])


def _data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


class Figure:
    """A matplotlib figure for the page: ``Figure(fig, alt="what it shows, in words")``.

    ``narrow``, when given, is the figure to show in a narrow column instead of ``fig``
    restacked or rescaled. Both are rendered at once, in each of the site's languages
    (:mod:`rnncourse.site.i18n`), and closed, so that Jupyter does not show them a second time.
    """

    def __init__(self, fig, alt, narrow=None):
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError(f"alt: expected a description of the figure, got {alt!r}")
        self.alt = " ".join(alt.split())
        self.svgs = {}
        for language in languages():
            # The wide drawing first: narrowing a chart restacks its panels for good.
            self.svgs[language, "wide"] = _svg(fig, "wide", language)
        for language in languages():
            self.svgs[language, "narrow"] = _svg(fig if narrow is None else narrow, "narrow",
                                                 language)
        for drawn in {fig, narrow} - {None}:
            plt.close(drawn)

    @classmethod
    def of(cls, draw, *args, alt, **kwargs):
        """A diagram drawn twice by ``draw(*args, narrow=..., **kwargs)``: for the reading
        column, and for a phone's."""
        return cls(draw(*args, **kwargs), alt,
                   narrow=draw(*args, narrow=True, **kwargs))

    def picture(self, language=ENGLISH):
        narrow, wide = (_data_uri(self.svgs[language, k]) for k in ("narrow", "wide"))
        alt = translate(self.alt, language)
        return (f'<picture class="rnn-figure">'
                f'<source media="(max-width: {NARROW_BELOW_PX}px)" srcset="{narrow}">'
                f'<img src="{wide}" alt="{html.escape(alt)}">'
                f'</picture>')

    def html(self):
        return localized_html(self.picture)

    def _repr_mimebundle_(self, include=None, exclude=None):
        language = output_language()
        return {"text/html": self.html(), "image/svg+xml": self.svgs[language, "wide"],
                "text/plain": f"<figure: {translate(self.alt, language)}>"}
