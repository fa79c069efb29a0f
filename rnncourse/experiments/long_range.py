"""Long-range experiments from the command line.

One run (a task, a cell, a length, a seed)::

    python -m rnncourse.experiments run --task language --cell lstm --length 100 [--json]

The summary chapter's sweep, written to a JSON results file::

    python -m rnncourse.experiments sweep --out rnncourse/experiments/results/long_range.json \
        [--jobs 2]

The sweep is fair to every cell. First each model tries every learning rate of a small grid
on the longest distance of each task, from a seed of its own (the tuning seed); then every
model runs every distance from the reported seeds at its best learning rate. Last, an
ablation trains LSTMs with one of the two gate biases of their papers' initialisation at a
time. The file ships with the package (the summary chapter reads it with
:func:`load_results`).
"""

import argparse
import concurrent.futures
import json
import math
import multiprocessing
import numbers
import os
import sys
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np

from rnncore.validation import check_choice

from . import language
from .training import CELLS, TASKS, SequenceModel, Task, train

HIDDEN, MAX_STEPS = 32, 3000
MAX_STEPS_LIMIT = 1_000_000
BIAS_LIMIT = 50.0            # sigmoid(50) is 1 to 21 digits: larger biases mean nothing more

# The LSTM as its papers initialise it: the input gate nearly shut, so that the cell does not
# drift before it has learnt what to store (Hochreiter & Schmidhuber 1997, section 4), and the
# forget gate nearly open, so that it keeps what it stores (Gers et al. 2000; Jozefowicz et
# al. 2015). The papers give the direction; the size is ours: sigmoid(-5) = 0.0067 of each
# step is written, and sigmoid(5)**100 = 0.51 of the content is kept over 100 steps.
PAPERS_LSTM_BIASES = {"input_bias": -5.0, "forget_bias": 5.0}

# The models of the sweep: a cell and, for the LSTM, the offsets of its gate biases.
MODELS = {
    "rnn": {"cell": "rnn"},
    "gru": {"cell": "gru"},
    "lstm": {"cell": "lstm", **PAPERS_LSTM_BIASES},
    "lstm-default": {"cell": "lstm", "input_bias": 0.0, "forget_bias": 0.0},   # PyTorch's
    "lstm-forget-1": {"cell": "lstm", "input_bias": 0.0, "forget_bias": 1.0},  # Keras's
    "lstm-forget-only": {"cell": "lstm", "input_bias": 0.0, "forget_bias": 5.0},
    "lstm-input-only": {"cell": "lstm", "input_bias": -5.0, "forget_bias": 0.0},
}

SWEEP = {
    "tasks": {"language": [10, 30, 100], "adding": [20, 50, 100]},
    "models": ["rnn", "gru", "lstm", "lstm-default"],
    "learning_rates": [0.003, 0.01, 0.03],
    "tuning_seed": 100,
    "seeds": [0, 1, 2],
    "steps": MAX_STEPS,
    "ablation": {"task": "language", "length": 100, "like": "lstm",
                 "models": ["lstm-forget-1", "lstm-forget-only", "lstm-input-only"]},
}

# The learning rate a run takes when none is given: the best of the grid for that task and
# cell in the shipped sweep (a test holds the two equal), and Adam's usual 0.01 elsewhere.
DEFAULT_LEARNING_RATES = {("language", "rnn"): 0.01, ("language", "gru"): 0.03,
                          ("language", "lstm"): 0.03, ("adding", "rnn"): 0.01,
                          ("adding", "gru"): 0.03, ("adding", "lstm"): 0.03}


def default_learning_rate(task, cell):
    return DEFAULT_LEARNING_RATES.get((task, cell), 0.01)


