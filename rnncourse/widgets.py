"""Gate explorers: controls that move an LSTM's or a GRU's gates, or a recurrent matrix's
spectral radius, and plots that follow.

Display one by making it the last expression of a cell::

    from rnncourse.widgets import LSTMGateExplorer
    LSTMGateExplorer()

In Jupyter an explorer is a set of ipywidgets: each change recomputes its numbers with
:mod:`rnncourse.explore` and redraws a matplotlib figure. On the course's static site (while
``make book`` executes the chapters) the same explorer is written as HTML instead: the
controls, charts and maths of ``web/explorers.js`` run in the reader's browser, with no
kernel, and a browser test holds their numbers equal to :mod:`rnncourse.explore`'s. Without
JavaScript, that HTML shows the figure of the starting values.
"""

import base64
import html
import io
import json
import os
from dataclasses import dataclass
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from rnncore.layers import LSTM

from . import explore
from .figures import in_language
from .i18n import ENGLISH, localized_html, translate
from .plotting import PALETTE

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

    def widget(self):
        import ipywidgets as widgets
        style = {"description_width": "150px"}
        if self.kind == "range":
            cls = widgets.IntSlider if isinstance(self.value, int) else widgets.FloatSlider
            return cls(value=self.value, min=self.low, max=self.high, step=self.step,
                       description=self.label, style=style,
                       layout=widgets.Layout(width="330px"), continuous_update=False)
        if self.kind == "select":
            return widgets.Dropdown(options=list(self.options), value=self.value,
                                    description=self.label, style={"description_width": "90px"},
                                    layout=widgets.Layout(width="230px"))
        if self.kind == "toggle":
            return widgets.ToggleButtons(options=list(self.options), value=self.value,
                                         description=self.label, style=style)
        return widgets.Checkbox(value=self.value, description=self.label,
                                style={"description_width": "initial"})

    def web(self, language=ENGLISH):
        spec = {"name": self.name, "label": translate(self.label, language), "value": self.value,
                "type": self.kind, "format": ["int"] if isinstance(self.value, int)
                else ["fixed", self.digits]}
        if self.kind == "range":
            spec.update(min=self.low, max=self.high, step=self.step)
        if self.kind in ("select", "toggle"):
            spec["options"] = [[option, translate(option, language)] for option in self.options]
        return spec


def steps_control(value=40, low=5, high=200):
    return Control("steps", "length T (steps)", int(value), low=low, high=high, step=5)


def pattern_control(value="pulse"):
    return Control("pattern", "input xₜ", value, kind="select",
                   options=explore.INPUT_PATTERNS)


def format_number(value, spec):
    """A number as the page's JavaScript prints it (``format`` in web/explorers.js)."""
    kind, *digits = spec
    if kind == "percent":
        return f"{100 * value:.{digits[0]}f}%"
    if kind == "exp":
        return f"{value:.{digits[0]}e}"
    if kind == "int":
        return str(value)
    return f"{value:.{digits[0]}f}"


