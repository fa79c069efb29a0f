"""What every gate explorer is: controls described once, a matplotlib figure, and a one-line
reading under it, shown in Jupyter as ipywidgets (:mod:`.jupyter`) and on the static site as
the page's own controls (:mod:`.page`)."""

import base64
import html
import io
import os
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..book.figures import in_language
from ..site.i18n import times_ten, translate
from . import maths
from .jupyter import JupyterForm
from .page import PageForm

# Set by `make book`: the chapters are being executed to build the static site.
STATIC_SITE = "RNNCOURSE_STATIC_SITE"


def building_static_site():
    return os.environ.get(STATIC_SITE) == "1"


@dataclass(frozen=True)
class Control:
    """One control, described once for both ipywidgets and the page's JavaScript."""
    name: str
    label: str
    value: object
    kind: str = "range"          # "range", "select", "toggle" or "checkbox"
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    options: tuple = ()          # for "select" and "toggle": the values
    digits: int = 2              # how a range's value is shown


def steps_control(value=40, low=5, high=200):
    return Control("steps", "length T (steps)", int(value), low=low, high=high, step=5)


def pattern_control(value="pulse"):
    return Control("pattern", "input xₜ", value, kind="select",
                   options=maths.INPUT_PATTERNS)


def format_number(value, spec):
    """A number as the page's JavaScript prints it (``format`` in web/explorers.js)."""
    kind, *digits = spec
    if kind == "percent":
        return f"{100 * value:.{digits[0]}f}%"
    if kind == "exp":
        return times_ten(f"{value:.{digits[0]}e}")
    if kind == "int":
        return str(value)
    return f"{value:.{digits[0]}f}"


class Explorer(JupyterForm, PageForm):
    """Controls, a figure, and a one-line reading under it.

    Subclasses set ``controls`` (a list of :class:`Control`), ``panels`` (what each chart
    plots, for both matplotlib and the page), ``kind`` (the JavaScript function that computes
    its numbers) and implement ``compute(**values)`` (the numbers, from :mod:`.maths`),
    ``draw(data)`` (update the matplotlib lines) and ``reading(data)``.
    """

    kind = ""
    caption = ""
    alt_text = ""
    reading_template = ""
    enabled_when = {}   # control name -> (other control, the value that enables it)
    rows = None         # names of the controls on each row; None puts them three to a row

    def __init__(self, controls, figure_size):
        self.specs = {control.name: control for control in controls}
        self.starting_values = {name: spec.value for name, spec in self.specs.items()}
        self.fig, self.axes = plt.subplots(1, len(self.panels), figsize=figure_size, dpi=80,
                                           layout="constrained", squeeze=False)
        self.axes = self.axes[0]
        plt.close(self.fig)              # shown only as a PNG, never by the backend
        self.canvas = FigureCanvasAgg(self.fig)
        self.lines = self.setup_axes()
        self.widget = None
        if building_static_site():       # the page runs its own copy: no kernel widgets
            self.data = self.compute(**self.starting_values)
            self.draw(self.data)
        else:
            self._build_widgets()
        # The first drawing placed the panels; keeping that layout makes every later drawing
        # about twice as fast.
        self.fig.set_layout_engine("none")

    def image_html(self, reading, language):
        with in_language(self.fig, language):
            png = base64.b64encode(self.render_png()).decode("ascii")
        alt = html.escape(f"{translate(self.alt_text, language)} {reading}", quote=True)
        return (f'<img src="data:image/png;base64,{png}" alt="{alt}" '
                'style="max-width: 100%; height: auto;">')

    def render_png(self):
        """The figure as PNG bytes: one Agg drawing and a fast compression (the image is
        re-sent on every change, so speed matters more than size)."""
        self.canvas.draw()
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(),
                                 self.canvas.buffer_rgba())
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        if self.widget is None:
            return {"text/html": self.page_html(), "text/plain": type(self).__name__}
        return self.widget._repr_mimebundle_(**kwargs)

    # -- drawing with matplotlib -----------------------------------------------------------

    @staticmethod
    def style(ax, title, xlabel, ylabel):
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, color="#E6E6E6")
        ax.spines[["top", "right"]].set_visible(False)

    def rescale(self, ax, xmax):
        ax.relim()
        ax.autoscale_view(scalex=False)
        ax.set_xlim(0, xmax)
