"""The gate explorers: an LSTM's and a GRU's gates held at values the reader sets, and the
gradient reaching back through a recurrent matrix of a chosen spectral radius.

Display one by making it the last expression of a cell::

    from rnncourse.explorers import LSTMGateExplorer
    LSTMGateExplorer()
"""

import numpy as np

from rnncore.layers import LSTM

from ..book.plotting import PALETTE
from ..site.i18n import ENGLISH, translate
from . import maths
from .explorer import Control, Explorer, format_number, pattern_control, steps_control

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
        return {"noise": maths.input_pattern("noise", 200).tolist(), "input_weight": 2.0}


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
        x = maths.input_pattern(pattern, steps)
        if mode == "from a real LSTM":
            return {"x": x, **maths.lstm_with_forget_bias(forget_bias, x)}
        c, h = maths.constant_gate_lstm(forget, input_gate, output_gate, 2.0 * x)
        return {"x": x, "c": c, "h": h, "survival": maths.memory_survival(forget, steps)}

    def web_data(self):
        layer = LSTM(1, 1, seed=0)       # the weights of maths.lstm_with_forget_bias
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
        x = maths.input_pattern(pattern, steps)
        return {"x": x, "h": maths.constant_gate_gru(update, reset, x),
                "survival": maths.memory_survival(update, steps)}


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
            steps_control(steps, 10, maths.FLOW_SIZES["max_steps"]),
            Control("nonlinearity", "activation", nonlinearity, kind="select",
                    options=maths.RNN_NONLINEARITIES),
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
        distance, relative = maths.gradient_flow(cell, spectral_radius, steps, nonlinearity,
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
        setup = maths.flow_setup()
        return {"flow": {"x": setup["x"].tolist(), "v": setup["v"].tolist(),
                         **{cell: {k: np.asarray(v).tolist() for k, v in setup[cell].items()}
                            for cell in maths.GRADIENT_CELLS}}}
