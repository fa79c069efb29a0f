"""Gate explorers: sliders that move an LSTM's or a GRU's gates, or a recurrent matrix's
spectral radius, and plots that follow.

Each explorer takes its numbers from a plain function of :mod:`rnncourse.explore` and, on every
change, updates the data of the lines it drew once (it does not rebuild the figure). Display
one in a notebook by making it the last expression of a cell::

    from rnncourse.widgets import LSTMGateExplorer
    LSTMGateExplorer()
"""

import base64
import html
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from . import explore
from .plotting import PALETTE

SLIDER_STYLE = {"description_width": "150px"}
CHOICE_STYLE = {"description_width": "90px"}
SLIDER_LAYOUT = widgets.Layout(width="330px")
ROW_LAYOUT = widgets.Layout(flex_flow="row wrap")


def gate_slider(description, value):
    return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.01,
                               description=description, style=SLIDER_STYLE,
                               layout=SLIDER_LAYOUT, continuous_update=False)


def steps_slider(value=40, low=5, high=200):
    return widgets.IntSlider(value=value, min=low, max=high, step=5,
                             description="length T (steps)", style=SLIDER_STYLE,
                             layout=SLIDER_LAYOUT, continuous_update=False)


def pattern_dropdown(value="pulse"):
    return widgets.Dropdown(options=list(explore.INPUT_PATTERNS), value=value,
                            description="input x_t", style=CHOICE_STYLE,
                            layout=widgets.Layout(width="230px"))


class Explorer:
    """Controls, a figure, and a one-line reading under it.

    Subclasses set ``controls`` (name -> widget) and implement ``compute(**values)`` (the
    numbers, from rnncourse.explore), ``draw(data)`` (update the lines) and ``reading(data)``
    (a sentence about the current numbers). The figure is sent to the page as a PNG inside an
    HTML widget, with ``alt_text`` describing it for readers who cannot see it.
    """

    caption = ""
    alt_text = ""
    rows = None         # names of the controls on each row; None puts them three to a row

    def __init__(self, controls, figure_size):
        self.controls = controls
        self.fig, self.axes = plt.subplots(1, len(self.panels), figsize=figure_size, dpi=80,
                                           layout="constrained", squeeze=False)
        self.axes = self.axes[0]
        plt.close(self.fig)              # shown only through figure_view, never by the backend
        self.canvas = FigureCanvasAgg(self.fig)
        self.lines = self.setup_axes()
        self.figure_view = widgets.HTML()
        self.summary = widgets.HTML()
        names = list(controls)
        layout = self.rows or [names[k:k + 3] for k in range(0, len(names), 3)]
        rows = [widgets.HBox([controls[name] for name in row], layout=ROW_LAYOUT)
                for row in layout]
        note = widgets.HTML(f"<small>{self.caption} The sliders respond when this notebook "
                            "runs in Jupyter (use the launch or download button at the top of "
                            "the page); on the website they show their starting values.</small>")
        self.widget = widgets.VBox([*rows, self.figure_view, self.summary, note])
        for control in controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()
        # The first drawing placed the panels; keeping that layout makes every later drawing
        # about twice as fast.
        self.fig.set_layout_engine("none")

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, change=None):
        """Recompute the numbers for the current control values and redraw the lines."""
        self.data = self.compute(**self.values())
        self.draw(self.data)
        reading = self.reading(self.data)
        png = base64.b64encode(self.render_png()).decode("ascii")
        alt = html.escape(f"{self.alt_text} {reading}", quote=True)
        self.figure_view.value = (f'<img src="data:image/png;base64,{png}" alt="{alt}" '
                                  'style="max-width: 100%; height: auto;">')
        self.summary.value = f"<p>{reading}</p>"

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
        return self.widget._repr_mimebundle_(**kwargs)

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


