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


def _op(ax, xy, symbol, kind="ink", muted=False, radius=0.2):
    """A pointwise operation (x, +, 1-) as a small circle."""
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


def unrolled_rnn(steps=3):
    """The folded RNN (one cell with a loop) beside the same network unrolled over time."""
    first = 5.8
    width = first + 2.0 * (steps - 1) + 2.4
    fig, ax = _canvas(width, 4.4)
    # Folded: x -> h -> o, with W as a loop on h.
    x, h, o = (1.2, 0.8), (1.2, 2.2), (1.2, 3.6)
    _node(ax, x, "$x$", "input")
    _node(ax, h, "$h$", "hidden")
    _node(ax, o, "$o$", "output")
    _arrow(ax, _edge(x, "top"), _edge(h, "bottom"), "$U$", "input", label_offset=(-0.25, 0))
    _arrow(ax, _edge(h, "top"), _edge(o, "bottom"), "$V$", "output", label_offset=(-0.25, 0))
    _arrow(ax, (h[0] + NODE_W / 2, h[1] + 0.12), (h[0] + NODE_W / 2, h[1] - 0.12), "$W$",
           "hidden", rad=-2.6, label_offset=(0.75, 0))
    ax.text(3.0, 2.2, "unroll\n$\\Longrightarrow$", ha="center", va="center", fontsize=12,
            color=PALETTE["ink"])
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


def bidirectional_rnn(steps=4):
    """A forward chain and a backward chain of hidden states, both feeding every output."""
    width = 1.0 + 2.0 * steps
    fig, ax = _canvas(width, 5.2)
    centres = [1.5 + 2.0 * k for k in range(steps)]
    for k, cx in enumerate(centres):
        _node(ax, (cx, 0.6), f"$x_{k + 1}$", "input")
        _node(ax, (cx, 1.9), f"$\\overrightarrow{{h}}_{k + 1}$", "hidden")
        _node(ax, (cx, 3.2), f"$\\overleftarrow{{h}}_{k + 1}$", "reverse")
        _node(ax, (cx, 4.5), f"$o_{k + 1}$", "output")
        _arrow(ax, (cx, 0.9), (cx, 1.6), kind="input")
        _arrow(ax, (cx - 0.3, 0.9), (cx - 0.3, 2.9), kind="input", rad=-0.25)
        _arrow(ax, (cx + 0.3, 2.2), (cx + 0.35, 4.2), kind="hidden", rad=-0.25)
        _arrow(ax, (cx, 3.5), (cx, 4.2), kind="reverse")
    for left, right in zip(centres, centres[1:]):
        _arrow(ax, (left + NODE_W / 2, 1.9), (right - NODE_W / 2, 1.9), "$W$", "hidden",
               label_offset=(0, 0.22))
        _arrow(ax, (right - NODE_W / 2, 3.2), (left + NODE_W / 2, 3.2), "$W'$", "reverse",
               label_offset=(0, 0.22))
    return fig


def deep_rnn(steps=3, layers=3):
    """Stacked recurrent layers: each layer's hidden states are the next layer's inputs."""
    width = 1.6 + 2.0 * steps
    height = 1.6 + 1.35 * (layers + 1)
    fig, ax = _canvas(width, height)
    centres = [1.8 + 2.0 * k for k in range(steps)]
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


def io_patterns():
    """The four ways to line up inputs and outputs: N-to-1, 1-to-N, N-to-N, N-to-M."""
    fig, ax = _canvas(14.0, 8.4, scale=0.8)
    x = [f"$x_{k}$" for k in range(1, 5)]
    y = [f"$y_{k}$" for k in range(1, 5)]
    _pattern_panel(ax, (0.2, 4.4), "N to 1: read a sequence, give one answer",
                   x, [None, None, None, "$y$"])
    _pattern_panel(ax, (7.2, 4.4), "1 to N: one input, a sequence out",
                   ["$x$", None, None, None], y)
    _pattern_panel(ax, (0.2, 0.2), "N to N: one output per input", x, y)
    _pattern_panel(ax, (7.2, 0.2), "N to M: encoder, then decoder",
                   x[:3] + [None, None], [None, None, None, "$y_1$", "$y_2$"],
                   decoder_from=3)
    ax.text(7.2 + 0.7 + 1.25 * 2.5, 0.2 + 2.2, "context", ha="center", fontsize=11,
            color=PALETTE["reverse"])
    return fig