class Explorer:
    """Controls, a figure, and a one-line reading under it.

    Subclasses set ``controls`` (a list of :class:`Control`), ``panels`` (what each chart
    plots, for both matplotlib and the page), ``kind`` (the JavaScript function that computes
    its numbers) and implement ``compute(**values)`` (the numbers, from rnncourse.explore),
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

    # -- in Jupyter ------------------------------------------------------------------------

    def _build_widgets(self):
        import ipywidgets as widgets
        self.controls = {name: spec.widget() for name, spec in self.specs.items()}
        self.figure_view = widgets.HTML()
        self.summary = widgets.HTML()
        names = list(self.controls)
        layout = self.rows or [names[k:k + 3] for k in range(0, len(names), 3)]
        rows = [widgets.HBox([self.controls[name] for name in row],
                             layout=widgets.Layout(flex_flow="row wrap")) for row in layout]
        note = widgets.HTML(f"<small>{html.escape(self.caption)}</small>")
        self.widget = widgets.VBox([*rows, self.figure_view, self.summary, note])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, change=None):
        """Recompute the numbers for the current control values and redraw the lines."""
        values = self.values()
        for name, (other, enabling) in self.enabled_when.items():
            self.controls[name].disabled = values[other] != enabling
        self.data = self.compute(**values)
        self.draw(self.data)
        reading = self.reading(self.data)
        self.figure_view.value = self.image_html(reading, ENGLISH)
        self.summary.value = f"<p>{html.escape(reading)}</p>"

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

    # -- on the static site ----------------------------------------------------------------

    def web_data(self):
        """The fixed numbers the page's maths needs (drawn here, with NumPy's generator)."""
        return {}

    def web_config(self, data, language=ENGLISH):
        """What the page's script needs: ``data`` (from :meth:`web_data`, the same in every
        language) and the explorer's words in ``language``."""
        def panel(spec):
            words = {key: translate(spec[key], language) for key in ("title", "xlabel")
                     if key in spec}
            series = [{**line, **({"label": translate(line["label"], language)}
                                  if "label" in line else {})} for line in spec["series"]]
            return {**spec, **words, "series": series}

        return {"kind": self.kind, "reading_kind": self.reading_kind,
                "controls": [spec.web(language) for spec in self.specs.values()],
                "enabled_when": {name: list(rule) for name, rule in self.enabled_when.items()},
                "panels": [panel(spec) for spec in self.web_panels],
                "reading": translate(self.reading_template, language),
                "note": translate(self.caption, language), "data": data,
                **self.web_texts(language)}

    def web_texts(self, language):
        return {}

    def page_html(self):
        """The explorer for the static site, in each of the site's languages: its
        configuration, the figure of the starting values (what a reader without JavaScript
        sees), and the script that makes it live."""
        web = resources.files("rnncourse").joinpath("web")
        script = web.joinpath("explorers.js").read_text(encoding="utf-8")
        style = web.joinpath("explorers.css").read_text(encoding="utf-8")
        data = self.web_data()
        return localized_html(lambda language: self._page_html(language, data, script, style))

    def _page_html(self, language, data, script, style):
        config = json.dumps(self.web_config(data, language),
                            separators=(",", ":")).replace("</", "<\\/")
        reading = self.reading(self.data, language)
        return (f'<div class="rnn-explorer">\n<style>{style}</style>\n'
                f'<script type="application/json" class="rnn-explorer-config">{config}'
                '</script>\n<figure class="rnn-explorer-static">'
                f'{self.image_html(reading, language)}<figcaption>{html.escape(reading)} '
                f'{html.escape(translate(self.caption, language))}</figcaption></figure>\n'
                f'<script>{script}</script>\n</div>')

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


STATE_SPAN = 1.1      # the range of tanh, and a margin


SURVIVAL_READING = "After {k} steps, {share} of what the cell held at step 1 is still there."


class MemoryExplorer(Explorer):
    """What the LSTM and GRU explorers share: series over time, and the share of the first
    step's memory that survives k steps (always the last panel)."""

    series = {}         # line name -> key of the data dict, plotted against the step t
    reading_kind = "survival"

    def input_line(self, ax):
        """The input x_t, faint and stepped, behind the states it drives."""
        return ax.plot([], [], color=PALETTE["input"], alpha=0.5, drawstyle="steps-mid",
                       label="input $x_t$")[0]

    def survival_panel(self, ax, color):
        """The last panel: the share of step 1's memory still there k steps later."""
        self.style(ax, "memory of step 1 left", "steps later k",
                   "share remaining")
        ax.set_ylim(-0.02, 1.02)
        return ax.plot([], [], color=color, linewidth=2)[0]

    @staticmethod
    def web_survival_panel(color):
        return {"title": "memory of step 1 left", "xlabel": "steps later k",
                "ylim": [-0.02, 1.02],
                "series": [{"key": "survival", "against": "k", "color": color}]}

    @staticmethod
    def web_input_series():
        return {"key": "x", "against": "step", "color": PALETTE["input"], "opacity": 0.5,
                "steps": True, "label": "input xₜ"}

    def draw(self, data):
        t = np.arange(1, len(data["x"]) + 1)
        for name, key in self.series.items():
            self.lines[name].set_data(t, data[key])
        self.lines["survival"].set_data(np.arange(len(data["survival"])), data["survival"])
        for ax in self.axes:
            self.rescale(ax, len(t))
        for ax in self.axes[:-1]:
            # States keep at least the range of tanh on screen, so that scaling a state by a
            # gate shows as a change of height, not of the axis numbers.
            low, high = ax.get_ylim()
            ax.set_ylim(min(low, -STATE_SPAN), max(high, STATE_SPAN))
        self.axes[0].legend(loc="upper right", fontsize=8, frameon=False)

    def reading(self, data, language=ENGLISH):
        k = min(20, len(data["survival"]) - 1)
        return translate(self.reading_template, language).format(
            k=format_number(k, ["int"]), share=format_number(data["survival"][k], ["percent", 1]))

    def web_data(self):
        return {"noise": explore.input_pattern("noise", 200).tolist(), "input_weight": 2.0}


