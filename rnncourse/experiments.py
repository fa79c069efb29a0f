"""Long-range experiments from the command line.

One run (a task, a cell, a length, a seed)::

    python -m rnncourse.experiments run --task adding --cell lstm --length 100 [--json]

A sweep over tasks, cells and lengths, written to a JSON results file::

    python -m rnncourse.experiments sweep --out rnncourse/results/long_range.json

That file ships with the package (the summary chapter reads it with :func:`load_results`).
"""

import argparse
import json
import os
import sys
from importlib import resources

from .training import TASKS, SequenceModel, train

# The sweep behind the summary chapter: each run stops at its task's target or at MAX_STEPS.
SWEEP = {
    "tasks": {"language": [10, 30, 100], "adding": [20, 50, 100]},
    "cells": [("rnn", 0.0), ("gru", 0.0), ("lstm", 1.0), ("lstm", 3.0)],
    "seeds": [0, 1, 2],
}
HIDDEN, MAX_STEPS = 32, 3000


def run(task, cell, length, seed=0, forget_bias=1.0, steps=MAX_STEPS, hidden=HIDDEN,
        progress=False):
    """Train one model and return its result as a JSON-ready dict."""
    problem = TASKS[task](length)
    model = SequenceModel(cell, problem.input_size, hidden, problem.output_size,
                          forget_bias=forget_bias, seed=seed)
    result = train(model, problem, steps=steps, seed=seed, progress=progress)
    return {"task": task, "cell": cell, "length": length, "seed": seed,
            "forget_bias": forget_bias if cell == "lstm" else None, "hidden": hidden,
            "metric": problem.metric_name, "target": problem.target,
            "baseline": problem.baseline, "final_metric": result.final_metric,
            "reached_target": result.reached_target, "steps": result.steps,
            "seconds": round(result.seconds, 3),
            "steps_per_second": round(result.steps_per_second, 1),
            "history": result.history}


def sweep(out, sweep_spec=SWEEP, progress=True):
    """Run every configuration of ``sweep_spec`` and write the results to ``out``."""
    results = []
    configs = [(task, cell, fb, length, seed)
               for task, lengths in sweep_spec["tasks"].items() for length in lengths
               for cell, fb in sweep_spec["cells"] for seed in sweep_spec["seeds"]]
    for k, (task, cell, fb, length, seed) in enumerate(configs, start=1):
        result = run(task, cell, length, seed, fb)
        results.append(result)
        if progress:
            print(f"[{k}/{len(configs)}] {task} length {length} {cell}"
                  + (f" (forget bias {fb})" if cell == "lstm" else "")
                  + f": {result['metric']} {result['final_metric']:.4f} after "
                  f"{result['steps']} steps ({result['seconds']:.1f} s)", flush=True)
    folder = os.path.dirname(out)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"hidden": HIDDEN, "max_steps": MAX_STEPS, "results": results}, handle,
                  indent=1)
    return results


def load_results(name="long_range.json"):
    """A results file written by ``sweep`` and shipped in ``rnncourse/results/``."""
    text = resources.files("rnncourse").joinpath("results", name).read_text(encoding="utf-8")
    return json.loads(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.experiments",
                                     description="Long-range dependency experiments.")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run", help="train one model and print the result")
    one.add_argument("--task", choices=sorted(TASKS), required=True)
    one.add_argument("--cell", choices=["rnn", "lstm", "gru"], required=True)
    one.add_argument("--length", type=int, required=True,
                     help="sequence length (adding, order) or filler tokens (language)")
    one.add_argument("--seed", type=int, default=0)
    one.add_argument("--forget-bias", type=float, default=1.0, help="LSTM only")
    one.add_argument("--steps", type=int, default=MAX_STEPS)
    one.add_argument("--json", action="store_true", help="print the result as JSON")
    many = commands.add_parser("sweep", help="run the summary chapter's sweep")
    many.add_argument("--out", required=True, help="the JSON results file to write")
    args = parser.parse_args(argv)
    if args.command == "sweep":
        sweep(args.out)
        return 0
    result = run(args.task, args.cell, args.length, args.seed, args.forget_bias, args.steps,
                 progress=not args.json)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        print(f"{args.task} (length {args.length}), {args.cell}: {result['metric']} "
              f"{result['final_metric']:.4f} after {result['steps']} steps; target "
              f"{'reached' if result['reached_target'] else 'not reached'}; "
              f"{result['steps_per_second']:.0f} steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
