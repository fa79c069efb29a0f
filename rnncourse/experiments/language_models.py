"""Character language models on real text, for the "Language models" chapter.

Three experiments, each a command (``python -m rnncourse.experiments.language_models NAME``)
that trains, then writes the weights (``NAME.npz``) and a results file (``NAME.json``: the
settings, the loss curves, the first steps' losses for a test to reproduce, samples):

- ``shakespeare``: an LSTM on tiny Shakespeare with truncated BPTT, the state carried from one
  window of the stream to the next; validation loss on nanoGPT's split (the last 10 %).
- ``quatrains``: the plain RNN, the GRU and the LSTM, at equal parameter counts, on the Tang
  five-character quatrains, one poem a sequence; each cell at its best learning rate from a
  small grid, then over three seeds. Logged over training: how many sampled poems have the
  exact form (four lines of five characters, punctuated ，。，。).
- ``forms``: the 1-to-N pattern. An LSTM on all quatrains that starts each poem from a learnt
  state for its form (five or seven characters a line), so that the form, given once, decides
  the shape of everything written after it.
"""

import argparse
import concurrent.futures
import json
import math
import multiprocessing
import re
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np

from rnncore.losses import softmax_cross_entropy
from rnncore.module import no_grad
from rnncore.optim import Adam, clip_grad_norm
from rnncore.text import LanguageModel, generate, stream_windows

from .long_range import _one_thread_per_process

RESULTS = Path(__file__).with_name("results")
BOUNDARY = "\n"              # starts every poem and ends it: the token a sample is primed with
FORMS = {5: "5-char quatrain", 7: "7-char quatrain"}
LOGGED_STEPS = 40            # the first steps' losses, kept exactly for a test to reproduce

SHAKESPEARE = {"corpus": "shakespeare", "cell": "lstm", "embedding": 64, "hidden": 384,
               "layers": 1, "dropout": 0.2, "window": 64, "batch": 32, "lr": 0.004,
               "final_lr": 0.0002, "clip": 1.0, "forget_bias": 1.0, "steps": 7000,
               "eval_every": 500, "seed": 0, "temperatures": [0.5, 0.8, 1.0, 1.2],
               "prompt": "ROMEO:", "sample_length": 300}

QUATRAINS = {"corpus": "quatrains", "forms": [5], "embedding": 64, "parameters_like": 128,
             "layers": 1, "dropout": 0.2, "batch": 32, "final_lr": 0.0002, "clip": 1.0,
             "forget_bias": 1.0, "steps": 900, "eval_every": 100,
             "learning_rates": [0.002, 0.005, 0.01], "cells": ["rnn", "gru", "lstm"],
             "seeds": [0, 1, 2], "samples": 200, "sample_length": 40}

FORMS_MODEL = {"corpus": "quatrains", "forms": [5, 7], "cell": "lstm", "embedding": 64,
               "hidden": 128, "layers": 1, "dropout": 0.2, "batch": 32, "lr": 0.005,
               "final_lr": 0.0002, "clip": 1.0, "forget_bias": 1.0, "steps": 1500,
               "eval_every": 250, "seed": 0, "samples": 200, "sample_length": 40,
               "acrostic": "春江花月"}


# -- the corpora ---------------------------------------------------------------------------

def _corpus_file(name):
    return resources.files(__package__).joinpath("corpora", name)


def shakespeare_text():
    """Tiny Shakespeare, split as nanoGPT splits it: (train, validation) strings."""
    text = _corpus_file("tinyshakespeare.txt").read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    return text[:cut], text[cut:]