class LSTMGateExplorer(MemoryExplorer):
    """The LSTM's cell state c_t and hidden state h_t for gates you set, or for a real
    one-unit LSTM whose forget gate you push with its bias."""

    kind = "lstm"
    panels = ("cell", "hidden", "survival")
    series = {"input": "x", "cell": "c", "hidden": "h"}
    rows = [["mode"], ["forget", "input_gate", "output_gate"],
            ["forget_bias", "steps", "pattern"]]
    enabled_when = {"forget": ("mode", "held constant"),
                    "input_gate": ("mode", "held constant"),
                    "output_gate": ("mode", "held constant"),
                    "forget_bias": ("mode", "from a real LSTM")}
    alt_text = ("Three plots over time: the input and the cell state c_t, the hidden state h_t, "
                "and the share of the first step's memory left in the cell after k steps.")
    caption = ("Held constant: the gates keep the values you set, and the candidate is "
               "tanh(2 xₜ), an input weight of 2 so that a pulse of 1 writes tanh(2) ≈ 0.96: "
               "cₜ = f cₜ₋₁ + i tanh(2 xₜ) and hₜ = o tanh(cₜ). From a real LSTM: a one-unit "
               "LSTM with random weights (seed 0), with the chosen bias added to its forget "
               "gate.")
    reading_template = SURVIVAL_READING
    web_panels = [
        {"title": "cell state cₜ", "xlabel": "step t", "span": [-STATE_SPAN, STATE_SPAN],
         "series": [MemoryExplorer.web_input_series(),
                    {"key": "c", "against": "step", "color": PALETTE["cell"], "label": "cₜ"}]},
        {"title": "hidden state hₜ", "xlabel": "step t", "span": [-STATE_SPAN, STATE_SPAN],
         "series": [{"key": "h", "against": "step", "color": PALETTE["hidden"]}]},
        MemoryExplorer.web_survival_panel(PALETTE["cell"]),
    ]

    def __init__(self, forget=0.9, input_gate=0.5, output_gate=0.8, steps=40,
                 pattern="pulse"):
        super().__init__([
            Control("mode", "gates", "held constant", kind="toggle",
                    options=("held constant", "from a real LSTM")),
            Control("forget", "forget gate f", forget),
            Control("input_gate", "input gate i", input_gate),
            Control("output_gate", "output gate o", output_gate),
            Control("forget_bias", "forget-gate bias", 1.0, low=-3.0, high=6.0, step=0.5,
                    digits=1),
            steps_control(steps),
            pattern_control(pattern),
        ], (11, 3.2))

    def setup_axes(self):
        cell, hidden, survival = self.axes
        self.style(cell, "cell state $c_t$", "step t", "$c_t$")
        self.style(hidden, "hidden state $h_t$", "step t", "$h_t$")
        return {"input": self.input_line(cell),
                "cell": cell.plot([], [], color=PALETTE["cell"], linewidth=2,
                                  label="$c_t$")[0],
                "hidden": hidden.plot([], [], color=PALETTE["hidden"], linewidth=2)[0],
                "survival": self.survival_panel(survival, PALETTE["cell"])}

    def compute(self, mode, forget, input_gate, output_gate, forget_bias, steps, pattern):
        x = explore.input_pattern(pattern, steps)
        if mode == "from a real LSTM":
            return {"x": x, **explore.lstm_with_forget_bias(forget_bias, x)}
        c, h = explore.constant_gate_lstm(forget, input_gate, output_gate, 2.0 * x)
        return {"x": x, "c": c, "h": h, "survival": explore.memory_survival(forget, steps)}

    def web_data(self):
        layer = LSTM(1, 1, seed=0)       # the weights of explore.lstm_with_forget_bias
        weights = {name.removesuffix("_l0"): value.ravel().tolist()
                   for name, value in layer.params.items()}
        return {**super().web_data(), "one_unit_lstm": weights}


class GRUGateExplorer(MemoryExplorer):
    """A one-unit GRU with its update and reset gates held at values you set."""

    kind = "gru"
    panels = ("hidden", "survival")
    series = {"input": "x", "hidden": "h"}
    alt_text = ("Two plots over time: the input and the GRU's hidden state h_t, and the share "
                "of the first step's state left after k steps.")
    caption = ("The gates keep the values you set, and the candidate reads the input with a "
               "weight of 2: nₜ = tanh(2 xₜ + r hₜ₋₁) and hₜ = (1 − z) nₜ + z hₜ₋₁.")
    reading_template = ("With the update gate held at this value, {share} of the state at "
                        "step 1 is still there {k} steps later.")
    web_panels = [
        {"title": "hidden state hₜ", "xlabel": "step t", "span": [-STATE_SPAN, STATE_SPAN],
         "series": [MemoryExplorer.web_input_series(),
                    {"key": "h", "against": "step", "color": PALETTE["hidden"], "label": "hₜ"}]},
        MemoryExplorer.web_survival_panel(PALETTE["update"]),
    ]

    def __init__(self, update=0.9, reset=0.5, steps=40, pattern="pulse"):
        super().__init__([Control("update", "update gate z", update),
                          Control("reset", "reset gate r", reset),
                          steps_control(steps), pattern_control(pattern)], (9, 3.2))

    def setup_axes(self):
        hidden, survival = self.axes
        self.style(hidden, "hidden state $h_t$", "step t", "$h_t$")
        return {"input": self.input_line(hidden),
                "hidden": hidden.plot([], [], color=PALETTE["hidden"], linewidth=2,
                                      label="$h_t$")[0],
                "survival": self.survival_panel(survival, PALETTE["update"])}

    def compute(self, update, reset, steps, pattern):
        x = explore.input_pattern(pattern, steps)
        return {"x": x, "h": explore.constant_gate_gru(update, reset, x),
                "survival": explore.memory_survival(update, steps)}


