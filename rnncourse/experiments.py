"""Long-range experiments from the command line.

One run (a task, a cell, a length, a seed)::

    python -m rnncourse.experiments run --task adding --cell lstm --length 100 [--json]

A sweep over tasks, cells and lengths, written to a JSON results file::

    python -m rnncourse.experiments sweep --out rnncourse/results/long_range.json

That file ships with the package (the summary chapter reads it with :func:`load_results`).
"""

import argparse
import json
import math
import numbers
import os
import sys
from importlib import resources
from pathlib import Path

from rnncore.validation import check_choice

from .training import CELLS, TASKS, SequenceModel, Task, train

# The sweep behind the summary chapter: each run stops at its task's target or at MAX_STEPS.
SWEEP = {
    "tasks": {"language": [10, 30, 100], "adding": [20, 50, 100]},
    "cells": [("rnn", 0.0), ("gru", 0.0), ("lstm", 1.0), ("lstm", 3.0)],
    "seeds": [0, 1, 2],
}
HIDDEN, MAX_STEPS = 32, 3000
MAX_STEPS_LIMIT = 1_000_000
FORGET_BIAS_LIMIT = 50.0      # sigmoid(50) is 1 to 21 digits: larger biases mean nothing more


def run(task, cell, length, seed=0, forget_bias=1.0, steps=MAX_STEPS, hidden=HIDDEN,
        progress=False):
    """Train one model and return its result as a JSON-ready dict (non-finite numbers, which
    JSON cannot hold, become None)."""
    config = {"task": check_choice("task", task, tuple(TASKS)),
              "cell": check_choice("cell", cell, tuple(CELLS)), "length": length,
              "seed": seed, "forget_bias": _finite("forget_bias", forget_bias),
              "steps": steps, "hidden": hidden}
    problem = TASKS[task](length)
    model = SequenceModel(cell, problem.input_size, hidden, problem.output_size,
                          forget_bias=forget_bias, seed=seed)
    result = train(model, problem, steps=steps, seed=seed, progress=progress)
    return _json_ready({
        "task": task, "cell": cell, "length": length, "seed": seed,
        "forget_bias": forget_bias if cell == "lstm" else None, "hidden": hidden,
        "metric": problem.metric_name, "target": problem.target,
        "baseline": problem.baseline, "final_metric": result.final_metric,
        "reached_target": result.reached_target, "steps": result.steps,
        "seconds": round(result.seconds, 3),
        "steps_per_second": round(result.steps_per_second, 1),
        "history": result.history, "config": config})


def _finite(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def _json_ready(value):
    """``value`` with every NaN or infinity replaced by None (JSON has no such numbers)."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def sweep_configs(sweep_spec=SWEEP):
    """The runs of a sweep, as the keyword arguments of :func:`run`."""
    return [{"task": task, "cell": cell, "length": length, "seed": seed,
             "forget_bias": float(fb), "steps": MAX_STEPS, "hidden": HIDDEN}
            for task, lengths in sweep_spec["tasks"].items() for length in lengths
            for cell, fb in sweep_spec["cells"] for seed in sweep_spec["seeds"]]


def _key(config):
    return json.dumps(config, sort_keys=True)


WRITTEN_BY = "python -m rnncourse.experiments sweep"


def _finished_runs(path):
    """The runs already in a results file at ``path``, by their configuration."""
    if path.is_dir():
        raise ValueError(f"out: {path} is a folder; give a file name, such as "
                         f"{path / 'results.json'}")
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("written_by") != WRITTEN_BY:
            raise ValueError("it was not written by a sweep")
        return {_key(r["config"]): r for r in data["results"]}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"out: {path} exists and is not a results file written by sweep "
                         f"({error}); choose another file, or pass restart=True (--restart) "
                         "to replace it") from None


def _write(path, results):
    """Write the results file whole, atomically: an interruption leaves the last complete one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"written_by": WRITTEN_BY, "hidden": HIDDEN,
                                   "max_steps": MAX_STEPS, "results": results},
                                  indent=1, allow_nan=False), encoding="utf-8")
    os.replace(partial, path)