def run(task, cell, length, seed=0, lr=None, input_bias=None, forget_bias=None,
        steps=MAX_STEPS, hidden=HIDDEN, progress=False):
    """Train one model and return its result as a JSON-ready dict (non-finite numbers, which
    JSON cannot hold, become None).

    ``lr`` defaults to :func:`default_learning_rate`; an LSTM's ``input_bias`` and
    ``forget_bias`` default to :data:`PAPERS_LSTM_BIASES` (other cells have no gate biases to
    offset, and refuse them). On the language task a gated cell's result also holds
    "state": how it holds the answer for held-out sentences at the start and at the end of
    training (:func:`rnncourse.experiments.language.state`).
    """
    task = check_choice("task", task, tuple(TASKS))
    cell = check_choice("cell", cell, tuple(CELLS))
    lr = default_learning_rate(task, cell) if lr is None else _finite("lr", lr)
    if not lr > 0:
        raise ValueError(f"lr: expected a learning rate above 0, got {lr!r}")
    biases = {"input_bias": input_bias, "forget_bias": forget_bias}
    for name, value in biases.items():
        if cell != "lstm" and value is not None:
            raise ValueError(f"{name}: only the LSTM has gate biases to offset, got "
                             f"{name}={value!r} for cell {cell!r}")
        if cell == "lstm":
            biases[name] = PAPERS_LSTM_BIASES[name] if value is None else _finite(name, value)
    config = {"task": task, "cell": cell, "length": length, "seed": seed, "lr": lr,
              **biases, "steps": steps, "hidden": hidden}
    problem = TASKS[task](length)
    model = SequenceModel(cell, problem.input_size, hidden, problem.output_size,
                          input_bias=biases["input_bias"] or 0.0,
                          forget_bias=biases["forget_bias"] or 0.0, seed=seed)
    state = {}
    if task == "language" and cell != "rnn":       # how the cell holds the answer
        x, labels = problem.batch(500, np.random.default_rng(seed + 2_000_003))
        state["start"] = language.state(model, x, labels)
    result = train(model, problem, steps=steps, lr=lr, seed=seed, progress=progress)
    if state:
        state["end"] = language.state(model, x, labels)
    return _json_ready({
        **config, "steps": result.steps, "metric": problem.metric_name,
        "target": problem.target, "baseline": problem.baseline,
        "final_metric": result.final_metric, "reached_target": result.reached_target,
        **({"diverged": result.diverged} if result.diverged else {}),
        "seconds": round(result.seconds, 3),
        "steps_per_second": round(result.steps_per_second, 1),
        "history": result.history, **({"state": state} if state else {}), "config": config})


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


# -- the sweep's plan -----------------------------------------------------------------------

def _config(spec, model, task, length, seed, lr):
    """The keyword arguments of :func:`run` for one run of a sweep, model name included."""
    init = MODELS[model]
    return {"model": model, "task": task, "cell": init["cell"], "length": length,
            "seed": seed, "lr": float(lr), "input_bias": init.get("input_bias"),
            "forget_bias": init.get("forget_bias"), "steps": spec.get("steps", MAX_STEPS),
            "hidden": HIDDEN}


def tuning_configs(spec=SWEEP):
    """Stage 1: every model with every learning rate, at each task's longest distance, from
    the tuning seed."""
    return [_config(spec, model, task, max(lengths), spec["tuning_seed"], lr)
            for task, lengths in spec["tasks"].items() for model in spec["models"]
            for lr in spec["learning_rates"]]


def _better(run):
    """A sort key: runs that reached the target first, then the fewest steps, then the best
    final score."""
    metric = run["final_metric"]
    if metric is None:
        metric = math.inf
    elif run["metric"] == "accuracy":
        metric = -metric
    return (not run["reached_target"], run["steps"], metric)


def best_learning_rates(results, spec=SWEEP):
    """{(task, model): the learning rate of its best tuning run}, for every pair whose tuning
    runs are all in ``results``."""
    done = {_key(r["config"]): r for r in results}
    candidates = {}
    for config in tuning_configs(spec):
        candidates.setdefault((config["task"], config["model"]), []).append(
            done.get(_key(_run_arguments(config))))
    return {pair: min(runs, key=_better)["lr"] for pair, runs in candidates.items()
            if None not in runs}


def main_configs(spec, learning_rates):
    """Stage 2: every model at every distance from every reported seed, at its best rate."""
    return [_config(spec, model, task, length, seed, learning_rates[task, model])
            for task, lengths in spec["tasks"].items() for length in lengths
            for model in spec["models"] for seed in spec["seeds"]]


