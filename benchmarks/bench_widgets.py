"""Time one slider move of each gate explorer: recompute, redraw, render (target < 100 ms).

    python benchmarks/bench_widgets.py [--repeats N]

A move sets a control's value programmatically, which runs the same handler as a learner's
drag. The baseline, run in the same process, renders the explorer's figure to PNG without
recomputing anything: the part of a move that is drawing rather than maths.
"""

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from rnncourse.explorers import GradientFlowExplorer, GRUGateExplorer, LSTMGateExplorer  # noqa: E402

BUDGET_MS = 100.0

# (explorer, control to move, values to alternate between)
MOVES = [
    (LSTMGateExplorer, "forget", [0.5, 0.95]),
    (LSTMGateExplorer, "steps", [40, 200]),
    (GRUGateExplorer, "update", [0.5, 0.95]),
    (GradientFlowExplorer, "spectral_radius", [0.8, 1.2]),
    (GradientFlowExplorer, "steps", [60, 200]),
]


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    print(f"{'explorer':22} {'control':16} {'move ms':>8} {'render ms':>10} "
          f"{'move / budget':>14}")
    for cls, name, values in MOVES:
        explorer = cls()
        control = explorer.controls[name]
        moves, renders = [], []
        for k in range(args.repeats):
            moves.append(timed(setattr, control, "value", values[k % 2]))
            renders.append(timed(explorer.render_png))
        move, render = statistics.median(moves) * 1e3, statistics.median(renders) * 1e3
        print(f"{cls.__name__:22} {name:16} {move:8.1f} {render:10.1f} "
              f"{move / BUDGET_MS:14.2f}")


if __name__ == "__main__":
    main()