def lstm_cell(highlight=None):
    """The LSTM cell. highlight: None, "forget", "input", "output" or "cell" (the c line)."""
    choices = (None, "forget", "input", "output", "cell")
    if highlight not in choices:
        raise ValueError(f"highlight: expected one of {choices}, got {highlight!r}")
    fig, ax = _canvas(10.0, 5.6)
    dim = {part: highlight is not None and highlight != part
           for part in ("forget", "input", "output", "cell")}
    # Cell state: the line along the top, touched only by x (forget) and + (input).
    c_y, bus_y = 4.3, 1.2
    cell_muted = highlight not in (None, "cell", "forget", "input")
    ax.add_patch(FancyBboxPatch((1.3, 0.5), 7.4, 4.5, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="#FAFAFA", edgecolor=PALETTE["muted"], linewidth=1.2,
                                zorder=0))
    _arrow(ax, (0.2, c_y), (3.0, c_y), kind="cell", muted=cell_muted, width=2.4)
    _op(ax, (3.2, c_y), "×", "forget", muted=dim["forget"])
    _arrow(ax, (3.4, c_y), (5.0, c_y), kind="cell", muted=cell_muted, width=2.4)
    _op(ax, (5.2, c_y), "+", "input", muted=dim["input"])
    _arrow(ax, (5.4, c_y), (9.8, c_y), kind="cell", muted=cell_muted, width=2.4)
    ax.text(0.25, c_y + 0.3, "$c_{t-1}$", fontsize=13, color=PALETTE["cell"])
    ax.text(9.3, c_y + 0.3, "$c_t$", fontsize=13, color=PALETTE["cell"])
    # The bus carrying [h_{t-1}, x_t] to the four gate layers.
    _line(ax, [(0.2, bus_y), (7.2, bus_y)], muted=highlight == "cell")
    ax.text(0.25, bus_y - 0.4, "$h_{t-1}$", fontsize=13, color=PALETTE["hidden"])
    _arrow(ax, (2.0, 0.0), (2.0, bus_y), kind="input", muted=highlight == "cell")
    ax.text(2.15, 0.1, "$x_t$", fontsize=13, color=PALETTE["input"])
    gates = [("forget", 3.2, r"$\sigma$", "$f_t$"), ("input", 4.4, r"$\sigma$", "$i_t$"),
             ("input", 5.6, r"$\tanh$", "$g_t$"), ("output", 7.0, r"$\sigma$", "$o_t$")]
    for part, gx, fn, name in gates:
        muted = dim[part] or highlight == "cell"
        _arrow(ax, (gx, bus_y), (gx, 2.05), kind="ink", muted=muted)
        _node(ax, (gx, 2.35), fn, "gate", width=0.8, height=0.55, muted=muted, fontsize=12)
        ax.text(gx + 0.45, 2.85, name, fontsize=12, color=PALETTE["muted_ink" if muted else "ink"])
    # forget: f -> x on the c line
    _arrow(ax, (3.2, 2.63), (3.2, c_y - 0.2), kind="forget", muted=dim["forget"])
    # input: i and g meet at x, then + on the c line
    _op(ax, (5.0, 3.35), "×", "input", muted=dim["input"])
    _line(ax, [(4.4, 2.63), (4.4, 3.35), (4.8, 3.35)], kind="input", muted=dim["input"])
    _line(ax, [(5.6, 2.63), (5.6, 3.35), (5.2, 3.35)], kind="input", muted=dim["input"])
    _arrow(ax, (5.05, 3.55), (5.15, c_y - 0.2), kind="input", muted=dim["input"])
    # output: tanh(c_t) times o_t gives h_t
    out_muted = dim["output"]
    _line(ax, [(7.9, c_y), (7.9, 3.7)], kind="cell", muted=out_muted)
    _node(ax, (7.9, 3.4), r"$\tanh$", "gate", width=0.75, height=0.45, muted=out_muted,
          fontsize=11)
    _op(ax, (7.9, 2.35), "×", "output", muted=out_muted)
    _line(ax, [(7.9, 3.17), (7.9, 2.55)], kind="cell", muted=out_muted)
    _line(ax, [(7.4, 2.35), (7.7, 2.35)], kind="output", muted=out_muted)
    _line(ax, [(8.1, 2.35), (8.4, 2.35), (8.4, bus_y)], kind="hidden", muted=out_muted)
    _arrow(ax, (8.4, bus_y), (9.8, bus_y), kind="hidden", muted=out_muted)
    _arrow(ax, (8.4, 2.35), (9.0, 5.4), kind="hidden", muted=out_muted, rad=-0.2)
    ax.text(9.3, bus_y - 0.4, "$h_t$", fontsize=13, color=PALETTE["hidden"])
    ax.text(9.15, 5.25, "$h_t$", fontsize=13, color=PALETTE["hidden"])
    return fig


