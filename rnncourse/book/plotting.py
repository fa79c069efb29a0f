"""Charts for the course, in the same colours as the diagrams (:mod:`.diagrams`)."""

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np

PALETTE = {
    "input": "#3B7DD8",      # x_t
    "hidden": "#E8871E",     # h_t
    "output": "#2E9E5B",     # o_t, y_t
    "cell": "#7B4FB8",       # c_t
    "reverse": "#C8413B",    # a second direction, a decoder
    "gate": "#C9A227",       # gate layers
    "forget": "#7B4FB8",
    "reset": "#C8413B",
    "update": "#2E9E5B",
    "ink": "#222222",
    "muted": "#C4C4C4",
    "muted_ink": "#9A9A9A",
}


def tint(color, amount=0.85):
    """The colour mixed with white: ``amount`` 0 keeps it, 1 gives white."""
    rgb = np.array(mcolors.to_rgb(color))
    return tuple(rgb + (1.0 - rgb) * amount)


def new_axes(width=6.4, height=3.6):
    """A figure with one axes in the course's style (light grid, no top/right spines)."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.grid(True, color="#E6E6E6", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def radius_colors(radii):
    """One colour per spectral radius: blues below 1, black at 1, reds above."""
    colors = []
    for r in radii:
        if np.isclose(r, 1.0):
            colors.append(PALETTE["ink"])
        elif r < 1.0:
            colors.append(plt.cm.Blues(0.45 + 0.5 * (1.0 - r)))
        else:
            colors.append(plt.cm.Reds(0.45 + 0.5 * min(r - 1.0, 1.0)))
    return colors


def legend(ax, **options):
    """A legend on a white, borderless box: legible where a curve passes behind it."""
    return ax.legend(frameon=True, framealpha=0.85, edgecolor="none", **options)


def gradient_norm_panel(ax, curves, title, colors=None):
    """Log-scale gradient norm against distance; ``curves`` maps a label to (distance, norms).

    Norms are drawn relative to the norm at distance 0, so every curve starts at 1.
    """
    colors = colors or [None] * len(curves)
    for (label, (distance, norms)), color in zip(curves.items(), colors):
        ax.semilogy(distance, norms / norms[0], label=label, color=color, linewidth=2)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("distance back in time k (steps)")
    ax.set_ylabel(r"$\|\partial L / \partial x_{T-k}\|$, relative to k = 0")
    legend(ax)


def long_range_panel(ax, results, task, models, with_legend=True):
    """Final metric against length on one task, one point per seed and a line through the
    means, for each model of ``models`` ({name: (label, colour)}); ``results`` are the main
    runs of a sweep written by rnncourse.experiments. ``with_legend``: False where a neighbouring
    panel already names the models."""
    for k, (model, (label, color)) in enumerate(models.items()):
        runs = [r for r in results if r["task"] == task and r["model"] == model]
        lengths = sorted({r["length"] for r in runs})
        means = [np.mean([r["final_metric"] for r in runs if r["length"] == n])
                 for n in lengths]
        # Lines that coincide stay visible: the earlier ones are drawn wider, underneath.
        later = len(models) - 1 - k
        ax.plot(lengths, means, marker="o", color=color, label=label, linewidth=2 + 1.3 * later,
                markersize=5 + 2.5 * later, alpha=0.9)
        ax.scatter([r["length"] for r in runs], [r["final_metric"] for r in runs],
                   color=color, alpha=0.35, s=14)
    first = next(r for r in results if r["task"] == task)
    ax.axhline(first["baseline"], color=PALETTE["muted_ink"], linestyle="--", linewidth=1,
               label="guessing" if first["metric"] == "accuracy" else "always answer 1")
    ax.set_xlabel("filler tokens" if task == "language" else "sequence length T")
    ax.set_ylabel(first["metric"])
    if with_legend:
        legend(ax)