def quatrains(forms=(5, 7)):
    """The Tang quatrains of the given forms, as (train, validation) lists of (form, text):
    every tenth poem is held out."""
    wanted = {FORMS[f]: f for f in forms}
    poems = []
    with _corpus_file("tang-quatrains.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            poem = json.loads(line)
            if poem["form"] in wanted:
                poems.append((wanted[poem["form"]], poem["text"]))
    return ([p for k, p in enumerate(poems) if k % 10 != 9],
            [p for k, p in enumerate(poems) if k % 10 == 9])


def has_form(text, form):
    """True if ``text`` is a quatrain of ``form`` characters a line: four lines, punctuated
    ，。，。, with no punctuation inside a line."""
    line = f"[^，。{BOUNDARY}]{{{form}}}"
    return re.fullmatch(f"({line}，{line}。){{2}}", text) is not None


# -- the models ----------------------------------------------------------------------------

def hidden_for(cell, parameters, vocab_size, embedding, layers=1, sizes=(8, 1024)):
    """The hidden size (in ``sizes``, both ends included) whose model has the parameter count
    closest to ``parameters``, the smaller on a tie. The count grows with the size, so a
    bisection finds it from a dozen models' counts."""
    def count(hidden):
        return LanguageModel(vocab_size, embedding, hidden, layers, cell, seed=0)\
            .num_parameters()
    low, high = sizes
    while low < high:                   # the smallest size whose count reaches parameters
        middle = (low + high) // 2
        if count(middle) < parameters:
            low = middle + 1
        else:
            high = middle
    return min((size for size in (low - 1, low) if size >= sizes[0]),
               key=lambda size: abs(count(size) - parameters))


def _schedule(spec, step):
    """The learning rate at ``step`` (0-based): a cosine from ``lr`` down to ``final_lr``."""
    progress = step / max(spec["steps"] - 1, 1)
    return spec["final_lr"] + 0.5 * (spec["lr"] - spec["final_lr"]) * \
        (1 + math.cos(math.pi * progress))


def _update(model, optimizer, spec, step, loss, dlogits):
    model.backward(dlogits)
    norm = clip_grad_norm(model, spec["clip"])
    optimizer.lr = _schedule(spec, step)
    optimizer.step()
    return norm


class _Log:
    """What a run writes as it trains: the first steps' losses exactly, then a curve."""

    def __init__(self, progress):
        self.first_losses, self.curve, self.progress = [], [], progress
        self.window_losses, self.start = [], time.perf_counter()

    def step(self, step, loss):
        if step < LOGGED_STEPS:
            self.first_losses.append(loss)
        self.window_losses.append(loss)

    def evaluate(self, step, **measured):
        point = {"step": step, "train_loss": float(np.mean(self.window_losses)), **measured,
                 "seconds": round(time.perf_counter() - self.start, 1)}
        self.window_losses = []
        self.curve.append(point)
        if self.progress:
            print("  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                            for k, v in point.items()), flush=True)


def train_stream(spec, stop_after=None, progress=False):
    """Train ``spec``'s model on a text stream with truncated BPTT (the Shakespeare run).

    Each row of the batch reads its own stretch of the text; the state after one window
    starts the next, and the gradient stops at the window's first step. Returns
    (model, vocabulary, log); ``stop_after`` steps ends the run early (the schedule stays
    that of the whole run), for a test that reproduces the first losses.
    """
    train_text, validation_text = shakespeare_text()
    vocabulary = sorted(set(train_text + validation_text))
    index = {c: k for k, c in enumerate(vocabulary)}
    train_ids = np.array([index[c] for c in train_text], dtype=np.int64)
    validation_ids = np.array([index[c] for c in validation_text], dtype=np.int64)
    windows = stream_windows(train_ids, spec["batch"], spec["window"])
    model = LanguageModel(len(vocabulary), spec["embedding"], spec["hidden"], spec["layers"],
                          spec["cell"], forget_bias=spec["forget_bias"],
                          dropout=spec["dropout"], seed=spec["seed"])
    optimizer = Adam(model, lr=spec["lr"])
    log, state = _Log(progress), None
    for step in range(spec["steps"] if stop_after is None else stop_after):
        k = step % len(windows)
        if k == 0:
            state = None                     # a new pass over the text starts from zeros
        x, y = windows[k]
        logits, state = model(x, state)
        loss, dlogits = softmax_cross_entropy(logits, y)
        _update(model, optimizer, spec, step, loss, dlogits)
        log.step(step, loss)
        if (step + 1) % spec["eval_every"] == 0 or step + 1 == spec["steps"]:
            log.evaluate(step + 1, validation_loss=stream_loss(model, validation_ids))
    return model, "".join(vocabulary), log


def stream_loss(model, ids, batch=64, window=256):
    """Mean cross-entropy per character (nats) of ``model`` on a stream, read in ``batch``
    parallel rows with the state carried across windows."""
    total, count, state = 0.0, 0, None
    with no_grad():
        for x, y in stream_windows(ids, batch, window):
            logits, state = model(x, state)
            loss, _ = softmax_cross_entropy(logits, y)
            total += loss * y.size
            count += y.size
    return total / count


def _poem_batches(poems, index):
    """Poems of one form as (x, y) id arrays (T, N): x is the boundary then the poem, y the
    poem then the boundary."""
    ids = np.array([[index[c] for c in BOUNDARY + text + BOUNDARY] for _, text in poems],
                   dtype=np.int64).T
    return ids[:-1], ids[1:]


def train_poems(spec, stop_after=None, progress=False):
    """Train ``spec``'s model on quatrains, one poem a sequence, a batch of one form at a time.

    With two forms, the model starts each poem from the learnt state of its form (the 1-to-N
    pattern); with one, from zeros. Logged at each evaluation: the validation loss and, for
    each form, the share of ``samples`` poems sampled at temperature 1 that have that form.
    Returns (model, vocabulary, log).
    """
    forms = spec["forms"]
    train_poems_, validation_poems = quatrains(forms)
    vocabulary = sorted({c for _, text in train_poems_ + validation_poems for c in text}
                        | {BOUNDARY})
    index = {c: k for k, c in enumerate(vocabulary)}
    conditioned = len(forms) > 1
    by_form = {f: _poem_batches([p for p in train_poems_ if p[0] == f], index) for f in forms}
    held_out = {f: _poem_batches([p for p in validation_poems if p[0] == f], index)
                for f in forms}
    model = LanguageModel(len(vocabulary), spec["embedding"], spec["hidden"], spec["layers"],
                          spec["cell"], conditions=len(forms) if conditioned else 0,
                          forget_bias=spec["forget_bias"], dropout=spec["dropout"],
                          seed=spec["seed"])
    optimizer = Adam(model, lr=spec["lr"])
    rng = np.random.default_rng(spec["seed"])
    sizes = np.array([by_form[f][0].shape[1] for f in forms])
    log = _Log(progress)
    for step in range(spec["steps"] if stop_after is None else stop_after):
        k = rng.choice(len(forms), p=sizes / sizes.sum())
        x, y = by_form[forms[k]]
        rows = rng.choice(x.shape[1], spec["batch"], replace=False)
        condition = np.full(spec["batch"], k) if conditioned else None
        logits, _ = model(x[:, rows], condition=condition)
        loss, dlogits = softmax_cross_entropy(logits, y[:, rows])
        _update(model, optimizer, spec, step, loss, dlogits)
        log.step(step, loss)
        if (step + 1) % spec["eval_every"] == 0 or step + 1 == spec["steps"]:
            measured = {"validation_loss": _poems_loss(model, held_out, forms, conditioned)}
            for k, form in enumerate(forms):
                texts = sample_poems(model, vocabulary, spec["samples"], spec["sample_length"],
                                     np.random.default_rng(1_000_003 + step),
                                     k if conditioned else None)
                measured[f"form_{form}"] = float(np.mean([has_form(t, form) for t in texts]))
            log.evaluate(step + 1, **measured)
    return model, "".join(vocabulary), log


def _poems_loss(model, held_out, forms, conditioned):
    total = count = 0
    with no_grad():
        for k, form in enumerate(forms):
            x, y = held_out[form]
            condition = np.full(x.shape[1], k) if conditioned else None
            loss, _ = softmax_cross_entropy(model(x, condition=condition)[0], y)
            total, count = total + loss * y.size, count + y.size
    return total / count


def sample_poems(model, vocabulary, n, length, rng, condition=None):
    """``n`` texts sampled at temperature 1 from the boundary token, in parallel, each cut at
    the next boundary (or after ``length`` characters): what the form accuracy is measured on.
    """
    boundary = vocabulary.index(BOUNDARY)
    token = np.full((1, n), boundary)
    state = None if condition is None else model.initial_state(np.full(n, condition))
    written = []
    with no_grad():
        for _ in range(length):
            logits, state = model(token, state)
            scores = logits[0].astype(np.float64)
            p = np.exp(scores - scores.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            u = rng.random((n, 1))
            token = np.minimum((p.cumsum(axis=1) < u).sum(axis=1), p.shape[1] - 1)[None]
            written.append(token[0])
    texts = ["".join(vocabulary[k] for k in column) for column in np.array(written).T]
    return [t.split(BOUNDARY)[0] for t in texts]


# -- the three experiments -----------------------------------------------------------------

def _finish(name, spec, model, vocabulary, log, out, extra):
    """Write ``name``.npz (weights and vocabulary) and ``name``.json (everything measured)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / f"{name}.npz", vocabulary=np.array(vocabulary),
                        **model.state_dict())
    seconds = time.perf_counter() - log.start
    result = {"experiment": name, "spec": spec, "vocabulary_size": len(vocabulary),
              "parameters": model.num_parameters(), "seconds": round(seconds, 1),
              "first_losses": log.first_losses, "curve": log.curve, **extra}
    (out / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False),
                                      encoding="utf-8")
    return result


def load_model(name, folder=RESULTS):
    """(model, vocabulary) from ``name``.npz, as the experiment wrote it."""
    spec = json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))["spec"]
    with np.load(Path(folder) / f"{name}.npz") as stored:
        vocabulary = str(stored["vocabulary"])
        weights = {k: stored[k] for k in stored.files if k != "vocabulary"}
    conditions = len(spec.get("forms", ())) if len(spec.get("forms", ())) > 1 else 0
    model = LanguageModel(len(vocabulary), spec["embedding"], spec["hidden"], spec["layers"],
                          spec["cell"], conditions=conditions, seed=0)
    model.load_state_dict(weights)
    return model, vocabulary


def load_results(name, folder=RESULTS):
    return json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))


def run_shakespeare(out=RESULTS, progress=True):
    spec = SHAKESPEARE
    model, vocabulary, log = train_stream(spec, progress=progress)
    trained = time.perf_counter() - log.start
    characters = spec["steps"] * spec["batch"] * spec["window"]
    prompt = [vocabulary.index(c) for c in spec["prompt"]]
    samples = {str(t): spec["prompt"] + "".join(
        vocabulary[k] for k in generate(model, prompt, spec["sample_length"], t, seed=1))
        for t in spec["temperatures"]}
    return _finish("shakespeare", spec, model, vocabulary, log, out, {
        "characters_per_second": round(characters / trained),
        "validation_loss": log.curve[-1]["validation_loss"], "samples": samples})


def run_forms(out=RESULTS, progress=True):
    spec = FORMS_MODEL
    model, vocabulary, log = train_poems(spec, progress=progress)
    boundary = [vocabulary.index(BOUNDARY)]
    samples = {str(form): ["".join(vocabulary[k] for k in generate(
        model, boundary, 4 * (form + 1), 1.0, seed=seed, condition=k)) for seed in range(5)]
        for k, form in enumerate(spec["forms"])}
    return _finish("forms", spec, model, vocabulary, log, out, {"samples": samples})


def _quatrain_run(spec, cell, lr, seed):
    run_spec = {**spec, "cell": cell, "lr": lr, "seed": seed}
    vocabulary_size = len({c for _, t in sum(quatrains(spec["forms"]), []) for c in t}) + 1
    run_spec["hidden"] = hidden_for(cell, _lstm_parameters(spec, vocabulary_size),
                                    vocabulary_size, spec["embedding"], spec["layers"])
    model, vocabulary, log = train_poems(run_spec)
    boundary = [vocabulary.index(BOUNDARY)]
    samples = ["".join(vocabulary[k] for k in generate(model, boundary, 24, 1.0, seed=s))
               for s in range(3)]
    return {"cell": cell, "lr": lr, "seed": seed, "hidden": run_spec["hidden"],
            "parameters": model.num_parameters(), "first_losses": log.first_losses,
            "curve": log.curve, "samples": samples,
            "seconds": round(time.perf_counter() - log.start, 1)}


def _lstm_parameters(spec, vocabulary_size):
    return LanguageModel(vocabulary_size, spec["embedding"], spec["parameters_like"],
                         spec["layers"], "lstm", seed=0).num_parameters()


def _final(run):
    return run["curve"][-1]


def run_quatrains(out=RESULTS, progress=True, jobs=2):
    """The form-accuracy comparison: every cell at every learning rate on seed 0, then each
    cell's best rate (by final validation loss) on the other seeds."""
    spec, start = QUATRAINS, time.perf_counter()
    first = [(cell, lr, spec["seeds"][0]) for cell in spec["cells"]
             for lr in spec["learning_rates"]]
    runs = _execute(spec, first, jobs, progress)
    best = {cell: min((r for r in runs if r["cell"] == cell),
                      key=lambda r: _final(r)["validation_loss"])["lr"] for cell in spec["cells"]}
    runs += _execute(spec, [(cell, best[cell], seed) for cell in spec["cells"]
                            for seed in spec["seeds"][1:]], jobs, progress)
    result = {"experiment": "quatrains", "spec": spec, "best_learning_rates": best,
              "wall_seconds": round(time.perf_counter() - start, 1), "runs": runs}
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "quatrains.json").write_text(json.dumps(result, indent=1, ensure_ascii=False),
                                              encoding="utf-8")
    return result


def _execute(spec, plan, jobs, progress):
    results = []
    with _one_thread_per_process(), concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_quatrain_run, spec, *p) for p in plan]
        for future in concurrent.futures.as_completed(futures):
            run = future.result()
            results.append(run)
            if progress:
                end = _final(run)
                print(f"{run['cell']} lr {run['lr']} seed {run['seed']}: validation loss "
                      f"{end['validation_loss']:.3f}, form {end['form_5']:.0%} "
                      f"({run['seconds']:.0f} s)", flush=True)
    return sorted(results, key=lambda r: plan.index((r["cell"], r["lr"], r["seed"])))


EXPERIMENTS = {"shakespeare": run_shakespeare, "quatrains": run_quatrains, "forms": run_forms}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.experiments.language_models",
        description="Train the language-model chapter's models and write their results.")
    parser.add_argument("experiments", nargs="+", choices=sorted(EXPERIMENTS),
                        help="which to train")
    parser.add_argument("--out", default=str(RESULTS),
                        help="the folder for NAME.npz and NAME.json (default: the shipped "
                             "results)")
    args = parser.parse_args(argv)
    for name in args.experiments:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        EXPERIMENTS[name](args.out)
        print(f"== {name}: {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