def lstm_gradient_paths():
    """The two ways the gradient of c_{t+1} reaches back to c_{t-1}: along the cell state
    through the forget gates (the direct path), and through h and the gates (indirect)."""
    fig, ax = _canvas(10.0, 4.6)
    c_y, gate_y, h_y = 3.6, 2.35, 1.1
    cells = {"t-1": 1.0, "t": 5.0, "t+1": 9.0}
    for name, x in cells.items():
        _node(ax, (x, c_y), f"$c_{{{name}}}$", "cell", width=1.0)
    for name in ("t-1", "t"):
        _node(ax, (cells[name], h_y), f"$h_{{{name}}}$", "hidden", width=1.0)
    # The direct path: from each cell state to the one before, scaled by that step's f.
    for later, earlier, f in (("t+1", "t", "f_{t+1}"), ("t", "t-1", "f_t")):
        _arrow(ax, _edge((cells[later], c_y), "left", width=1.0),
               _edge((cells[earlier], c_y), "right", width=1.0), kind="cell", width=2.6,
               label=rf"$\mathrm{{diag}}({f})$", label_offset=(0, 0.3), fontsize=12)
    # The indirect path: c_s feeds the gates of step s through h_{s-1}.
    for later, earlier, gates in (("t+1", "t", "t+1"), ("t", "t-1", "t")):
        gx = (cells[later] + cells[earlier]) / 2
        _node(ax, (gx, gate_y), f"gates of ${gates}$", "gate", width=1.7, height=0.5,
              fontsize=11)
        _arrow(ax, _edge((cells[later], c_y), "bottom", width=1.0), (gx + 0.55, gate_y + 0.25),
               kind="hidden", label=f"$M_{{{gates}}}$", label_offset=(0.35, 0.1), fontsize=11)
        _arrow(ax, (gx - 0.55, gate_y - 0.25), _edge((cells[earlier], h_y), "right", width=1.0),
               kind="hidden")
        _arrow(ax, _edge((cells[earlier], h_y), "top", width=1.0),
               _edge((cells[earlier], c_y), "bottom", width=1.0), kind="hidden",
               label=f"$D_{{{earlier}}}$", label_offset=(0.35, 0), fontsize=11)
    ax.text(9.0, h_y + 0.25, "gradient flows\nright to left", ha="center", va="center",
            fontsize=11, color=PALETTE["ink"])
    _line(ax, [(0.3, 0.25), (0.9, 0.25)], kind="cell", width=2.6)
    ax.text(1.05, 0.25, r"direct path: a product of forget gates, no weight matrix", va="center",
            fontsize=11)
    _line(ax, [(5.9, 0.25), (6.5, 0.25)], kind="hidden")
    ax.text(6.65, 0.25, r"indirect: through $h$ and the gates", va="center", fontsize=11)
    return fig