class MemoryExplorer(Explorer):
    """What the LSTM and GRU explorers share: series over time, and the share of the first
    step's memory that survives k steps (always the last panel)."""

    series = {}         # line name -> key of the data dict, plotted against the step t

    def input_line(self, ax):
        """The input x_t, faint and stepped, behind the states it drives."""
        return ax.plot([], [], color=PALETTE["input"], alpha=0.5, drawstyle="steps-mid",
                       label="input $x_t$")[0]

    def survival_panel(self, ax, state, color):
        """The last panel: the share of step 1's memory still in ``state`` k steps later."""
        self.style(ax, f"memory of step 1 still in the {state}", "steps later k",
                   "share remaining")
        ax.set_ylim(-0.02, 1.02)
        return ax.plot([], [], color=color, linewidth=2)[0]

    def draw(self, data):
        t = np.arange(1, len(data["x"]) + 1)
        for name, key in self.series.items():
            self.lines[name].set_data(t, data[key])
        self.lines["survival"].set_data(np.arange(len(data["survival"])), data["survival"])
        for ax in self.axes:
            self.rescale(ax, len(t))
        self.axes[0].legend(loc="upper right", fontsize=8, frameon=False)


class LSTMGateExplorer(MemoryExplorer):
    """The LSTM's cell state c_t and hidden state h_t for gates you set, or for a real
    one-unit LSTM whose forget gate you push with its bias."""

    panels = ("cell", "hidden", "survival")
    series = {"input": "x", "cell": "c", "hidden": "h"}
    rows = [["mode"], ["forget", "input_gate", "output_gate"],
            ["forget_bias", "steps", "pattern"]]
    alt_text = ("Three plots over time: the input and the cell state c_t, the hidden state h_t, "
                "and the share of the first step's memory left in the cell after k steps.")
    caption = ("Held constant: the cell computes c_t = f c_{t-1} + i tanh(2 x_t) and "
               "h_t = o tanh(c_t). From a real LSTM: a one-unit LSTM with random weights, with "
               "the chosen bias added to its forget gate.")

    def __init__(self, forget=0.9, input_gate=0.5, output_gate=0.8, steps=40,
                 pattern="pulse"):
        controls = {
            "mode": widgets.ToggleButtons(options=["held constant", "from a real LSTM"],
                                          description="gates", style=SLIDER_STYLE),
            "forget": gate_slider("forget gate f", forget),
            "input_gate": gate_slider("input gate i", input_gate),
            "output_gate": gate_slider("output gate o", output_gate),
            "forget_bias": widgets.FloatSlider(value=1.0, min=-3.0, max=6.0, step=0.5,
                                               description="forget-gate bias",
                                               style=SLIDER_STYLE, layout=SLIDER_LAYOUT,
                                               continuous_update=False, disabled=True),
            "steps": steps_slider(steps),
            "pattern": pattern_dropdown(pattern),
        }
        controls["mode"].observe(self._switch_mode, names="value")
        super().__init__(controls, (11, 3.2))

    def _switch_mode(self, change):
        real = change["new"] == "from a real LSTM"
        for name in ("forget", "input_gate", "output_gate"):
            self.controls[name].disabled = real
        self.controls["forget_bias"].disabled = not real

    def setup_axes(self):
        cell, hidden, survival = self.axes
        self.style(cell, "cell state $c_t$", "step t", "$c_t$")
        self.style(hidden, "hidden state $h_t$", "step t", "$h_t$")
        return {"input": self.input_line(cell),
                "cell": cell.plot([], [], color=PALETTE["cell"], linewidth=2,
                                  label="$c_t$")[0],
                "hidden": hidden.plot([], [], color=PALETTE["hidden"], linewidth=2)[0],
                "survival": self.survival_panel(survival, "cell", PALETTE["cell"])}

    def compute(self, mode, forget, input_gate, output_gate, forget_bias, steps, pattern):
        x = explore.input_pattern(pattern, steps)
        if mode == "from a real LSTM":
            return {"x": x, **explore.lstm_with_forget_bias(forget_bias, x)}
        c, h = explore.constant_gate_lstm(forget, input_gate, output_gate, 2.0 * x)
        return {"x": x, "c": c, "h": h, "survival": explore.memory_survival(forget, steps)}

    def reading(self, data):
        k = min(20, len(data["survival"]) - 1)
        return (f"After {k} steps, {data['survival'][k]:.1%} of what the cell held at step 1 "
                f"is still there.")