def sweep(out, sweep_spec=SWEEP, progress=True, restart=False):
    """Run every configuration of ``sweep_spec`` and write the results to ``out``.

    The file is written before the first run (so that an unwritable path fails at once) and
    again after every run. Run again after an interruption and it resumes: runs already in the
    file are kept, not repeated. ``restart=True`` starts the file afresh.
    """
    path = Path(out)
    configs = sweep_configs(sweep_spec)
    finished = {} if restart and not path.is_dir() else _finished_runs(path)
    planned = {_key(c) for c in configs}
    others = [r for key, r in finished.items() if key not in planned]   # kept, never lost
    results = [finished[_key(c)] for c in configs if _key(c) in finished]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, results + others)
    except OSError as error:
        raise OSError(f"out: cannot write the results file {path}: {error.strerror or error}") \
            from None
    if progress and results:
        print(f"resuming: {len(results)} of {len(configs)} runs are already in {path}")
    for k, config in enumerate(configs, start=1):
        if _key(config) in finished:
            continue
        result = run(**config)
        results.append(result)
        _write(path, results + others)
        if progress:
            fb = config["forget_bias"]
            print(f"[{k}/{len(configs)}] {config['task']} length {config['length']} "
                  f"{config['cell']}" + (f" (forget bias {fb})" if config["cell"] == "lstm"
                                         else "")
                  + f": {result['metric']} {result['final_metric']:.4f} after "
                  f"{result['steps']} steps ({result['seconds']:.1f} s)", flush=True)
    order = {_key(c): k for k, c in enumerate(configs)}
    results.sort(key=lambda r: order[_key(r["config"])])
    _write(path, results + others)
    return results


def load_results(name="long_range.json"):
    """A results file written by ``sweep`` and shipped in ``rnncourse/results/``."""
    text = resources.files("rnncourse").joinpath("results", name).read_text(encoding="utf-8")
    return json.loads(text)


def _whole_number(low, high):
    """An argparse type: a whole number from ``low`` to ``high``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, "
                                             f"got {value}")
        return value
    return parse


def _forget_bias(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not -FORGET_BIAS_LIMIT <= value <= FORGET_BIAS_LIMIT:       # also refuses NaN
        raise argparse.ArgumentTypeError(f"expected a number from {-FORGET_BIAS_LIMIT:g} to "
                                         f"{FORGET_BIAS_LIMIT:g}, got {text}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnncourse.experiments",
                                     description="Long-range dependency experiments.")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run", help="train one model and print the result")
    one.add_argument("--task", choices=sorted(TASKS), required=True)
    one.add_argument("--cell", choices=sorted(CELLS), required=True)
    one.add_argument("--length", type=_whole_number(0, Task.max_length), required=True,
                     help="sequence length (adding, order) or filler tokens (language)")
    one.add_argument("--seed", type=_whole_number(0, 2**32 - 1), default=0)
    one.add_argument("--forget-bias", type=_forget_bias, default=1.0, help="LSTM only")
    one.add_argument("--steps", type=_whole_number(1, MAX_STEPS_LIMIT), default=MAX_STEPS)
    one.add_argument("--json", action="store_true", help="print the result as JSON")
    many = commands.add_parser("sweep", help="run the summary chapter's sweep")
    many.add_argument("--out", required=True,
                      help="the JSON results file (an interrupted sweep resumes from it)")
    many.add_argument("--restart", action="store_true",
                      help="replace the results file instead of resuming from it")
    args = parser.parse_args(argv)
    if args.command == "sweep":
        try:
            sweep(args.out, restart=args.restart)
        except (OSError, ValueError) as error:
            many.error(str(error))
        return 0
    minimum = TASKS[args.task].min_length
    if args.length < minimum:
        one.error(f"argument --length: expected at least {minimum} for --task {args.task}, "
                  f"got {args.length}")
    result = run(args.task, args.cell, args.length, args.seed, args.forget_bias, args.steps,
                 progress=not args.json)
    if args.json:
        json.dump(result, sys.stdout, indent=1, allow_nan=False)
        print()
    else:
        metric = result["final_metric"]
        print(f"{args.task} (length {args.length}), {args.cell}: {result['metric']} "
              f"{'undefined' if metric is None else format(metric, '.4f')} after "
              f"{result['steps']} steps; target "
              f"{'reached' if result['reached_target'] else 'not reached'}; "
              f"{result['steps_per_second']:.0f} steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