def gru_cell(highlight=None, reset_after=True):
    """The GRU cell. highlight: None, "reset" or "update". reset_after: where the reset gate
    acts on the previous state's path to the candidate: after the product with W_hn (True,
    PyTorch's formula) or before it (False)."""
    choices = (None, "reset", "update")
    if highlight not in choices:
        raise ValueError(f"highlight: expected one of {choices}, got {highlight!r}")
    fig, ax = _canvas(10.0, 5.6)
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
    ax.text(0.25, h_y + 0.3, "$h_{t-1}$", fontsize=13, color=PALETTE["hidden"])
    ax.text(9.3, h_y + 0.3, "$h_t$", fontsize=13, color=PALETTE["hidden"])
    # h_{t-1} drops down to the bus; x_t joins it.
    _line(ax, [(0.9, h_y), (0.9, bus_y), (5.0, bus_y)])
    _arrow(ax, (2.0, 0.0), (2.0, bus_y), kind="input")
    ax.text(2.15, 0.1, "$x_t$", fontsize=13, color=PALETTE["input"])
    # reset gate r and update gate z
    _arrow(ax, (2.8, bus_y), (2.8, 2.05), muted=dim_r)
    _node(ax, (2.8, 2.35), r"$\sigma$", "gate", width=0.8, height=0.55, muted=dim_r)
    ax.text(3.25, 2.85, "$r_t$", fontsize=12)
    _arrow(ax, (4.2, bus_y), (4.2, 2.05), muted=dim_z)
    _node(ax, (4.2, 2.35), r"$\sigma$", "gate", width=0.8, height=0.55, muted=dim_z)
    ax.text(4.65, 2.85, "$z_t$", fontsize=12)
    # r scales the recurrent contribution to the candidate n: after the product with W_hn
    # (reset_after) or before it
    _op(ax, (2.8, 3.4), "×", "reset", muted=dim_r)
    _line(ax, [(2.8, 2.63), (2.8, 3.2)], kind="reset", muted=dim_r)
    box_x = 1.85 if reset_after else 4.1
    _node(ax, (box_x, 3.4), "$W_{hn}$", "hidden", width=0.75, height=0.5, muted=dim_r,
          fontsize=11)
    if reset_after:
        _line(ax, [(0.9, 3.4), (1.47, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(2.23, 3.4), (2.6, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(3.0, 3.4), (5.6, 3.4), (5.6, 2.63)], kind="reset", muted=dim_r)
    else:
        _line(ax, [(0.9, 3.4), (2.6, 3.4)], kind="hidden", muted=dim_r)
        _line(ax, [(3.0, 3.4), (3.72, 3.4)], kind="reset", muted=dim_r)
        _line(ax, [(4.48, 3.4), (5.6, 3.4), (5.6, 2.63)], kind="reset", muted=dim_r)
    _line(ax, [(5.0, bus_y), (5.6, bus_y)], kind="input")
    _arrow(ax, (5.6, bus_y), (5.6, 2.05), kind="input")
    _node(ax, (5.6, 2.35), r"$\tanh$", "gate", width=0.8, height=0.55)
    ax.text(5.0, 1.75, "$n_t$", fontsize=12)
    # update: z keeps the old state, 1 - z lets the candidate in
    _line(ax, [(4.2, 2.63), (4.2, 3.0), (6.0, 3.0), (6.0, h_y - 0.2)], kind="update",
          muted=dim_z)
    _op(ax, (7.5, 3.0), "1−", "update", muted=dim_z)
    _line(ax, [(6.0, 3.0), (7.3, 3.0)], kind="update", muted=dim_z)
    _op(ax, (7.5, 2.35), "×", "update", muted=dim_z)
    _line(ax, [(7.5, 2.8), (7.5, 2.55)], kind="update", muted=dim_z)
    _line(ax, [(6.0, 2.35), (7.3, 2.35)], kind="hidden")
    _line(ax, [(7.7, 2.35), (8.0, 2.35), (8.0, 3.7), (7.65, h_y - 0.15)], kind="hidden")
    return fig
