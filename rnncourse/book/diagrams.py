"""The course's architecture figures, drawn with matplotlib in one visual language.

Inputs are blue, hidden states orange, outputs green, the LSTM cell state purple, gates
yellow; a second direction or the decoder is drawn in red. Weight matrices use the article's
names: U (input to hidden), W (hidden to hidden) and V (hidden to output).

Every function returns a new ``matplotlib.figure.Figure``.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .plotting import PALETTE, tint

NODE_W, NODE_H = 0.9, 0.6


def _canvas(width, height, scale=1.0):
    fig, ax = plt.subplots(figsize=(width * scale, height * scale))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig, ax


def _node(ax, xy, label, kind, width=NODE_W, height=NODE_H, muted=False, fontsize=13):
    """A rounded box centred on xy, coloured by what it holds (input, hidden, output, ...)."""
    color = PALETTE["muted"] if muted else PALETTE[kind]
    box = FancyBboxPatch((xy[0] - width / 2, xy[1] - height / 2), width, height,
                         boxstyle="round,pad=0.02,rounding_size=0.12",
                         facecolor=tint(color), edgecolor=color, linewidth=1.8, zorder=3)
    ax.add_patch(box)
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4,
            color=PALETTE["muted_ink"] if muted else PALETTE["ink"])
    return box


def _op(ax, xy, symbol, kind="ink", muted=False, radius=None):
    """A pointwise operation (x, +, 1-) as a small circle, wide enough for its symbol."""
    radius = radius or (0.2 if len(symbol) == 1 else 0.27)
    color = PALETTE["muted"] if muted else PALETTE[kind]
    ax.add_patch(Circle(xy, radius, facecolor="white", edgecolor=color, linewidth=1.6,
                        zorder=3))
    ax.text(*xy, symbol, ha="center", va="center", fontsize=11, zorder=4,
            color=PALETTE["muted_ink"] if muted else PALETTE["ink"])


def _arrow(ax, start, end, label=None, kind="ink", muted=False, rad=0.0, label_offset=(0, 0),
           shrink=0.0, width=1.5, fontsize=12):
    """An arrow from start to end, optionally labelled at its middle (a weight name)."""
    color = PALETTE["muted"] if muted else PALETTE[kind]
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                 connectionstyle=f"arc3,rad={rad}", color=color,
                                 linewidth=width, shrinkA=shrink, shrinkB=shrink, zorder=2))
    if label:
        mid = ((start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1])
        ax.text(*mid, label, ha="center", va="center", fontsize=fontsize, color=color, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


def _line(ax, points, kind="ink", muted=False, width=1.5):
    """A polyline without arrowhead (a wire that splits or merges)."""
    color = PALETTE["muted"] if muted else PALETTE[kind]
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, linewidth=width, zorder=2, solid_capstyle="round")


def _edge(xy, side, width=NODE_W, height=NODE_H):
    """The middle of one side of a node centred on xy."""
    dx, dy = {"top": (0, height / 2), "bottom": (0, -height / 2),
              "left": (-width / 2, 0), "right": (width / 2, 0)}[side]
    return (xy[0] + dx, xy[1] + dy)


def _time_label(t):
    return "t" if t == 0 else f"t{t:+d}"


def unrolled_rnn(steps=3, narrow=False):
    """The folded RNN (one cell with a loop) beside the same network unrolled over time;
    narrow: the folded cell above the unrolled one."""
    first = 1.6 if narrow else 5.8
    width = first + 2.0 * (steps - 1) + (1.6 if narrow else 2.4)
    base = 0.0
    if narrow:
        fig, ax = _canvas(width, 9.0)
        base, fold_x = 4.7, 2.2           # the folded cell sits above the unrolled one
        ax.text(fold_x + 2.2, base + 2.2, "unroll\n$\\Downarrow$", ha="center", va="center",
                fontsize=14, color=PALETTE["ink"])
    else:
        fig, ax = _canvas(width, 4.4)
        fold_x = 1.2
        ax.text(3.0, 2.2, "unroll\n$\\Longrightarrow$", ha="center", va="center", fontsize=12,
                color=PALETTE["ink"])
    # Folded: x -> h -> o, with W as a loop on h.
    x, h, o = (fold_x, base + 0.8), (fold_x, base + 2.2), (fold_x, base + 3.6)
    _node(ax, x, "$x$", "input")
    _node(ax, h, "$h$", "hidden")
    _node(ax, o, "$o$", "output")
    _arrow(ax, _edge(x, "top"), _edge(h, "bottom"), "$U$", "input", label_offset=(-0.25, 0))
    _arrow(ax, _edge(h, "top"), _edge(o, "bottom"), "$V$", "output", label_offset=(-0.25, 0))
    _arrow(ax, (h[0] + NODE_W / 2, h[1] + 0.12), (h[0] + NODE_W / 2, h[1] - 0.12), "$W$",
           "hidden", rad=-2.6, label_offset=(0.75, 0))
    centres = [first + 2.0 * k for k in range(steps)]
    offsets = [k - (steps - 1) // 2 for k in range(steps)]
    for cx, t in zip(centres, offsets):
        lab = _time_label(t)
        _node(ax, (cx, 0.8), f"$x_{{{lab}}}$", "input")
        _node(ax, (cx, 2.2), f"$h_{{{lab}}}$", "hidden")
        _node(ax, (cx, 3.6), f"$o_{{{lab}}}$", "output")
        _arrow(ax, (cx, 1.1), (cx, 1.9), "$U$", "input", label_offset=(-0.25, 0))
        _arrow(ax, (cx, 2.5), (cx, 3.3), "$V$", "output", label_offset=(-0.25, 0))
    for left, right in zip([centres[0] - 1.6] + centres, centres + [centres[-1] + 1.6]):
        _arrow(ax, (left + (NODE_W / 2 if left in centres else 0), 2.2),
               (right - (NODE_W / 2 if right in centres else 0), 2.2), "$W$", "hidden",
               label_offset=(0, 0.25))
    ax.text(centres[0] - 1.85, 2.2, "...", ha="center", va="center", fontsize=14)
    ax.text(centres[-1] + 1.85, 2.2, "...", ha="center", va="center", fontsize=14)
    return fig


def bidirectional_rnn(steps=4, narrow=False):
    """A forward chain and a backward chain of hidden states, both feeding every output;
    narrow: three steps."""
    steps = 3 if narrow else steps
    width = 1.0 + 2.0 * steps
    fig, ax = _canvas(width, 5.2)
    centres = [1.5 + 2.0 * k for k in range(steps)]
    for k, cx in enumerate(centres):
        _node(ax, (cx, 0.6), f"$x_{k + 1}$", "input")
        _node(ax, (cx, 1.9), f"$\\overrightarrow{{h}}_{k + 1}$", "hidden")
        _node(ax, (cx, 3.2), f"$\\overleftarrow{{h}}_{k + 1}$", "reverse")
        _node(ax, (cx, 4.5), f"$o_{k + 1}$", "output")
        _arrow(ax, (cx, 0.9), (cx, 1.6), kind="input")
        # The input's way to the backward state, and the forward state's way to the output,
        # bend round the box they pass.
        _arrow(ax, (cx - 0.3, 0.9), (cx - 0.3, 2.9), kind="input", rad=-0.45)
        _arrow(ax, (cx + 0.3, 2.2), (cx + 0.3, 4.2), kind="hidden", rad=0.45)
        _arrow(ax, (cx, 3.5), (cx, 4.2), kind="reverse")
    for left, right in zip(centres, centres[1:]):
        _arrow(ax, (left + NODE_W / 2, 1.9), (right - NODE_W / 2, 1.9), "$W$", "hidden",
               label_offset=(0, 0.22))
        _arrow(ax, (right - NODE_W / 2, 3.2), (left + NODE_W / 2, 3.2), "$W'$", "reverse",
               label_offset=(0, 0.22))
    return fig


def deep_rnn(steps=3, layers=3, narrow=False):
    """Stacked recurrent layers: each layer's hidden states are the next layer's inputs (the
    same drawing in a narrow column)."""
    first = 2.3 if narrow else 1.8       # room for the layer names at the left
    width = first - 0.2 + 2.0 * steps
    height = 1.6 + 1.35 * (layers + 1)
    fig, ax = _canvas(width, height)
    centres = [first + 2.0 * k for k in range(steps)]
    rows = [0.7 + 1.35 * k for k in range(layers + 2)]
    for k, cx in enumerate(centres):
        _node(ax, (cx, rows[0]), f"$x_{k + 1}$", "input")
        for layer in range(1, layers + 1):
            _node(ax, (cx, rows[layer]), f"$h^{{({layer})}}_{k + 1}$", "hidden")
            _arrow(ax, (cx, rows[layer - 1] + NODE_H / 2), (cx, rows[layer] - NODE_H / 2),
                   kind="input" if layer == 1 else "hidden")
        _node(ax, (cx, rows[-1]), f"$o_{k + 1}$", "output")
        _arrow(ax, (cx, rows[-2] + NODE_H / 2), (cx, rows[-1] - NODE_H / 2), kind="output")
    for layer in range(1, layers + 1):
        ax.text(0.35, rows[layer], f"layer {layer}", ha="left", va="center", fontsize=10,
                color=PALETTE["muted_ink"])
        for left, right in zip(centres, centres[1:]):
            _arrow(ax, (left + NODE_W / 2, rows[layer]), (right - NODE_W / 2, rows[layer]),
                   kind="hidden")
    return fig


def _pattern_panel(ax, origin, title, inputs, outputs, decoder_from=None):
    """One input/output pattern: which steps read an input and which emit an output."""
    ox, oy = origin
    steps = len(inputs)
    centres = [ox + 0.7 + 1.25 * k for k in range(steps)]
    ax.text(ox + 0.1, oy + 3.55, title, ha="left", va="center", fontsize=12, weight="bold",
            color=PALETTE["ink"])
    for k, cx in enumerate(centres):
        decoding = decoder_from is not None and k >= decoder_from
        _node(ax, (cx, oy + 1.6), "$h$", "reverse" if decoding else "hidden", width=0.7,
              height=0.5)
        if inputs[k]:
            _node(ax, (cx, oy + 0.45), inputs[k], "input", width=0.7, height=0.5, fontsize=11)
            _arrow(ax, (cx, oy + 0.7), (cx, oy + 1.35), kind="input")
        if outputs[k]:
            _node(ax, (cx, oy + 2.75), outputs[k], "output", width=0.7, height=0.5,
                  fontsize=11)
            _arrow(ax, (cx, oy + 1.85), (cx, oy + 2.5), kind="output")
    for left, right in zip(centres, centres[1:]):
        kind = "reverse" if decoder_from is not None and right >= centres[decoder_from] \
            else "hidden"
        _arrow(ax, (left + 0.35, oy + 1.6), (right - 0.35, oy + 1.6), kind=kind)


def io_patterns(narrow=False):
    """The four ways to line up inputs and outputs: N-to-1, 1-to-N, N-to-N, N-to-M, in a
    2 x 2 grid, or one above the other (narrow)."""
    x = [f"$x_{k}$" for k in range(1, 5)]
    y = [f"$y_{k}$" for k in range(1, 5)]
    panels = [("N to 1: one answer", x, [None, None, None, "$y$"], None),
              ("1 to N: a sequence out", ["$x$", None, None, None], y, None),
              ("N to N: an output per input", x, y, None),
              ("N to M: encoder, decoder", x[:3] + [None, None],
               [None, None, None, "$y_1$", "$y_2$"], 3)]
    if narrow:
        fig, ax = _canvas(6.6, 4.2 * len(panels))
        origins = [(0.0, 4.2 * (len(panels) - 1 - k)) for k in range(len(panels))]
    else:
        fig, ax = _canvas(14.0, 8.4, scale=0.8)
        origins = [(0.2, 4.4), (7.2, 4.4), (0.2, 0.2), (7.2, 0.2)]
    for (title, inputs, outputs, decoder_from), origin in zip(panels, origins):
        _pattern_panel(ax, origin, title, inputs, outputs, decoder_from)
    ox, oy = origins[3]
    ax.text(ox + 0.7 + 1.25 * 2.5, oy + 1.28, "context", ha="center", va="top", fontsize=11,
            color=PALETTE["reverse"])
    return fig


def lstm_cell(highlight=None, narrow=False):
    """The LSTM cell. highlight: None, "forget", "input", "output" or "cell" (the c line).
    narrow: the variant for a phone's column (wider boxes, smaller type, gate names beside
    the wires that feed them)."""
    choices = (None, "forget", "input", "output", "cell")
    if highlight not in choices:
        raise ValueError(f"highlight: expected one of {choices}, got {highlight!r}")
    fig, ax = _canvas(10.0, 5.6)
    big, small = (11, 10) if narrow else (13, 12)
    box = 1.1 if narrow else 0.8
    dim = {part: highlight is not None and highlight != part
           for part in ("forget", "input", "output", "cell")}
    # Cell state: the line along the top, touched only by x (forget) and + (input).
    c_y, bus_y = 4.3, 1.2
    gate_x = {"f": 3.0, "i": 4.3, "g": 5.6, "o": 7.0} if narrow else \
        {"f": 3.2, "i": 4.4, "g": 5.6, "o": 7.0}
    plus_x = (gate_x["i"] + gate_x["g"]) / 2 if narrow else 5.2
    out_x = 8.2 if narrow else 7.9
    cell_muted = highlight not in (None, "cell", "forget", "input")
    ax.add_patch(FancyBboxPatch((1.3, 0.5), 7.4 if not narrow else 7.75, 4.5,
                                boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="#FAFAFA", edgecolor=PALETTE["muted"], linewidth=1.2,
                                zorder=0))
    _arrow(ax, (0.2, c_y), (gate_x["f"] - 0.2, c_y), kind="cell", muted=cell_muted, width=2.4)
    _op(ax, (gate_x["f"], c_y), "×", "forget", muted=dim["forget"])
    _arrow(ax, (gate_x["f"] + 0.2, c_y), (plus_x - 0.2, c_y), kind="cell", muted=cell_muted,
           width=2.4)
    _op(ax, (plus_x, c_y), "+", "input", muted=dim["input"])
    _arrow(ax, (plus_x + 0.2, c_y), (9.8, c_y), kind="cell", muted=cell_muted, width=2.4)
    ax.text(0.25, c_y + 0.3, "$c_{t-1}$", fontsize=big, color=PALETTE["cell"])
    ax.text(9.3, c_y + 0.3, "$c_t$", fontsize=big, color=PALETTE["cell"])
    # The bus carrying [h_{t-1}, x_t] to the four gate layers.
    _line(ax, [(0.2, bus_y), (gate_x["o"] + 0.2, bus_y)], muted=highlight == "cell")
    ax.text(0.25, bus_y - 0.4, "$h_{t-1}$", fontsize=big, color=PALETTE["hidden"])
    _arrow(ax, (2.0, 0.0), (2.0, bus_y), kind="input", muted=highlight == "cell")
    ax.text(2.15, 0.1, "$x_t$", fontsize=big, color=PALETTE["input"])
    gates = [("forget", "f", r"$\sigma$", "$f_t$"), ("input", "i", r"$\sigma$", "$i_t$"),
             ("input", "g", r"$\tanh$", "$g_t$"), ("output", "o", r"$\sigma$", "$o_t$")]
    for part, key, fn, name in gates:
        gx = gate_x[key]
        muted = dim[part] or highlight == "cell"
        _arrow(ax, (gx, bus_y), (gx, 2.05), kind="ink", muted=muted)
        _node(ax, (gx, 2.35), fn, "gate", width=box, height=0.55, muted=muted, fontsize=small)
        name_xy = (gx + 0.16, 1.62) if narrow else (gx + 0.45, 2.85)
        ax.text(*name_xy, name, fontsize=small, va="center" if narrow else "baseline",
                color=PALETTE["muted_ink" if muted else "ink"])
    # forget: f -> x on the c line
    _arrow(ax, (gate_x["f"], 2.63), (gate_x["f"], c_y - 0.2), kind="forget",
           muted=dim["forget"])
    # input: i and g meet at x, then + on the c line
    _op(ax, (plus_x - 0.2 if not narrow else plus_x, 3.35), "×", "input", muted=dim["input"])
    times_x = plus_x - 0.2 if not narrow else plus_x
    _line(ax, [(gate_x["i"], 2.63), (gate_x["i"], 3.35), (times_x - 0.2, 3.35)], kind="input",
          muted=dim["input"])
    _line(ax, [(gate_x["g"], 2.63), (gate_x["g"], 3.35), (times_x + 0.2, 3.35)], kind="input",
          muted=dim["input"])
    _arrow(ax, (times_x + 0.05, 3.55), (plus_x - 0.05, c_y - 0.2), kind="input",
           muted=dim["input"])
    # output: tanh(c_t) times o_t gives h_t
    out_muted = dim["output"]
    _line(ax, [(out_x, c_y), (out_x, 3.7)], kind="cell", muted=out_muted)
    _node(ax, (out_x, 3.4), r"$\tanh$", "gate", width=box if narrow else 0.75, height=0.45,
          muted=out_muted, fontsize=small if narrow else 11)
    _op(ax, (out_x, 2.35), "×", "output", muted=out_muted)
    _line(ax, [(out_x, 3.17), (out_x, 2.55)], kind="cell", muted=out_muted)
    _line(ax, [(gate_x["o"] + box / 2, 2.35), (out_x - 0.2, 2.35)], kind="output",
          muted=out_muted)
    exit_x = out_x + 0.5
    _line(ax, [(out_x + 0.2, 2.35), (exit_x, 2.35), (exit_x, bus_y)], kind="hidden",
          muted=out_muted)
    _arrow(ax, (exit_x, bus_y), (9.8, bus_y), kind="hidden", muted=out_muted)
    _arrow(ax, (exit_x, 2.35), (exit_x + 0.6, 5.4), kind="hidden", muted=out_muted, rad=-0.2)
    ax.text(9.3, bus_y - 0.4, "$h_t$", fontsize=big, color=PALETTE["hidden"])
    ax.text(exit_x + 0.75, 5.25, "$h_t$", fontsize=big, color=PALETTE["hidden"])
    return fig


def lstm_gradient_paths(narrow=False):
    """The two ways the gradient of c_{t+1} reaches back to c_{t-1}: along the cell state
    through the forget gates (the direct path), and through h and the gates (indirect).
    Time runs from left to right, or (narrow) from the bottom up."""
    steps = ("t-1", "t", "t+1")
    if narrow:
        fig, ax = _canvas(6.0, 11.4)
        at = {"t-1": 2.6, "t": 6.0, "t+1": 9.4}          # time, bottom to top

        def place(level, time):                         # level: 0 cell, 1 gates, 2 hidden
            return ((2.2, 3.7, 5.0)[level], time)
        edge = {"next": "top", "previous": "bottom", "out": "right", "in": "left"}
    else:
        fig, ax = _canvas(10.0, 5.2)
        at = {"t-1": 1.0, "t": 5.0, "t+1": 9.0}

        def place(level, time):
            return (time, (4.2, 2.95, 1.7)[level])
        edge = {"next": "right", "previous": "left", "out": "bottom", "in": "top"}
    for name in steps:
        _node(ax, place(0, at[name]), f"$c_{{{name}}}$", "cell", width=1.0)
    for name in steps[:2]:
        _node(ax, place(2, at[name]), f"$h_{{{name}}}$", "hidden", width=1.0)
    # The direct path: from each cell state to the one before, scaled by that step's f.
    for later, earlier, f in (("t+1", "t", "f_{t+1}"), ("t", "t-1", "f_t")):
        _arrow(ax, _edge(place(0, at[later]), edge["previous"], width=1.0),
               _edge(place(0, at[earlier]), edge["next"], width=1.0), kind="cell", width=2.6,
               label=rf"$\mathrm{{diag}}({f})$", label_offset=(-1.15, 0) if narrow else (0, 0.3),
               fontsize=12)
    # The indirect path: c_s feeds the gates of step s through h_{s-1}.
    box_w, box_h = (1.5, 0.9) if narrow else (1.7, 0.5)
    for later, earlier in (("t+1", "t"), ("t", "t-1")):
        gates = place(1, (at[later] + at[earlier]) / 2)
        label = f"gates\nof ${later}$" if narrow else f"gates of ${later}$"
        _node(ax, gates, label, "gate", width=box_w, height=box_h, fontsize=11)
        towards = (gates[0], gates[1] + box_h / 2) if narrow else \
            (gates[0] + 0.55, gates[1] + box_h / 2)
        away = (gates[0] + 0.45, gates[1] - box_h / 2) if narrow else \
            (gates[0] - 0.55, gates[1] - box_h / 2)
        _arrow(ax, _edge(place(0, at[later]), edge["out"], width=1.0), towards, kind="hidden",
               label=f"$M_{{{later}}}$", fontsize=11,
               # below the arrow, clear of the D arrow that rises into the same cell state
               label_offset=(0.6, 0.2) if narrow else (0.25, -0.3))
        _arrow(ax, away, _edge(place(2, at[earlier]), edge["in"], width=1.0), kind="hidden")
        _arrow(ax, _edge(place(2, at[earlier]), edge["in"] if not narrow else "left",
                         width=1.0),
               _edge(place(0, at[earlier]), edge["out"], width=1.0), kind="hidden",
               label=f"$D_{{{earlier}}}$", label_offset=(0, 0.3) if narrow else (0.35, 0),
               fontsize=11)
    flow = "gradient flows\ntop to bottom" if narrow else "gradient flows\nright to left"
    ax.text(*(place(2, at["t+1"]) if narrow else (9.0, 1.95)), flow, ha="center",
            va="center", fontsize=11, color=PALETTE["ink"])
    legend = [("cell", 2.6, "direct path: a product of forget\ngates, no weight matrix"),
              ("hidden", 1.5, "indirect: through $h$ and the gates")]
    for k, (kind, width, text) in enumerate(legend):
        x0, y0 = (0.2, 1.2 - 0.95 * k) if narrow else (0.3, 0.75 - 0.5 * k)
        _line(ax, [(x0, y0), (x0 + 0.6, y0)], kind=kind, width=width)
        ax.text(x0 + 0.75, y0, text if narrow else text.replace("\n", " "), va="center",
                fontsize=11)
    return fig


def gru_cell(highlight=None, reset_after=True, narrow=False):
    """The GRU cell. highlight: None, "reset" or "update". reset_after: where the reset gate
    acts on the previous state's path to the candidate: after the product with W_hn (True,
    PyTorch's formula) or before it (False). narrow: the variant for a phone's column."""
    choices = (None, "reset", "update")
    if highlight not in choices:
        raise ValueError(f"highlight: expected one of {choices}, got {highlight!r}")
    fig, ax = _canvas(10.0, 5.6)
    big, small = (11, 10) if narrow else (13, 12)
    box = 1.1 if narrow else 0.8
    r_x, z_x, n_x = (2.7, 4.1, 5.6) if narrow else (2.8, 4.2, 5.6)
    dim_r = highlight == "update"
    dim_z = highlight == "reset"
    h_y, bus_y = 4.3, 1.2
    ax.add_patch(FancyBboxPatch((1.3, 0.5), 7.4, 4.5, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="#FAFAFA", edgecolor=PALETTE["muted"], linewidth=1.2,
                                zorder=0))
    # The state line: h_{t-1} --(x z)--> + --> h_t
    _arrow(ax, (0.2, h_y), (5.8, h_y), kind="hidden", width=2.4, muted=dim_z)
    _op(ax, (6.0, h_y), "×", "update", muted=dim_z)
    _arrow(ax, (6.2, h_y), (7.3, h_y), kind="hidden", width=2.4)
    _op(ax, (7.5, h_y), "+", "hidden")
    _arrow(ax, (7.7, h_y), (9.8, h_y), kind="hidden", width=2.4)
    ax.text(0.25, h_y + 0.3, "$h_{t-1}$", fontsize=big, color=PALETTE["hidden"])
    ax.text(9.3, h_y + 0.3, "$h_t$", fontsize=big, color=PALETTE["hidden"])
    # h_{t-1} drops down to the bus; x_t joins it.
    _line(ax, [(0.9, h_y), (0.9, bus_y), (5.0, bus_y)])
    _arrow(ax, (2.0, 0.0), (2.0, bus_y), kind="input")
    ax.text(2.15, 0.1, "$x_t$", fontsize=big, color=PALETTE["input"])

    def gate_name(gx, name, muted=False):
        xy = (gx + 0.16, 1.62) if narrow else (gx + 0.45, 2.85)
        ax.text(*xy, name, fontsize=small, va="center" if narrow else "baseline",
                color=PALETTE["muted_ink" if muted else "ink"])

    # reset gate r and update gate z
    _arrow(ax, (r_x, bus_y), (r_x, 2.05), muted=dim_r)
    _node(ax, (r_x, 2.35), r"$\sigma$", "gate", width=box, height=0.55, muted=dim_r,
          fontsize=small)
    gate_name(r_x, "$r_t$", dim_r)
    _arrow(ax, (z_x, bus_y), (z_x, 2.05), muted=dim_z)
    _node(ax, (z_x, 2.35), r"$\sigma$", "gate", width=box, height=0.55, muted=dim_z,
          fontsize=small)
    gate_name(z_x, "$z_t$", dim_z)
    # r scales the recurrent contribution to the candidate n: after the product with W_hn
    # (reset_after) or before it
    _op(ax, (r_x, 3.4), "×", "reset", muted=dim_r)
    _line(ax, [(r_x, 2.63), (r_x, 3.2)], kind="reset", muted=dim_r)
    w_box = 1.0 if narrow else 0.75
    box_x = (r_x - 0.95 if reset_after else z_x - 0.1) if narrow else \
        (1.85 if reset_after else 4.1)
    _node(ax, (box_x, 3.4), "$W_{hn}$", "hidden", width=w_box, height=0.5, muted=dim_r,
          fontsize=small if narrow else 11)
    if reset_after:
        _line(ax, [(0.9, 3.4), (box_x - w_box / 2, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(box_x + w_box / 2, 3.4), (r_x - 0.2, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(r_x + 0.2, 3.4), (n_x, 3.4), (n_x, 2.63)], kind="reset", muted=dim_r)
    else:
        _line(ax, [(0.9, 3.4), (r_x - 0.2, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(r_x + 0.2, 3.4), (box_x - w_box / 2, 3.4)], kind="reset", muted=dim_r)
        _line(ax, [(box_x + w_box / 2, 3.4), (n_x, 3.4), (n_x, 2.63)], kind="reset",
              muted=dim_r)
    _line(ax, [(5.0, bus_y), (n_x, bus_y)], kind="input")
    _arrow(ax, (n_x, bus_y), (n_x, 2.05), kind="input")
    _node(ax, (n_x, 2.35), r"$\tanh$", "gate", width=box, height=0.55, fontsize=small)
    if narrow:
        gate_name(n_x, "$n_t$")
    else:
        ax.text(5.0, 1.75, "$n_t$", fontsize=small)
    # update: z keeps the old state, 1 - z lets the candidate in
    _line(ax, [(z_x, 2.63), (z_x, 3.0), (6.0, 3.0), (6.0, h_y - 0.2)], kind="update",
          muted=dim_z)
    _op(ax, (7.5, 3.0), "1−", "update", muted=dim_z)
    _line(ax, [(6.0, 3.0), (7.3, 3.0)], kind="update", muted=dim_z)
    _op(ax, (7.5, 2.35), "×", "update", muted=dim_z)
    _line(ax, [(7.5, 2.8), (7.5, 2.55)], kind="update", muted=dim_z)
    _line(ax, [(n_x + box / 2, 2.35), (7.3, 2.35)], kind="hidden")
    _line(ax, [(7.7, 2.35), (8.0, 2.35), (8.0, 3.7), (7.65, h_y - 0.15)], kind="hidden")
    return fig