def ablation_configs(spec, learning_rates):
    """Stage 3: LSTMs with one gate bias of the papers' initialisation at a time, at the
    learning rate of the model they are compared with."""
    ablation = spec.get("ablation")
    if not ablation:
        return []
    lr = learning_rates[ablation["task"], ablation["like"]]
    return [_config(spec, model, ablation["task"], ablation["length"], seed, lr)
            for model in ablation["models"] for seed in spec["seeds"]]


def _run_arguments(config):
    return {k: v for k, v in config.items() if k != "model"}


def _key(arguments):
    return json.dumps(arguments, sort_keys=True)


# -- running a sweep ------------------------------------------------------------------------

WRITTEN_BY = "python -m rnncourse.experiments sweep"
STAGES = ("tuning", "main", "ablation")


RESULT_FIELDS = {"config": dict, "lr": numbers.Real, "metric": str, "reached_target": bool,
                 "steps": numbers.Integral, "final_metric": (numbers.Real, type(None))}


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
        for k, result in enumerate(data["results"]):      # what resuming a sweep reads
            for field, kinds in RESULT_FIELDS.items():
                if not isinstance(result.get(field), kinds) or \
                        (kinds is not bool and isinstance(result.get(field), bool)):
                    raise ValueError(f"results[{k}][{field!r}] is {result.get(field)!r}")
        return {_key(r["config"]): r for r in data["results"]}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"out: {path} exists and is not a results file written by sweep "
                         f"({error}); choose another file, or pass restart=True (--restart) "
                         "to replace it") from None


class _ResultsFile:
    """The results file of a sweep, rewritten whole and atomically after every run, so that
    an interruption leaves the last complete version. Runs it holds that the sweep does not
    plan (another sweep's) are kept."""

    def __init__(self, path, spec, finished):
        self.path, self.spec, self.runs = path, spec, dict(finished)
        self.wall_seconds = None

    def add(self, config, stage, result):
        self.runs[_key(_run_arguments(config))] = {"model": config["model"], "stage": stage,
                                                   **result}
        self.write()

    def write(self, order=()):
        rank = {key: k for k, key in enumerate(order)}
        results = sorted(self.runs.values(),
                         key=lambda r: rank.get(_key(r["config"]), len(rank)))
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(
            {"written_by": WRITTEN_BY, "spec": self.spec, "wall_seconds": self.wall_seconds,
             "results": results},
            indent=1, allow_nan=False), encoding="utf-8")
        os.replace(partial, self.path)