class GRUGateExplorer(MemoryExplorer):
    """A one-unit GRU with its update and reset gates held at values you set."""

    panels = ("hidden", "survival")
    series = {"input": "x", "hidden": "h"}
    alt_text = ("Two plots over time: the input and the GRU's hidden state h_t, and the share "
                "of the first step's state left after k steps.")
    caption = ("The cell computes n_t = tanh(2 x_t + r h_{t-1}) and "
               "h_t = (1 - z) n_t + z h_{t-1}.")

    def __init__(self, update=0.9, reset=0.5, steps=40, pattern="pulse"):
        controls = {"update": gate_slider("update gate z", update),
                    "reset": gate_slider("reset gate r", reset),
                    "steps": steps_slider(steps),
                    "pattern": pattern_dropdown(pattern)}
        super().__init__(controls, (9, 3.2))

    def setup_axes(self):
        hidden, survival = self.axes
        self.style(hidden, "hidden state $h_t$", "step t", "$h_t$")
        return {"input": self.input_line(hidden),
                "hidden": hidden.plot([], [], color=PALETTE["hidden"], linewidth=2,
                                      label="$h_t$")[0],
                "survival": self.survival_panel(survival, "state", PALETTE["update"])}

    def compute(self, update, reset, steps, pattern):
        x = explore.input_pattern(pattern, steps)
        return {"x": x, "h": explore.constant_gate_gru(update, reset, x),
                "survival": explore.memory_survival(update, steps)}

    def reading(self, data):
        k = min(20, len(data["survival"]) - 1)
        return (f"With the update gate held at this value, {data['survival'][k]:.1%} of the "
                f"state at step 1 is still there {k} steps later.")


class GradientFlowExplorer(Explorer):
    """How far back the gradient reaches, for a chosen spectral radius, length and cell."""

    panels = ("norms",)
    rows = [["spectral_radius", "steps", "nonlinearity"], ["lstm", "forget_bias"]]
    alt_text = ("A log-scale plot of the gradient norm against the distance back in time, "
                "relative to its value at distance 0.")
    caption = ("The loss is a fixed projection of the last hidden state; the curve is the norm "
               "of its gradient with respect to the input k steps earlier, relative to k = 0, "
               "averaged over 16 random sequences.")
    floor, ceiling = 1e-14, 1e8

    def __init__(self, spectral_radius=1.0, steps=60, nonlinearity="tanh"):
        controls = {
            "spectral_radius": widgets.FloatSlider(
                value=spectral_radius, min=0.3, max=2.0, step=0.05,
                description="spectral radius of W", style=SLIDER_STYLE, layout=SLIDER_LAYOUT,
                continuous_update=False),
            "steps": steps_slider(steps, 10, 200),
            "nonlinearity": widgets.Dropdown(options=list(explore.RNN_NONLINEARITIES),
                                             value=nonlinearity, description="activation",
                                             style=CHOICE_STYLE,
                                             layout=widgets.Layout(width="230px")),
            "lstm": widgets.Checkbox(value=False, description="use an LSTM instead",
                                     style=SLIDER_STYLE),
            "forget_bias": widgets.FloatSlider(value=1.0, min=0.0, max=5.0, step=0.5,
                                               description="LSTM forget-gate bias",
                                               style=SLIDER_STYLE, layout=SLIDER_LAYOUT,
                                               continuous_update=False, disabled=True),
        }
        controls["lstm"].observe(self._switch_cell, names="value")
        super().__init__(controls, (7, 3.4))

    def _switch_cell(self, change):
        self.controls["nonlinearity"].disabled = change["new"]
        self.controls["forget_bias"].disabled = not change["new"]

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
        distance, norms = explore.gradient_norms(cell, spectral_radius, steps, nonlinearity,
                                                 forget_bias)
        return {"distance": distance, "relative": norms / norms[0], "cell": cell}

    def draw(self, data):
        line = self.lines["norms"]
        line.set_data(data["distance"], np.clip(data["relative"], self.floor, self.ceiling))
        line.set_color(PALETTE["cell"] if data["cell"] == "lstm" else PALETTE["hidden"])
        self.axes[0].set_xlim(0, len(data["distance"]) - 1)

    def reading(self, data):
        k = len(data["relative"]) - 1
        ratio = data["relative"][k]
        verdict = "vanishes" if ratio < 1e-3 else "explodes" if ratio > 1e3 else "survives"
        return (f"{k} steps back the gradient is {ratio:.1e} times its size at k = 0: it "
                f"{verdict}.")