class GradientFlowExplorer(Explorer):
    """How far back the gradient reaches, for a chosen spectral radius, length and cell."""

    kind = "flow"
    reading_kind = "flow"
    panels = ("norms",)
    rows = [["spectral_radius", "steps", "nonlinearity"], ["lstm", "forget_bias"]]
    enabled_when = {"nonlinearity": ("lstm", False), "forget_bias": ("lstm", True)}
    alt_text = ("A log-scale plot of the gradient norm against the distance back in time, "
                "relative to its value at distance 0.")
    caption = ("A network of 8 units reads 4 random sequences; the loss is a fixed projection "
               "of its last hidden state. The curve is the norm of the loss's gradient with "
               "respect to the input k steps earlier, relative to k = 0, averaged over the "
               "sequences. The plot's scale runs from 10⁻¹⁴ to 10⁸; the sentence under it "
               "gives the exact value.")
    reading_template = ("{k} steps back the gradient is {ratio} times its size at k = 0: "
                        "it {verdict}.")
    verdicts = {"vanishes": "vanishes", "explodes": "explodes", "survives": "survives"}
    floor, ceiling = 1e-14, 1e8
    web_panels = [{"title": "gradient reaching back in time", "xlabel": "distance k (steps)",
                   "log": True, "ylim": [floor, ceiling], "clip": [floor, ceiling], "rules": [1.0],
                   "series": [{"key": "relative", "against": "distance",
                               "colors": {"rnn": PALETTE["hidden"], "lstm": PALETTE["cell"]},
                               "label": "‖∂L/∂x(T−k)‖, relative"}]}]

    def __init__(self, spectral_radius=1.0, steps=60, nonlinearity="tanh"):
        super().__init__([
            Control("spectral_radius", "spectral radius of W", spectral_radius, low=0.3,
                    high=2.0, step=0.05),
            steps_control(steps, 10, explore.FLOW_SIZES["max_steps"]),
            Control("nonlinearity", "activation", nonlinearity, kind="select",
                    options=explore.RNN_NONLINEARITIES),
            Control("lstm", "use an LSTM instead of the RNN", False, kind="checkbox"),
            Control("forget_bias", "LSTM forget-gate bias", 1.0, low=0.0, high=5.0, step=0.5,
                    digits=1),
        ], (7, 3.4))

    def setup_axes(self):
        (ax,) = self.axes
        self.style(ax, "gradient reaching back in time", "distance k (steps)",
                   r"$\|\partial L/\partial x_{T-k}\|$ relative to k = 0")
        ax.set_yscale("log")
        ax.set_ylim(self.floor, self.ceiling)
        ax.axhline(1.0, color=PALETTE["muted"], linewidth=1)
        return {"norms": ax.plot([], [], linewidth=2)[0]}

    def compute(self, spectral_radius, steps, nonlinearity, lstm, forget_bias):
        cell = "lstm" if lstm else "rnn"
        distance, relative = explore.gradient_flow(cell, spectral_radius, steps, nonlinearity,
                                                   forget_bias)
        return {"distance": distance, "relative": relative, "cell": cell}

    def draw(self, data):
        line = self.lines["norms"]
        line.set_data(data["distance"], np.clip(data["relative"], self.floor, self.ceiling))
        line.set_color(PALETTE["cell"] if data["cell"] == "lstm" else PALETTE["hidden"])
        self.axes[0].set_xlim(0, len(data["distance"]) - 1)

    def reading(self, data, language=ENGLISH):
        k = len(data["relative"]) - 1
        ratio = data["relative"][k]
        verdict = self.verdicts["vanishes" if ratio < 1e-3 else "explodes" if ratio > 1e3
                                else "survives"]
        return translate(self.reading_template, language).format(
            k=format_number(k, ["int"]), verdict=translate(verdict, language),
            ratio=format_number(ratio, ["exp", 1]))

    def web_texts(self, language):
        return {"verdicts": {key: translate(verdict, language)
                             for key, verdict in self.verdicts.items()}}

    def web_data(self):
        setup = explore.flow_setup()
        return {"flow": {"x": setup["x"].tolist(), "v": setup["v"].tolist(),
                         **{cell: {k: np.asarray(v).tolist() for k, v in setup[cell].items()}
                            for cell in explore.GRADIENT_CELLS}}}