@contextmanager
def _one_thread_per_process():
    """Workers that each use one BLAS thread: two processes on two cores, not four threads
    fighting for them (measured 2.4x slower)."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: "1" for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def _execute(configs, jobs):
    """Yield (config, result) for every configuration, ``jobs`` runs at a time."""
    if jobs == 1:
        for config in configs:
            yield config, run(**_run_arguments(config))
        return
    with _one_thread_per_process(), concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run, **_run_arguments(c)): c for c in configs}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], future.result()


def _describe(config, result):
    biases = (f", input bias {config['input_bias']:g}, forget bias {config['forget_bias']:g}"
              if config["cell"] == "lstm" else "")
    metric = result["final_metric"]
    return (f"{config['task']} length {config['length']}, {config['model']}{biases}, "
            f"lr {config['lr']:g}, seed {config['seed']}: {result['metric']} "
            f"{'undefined' if metric is None else format(metric, '.4f')} after "
            f"{result['steps']} steps ({result['seconds']:.1f} s)")


def sweep(out, spec=SWEEP, progress=True, restart=False, jobs=1):
    """Run the three stages of ``spec`` and write every result to ``out``.

    The file is written before the first run (so that an unwritable path fails at once) and
    again after every run. Run again after an interruption and it resumes: runs already in the
    file are kept, not repeated. ``restart=True`` starts the file afresh. ``jobs`` runs train
    at once, in separate processes.
    """
    path = Path(out)
    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise ValueError(f"jobs: expected a whole number from 1, got {jobs!r}")
    jobs = int(jobs)
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise ValueError(f"out: {folder} is a file, so {path} cannot be written inside it")
    finished = {} if restart and not path.is_dir() else _finished_runs(path)
    book = _ResultsFile(path, spec, finished)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.write()
    except OSError as error:
        raise OSError(f"out: cannot write the results file {path}: {error.strerror or error}") \
            from None
    start, planned, resumed = time.perf_counter(), [], 0
    for stage in STAGES:
        if stage == "tuning":
            configs = tuning_configs(spec)
        else:
            rates = best_learning_rates(list(book.runs.values()), spec)
            configs = (main_configs if stage == "main" else ablation_configs)(spec, rates)
        planned += [_key(_run_arguments(c)) for c in configs]
        missing = [c for c in configs if _key(_run_arguments(c)) not in book.runs]
        resumed += len(configs) - len(missing)
        for k, (config, result) in enumerate(_execute(missing, jobs), start=1):
            book.add(config, stage, result)
            if progress:
                print(f"[{stage} {k}/{len(missing)}] {_describe(config, result)}", flush=True)
    if progress and resumed:
        print(f"{resumed} of {len(planned)} runs were already in {path}")
    book.wall_seconds = None if resumed else round(time.perf_counter() - start, 1)
    book.write(order=planned)
    return [book.runs[key] for key in planned]


def load_results(name="long_range.json"):
    """A results file written by ``sweep`` and shipped in ``rnncourse/experiments/results/``."""
    text = resources.files(__package__).joinpath("results", name).read_text(encoding="utf-8")
    return json.loads(text)


def select(results, **criteria):
    """The runs in ``results`` whose fields equal ``criteria`` (for example, model="gru")."""
    return [r for r in results if all(r.get(k) == v for k, v in criteria.items())]


# -- the command line -----------------------------------------------------------------------

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


def _number(low, high, low_included=True):
    """An argparse type: a number from ``low`` to ``high`` (NaN refused)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not (low <= value if low_included else low < value) or not value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a number {'from' if low_included else 'above'} {low:g} "
                f"{'to' if low_included else 'up to'} {high:g}, got {text}")
        return value
    return parse


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
    one.add_argument("--lr", type=_number(0.0, 1.0, low_included=False),
                     help="Adam's learning rate (default: the sweep's best for the task "
                          "and cell)")
    for gate, default in PAPERS_LSTM_BIASES.items():
        one.add_argument("--" + gate.replace("_", "-"), type=_number(-BIAS_LIMIT, BIAS_LIMIT),
                         help=f"LSTM only: added to the gate's initial bias (default {default:g})")
    one.add_argument("--steps", type=_whole_number(1, MAX_STEPS_LIMIT), default=MAX_STEPS)
    one.add_argument("--json", action="store_true", help="print the result as JSON")
    many = commands.add_parser("sweep", help="run the summary chapter's sweep")
    many.add_argument("--out", required=True,
                      help="the JSON results file (an interrupted sweep resumes from it)")
    many.add_argument("--restart", action="store_true",
                      help="replace the results file instead of resuming from it")
    many.add_argument("--jobs", type=_whole_number(1, 64), default=min(2, os.cpu_count() or 1),
                      help="runs at once, one process each (default: 2, or 1 on one core)")
    args = parser.parse_args(argv)
    if args.command == "sweep":
        try:
            sweep(args.out, restart=args.restart, jobs=args.jobs)
        except (OSError, ValueError) as error:
            many.error(str(error))
        return 0
    minimum = TASKS[args.task].min_length
    if args.length < minimum:
        one.error(f"argument --length: expected at least {minimum} for --task {args.task}, "
                  f"got {args.length}")
    for gate in PAPERS_LSTM_BIASES:
        if args.cell != "lstm" and getattr(args, gate) is not None:
            one.error(f"argument --{gate.replace('_', '-')}: only the LSTM has gate biases to "
                      f"offset (--cell {args.cell})")
    result = run(args.task, args.cell, args.length, args.seed, args.lr, args.input_bias,
                 args.forget_bias, args.steps, progress=not args.json)
    if args.json:
        json.dump(result, sys.stdout, indent=1, allow_nan=False)
        print()
    else:
        metric = result["final_metric"]
        print(f"{args.task} (length {args.length}), {args.cell}, lr {result['lr']:g}: "
              f"{result['metric']} {'undefined' if metric is None else format(metric, '.4f')}"
              f" after {result['steps']} steps ({result['seconds']:.1f} s); target "
              f"{'reached' if result['reached_target'] else 'not reached'}")
    return 0

