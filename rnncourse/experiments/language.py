"""How a gated model holds the language task's answer, and how that changes as it trains
(the summary chapter's look inside the long-range experiments)."""

import math

import numpy as np

from rnncore.cells import gru_step_forward, lstm_step_forward
from rnncore.module import no_grad
from rnncore.validation import check_choice

from .training import LanguageTask, SequenceModel, train


def state(model, x, labels):
    """How a gated ``SequenceModel`` holds the language task's answer: ``x`` one-hot sentences
    (T, B, V) with the country word at step 2 and fillers from step 4 to T - 4, ``labels``
    their countries (B,).

    Gates: one that writes and one that keeps, the LSTM's input gate i and forget gate f, the
    GRU's 1 - z and z (h = (1 - z) n + z h_prev). Returns means over sentences and units:
    "written_word", the write gate at the country word; "written_filler", the write gate at
    the fillers; "kept", the product of the keep gates from the word to the end (for the unit
    that keeps most: one unit is enough to carry the word); "share", the
    fraction of the variance of h_T (across sentences) that the country explains, the signal
    the readout can use; and for the LSTM "cell", |c_T|, and "slope", tanh'(c_T), the factor
    on every change of the cell before it reaches h_T.
    """
    cell = check_choice("model.cell", model.cell, ("lstm", "gru"))
    labels = np.asarray(labels)
    layer = model.recurrent
    weights = {name.removesuffix("_l0"): value.astype(np.float64)
               for name, value in layer.params.items()}
    B, H = x.shape[1], layer.hidden_size
    h, c = np.zeros((B, H)), np.zeros((B, H))
    write, keep = [], []
    for x_t in x.astype(np.float64):
        if cell == "lstm":
            (h, c), cache = lstm_step_forward(x_t, h, c, **weights)
            write.append(cache.i)
            keep.append(cache.f)
        else:
            h, cache = gru_step_forward(x_t, h, **weights, reset_after=layer.reset_after)
            write.append(1 - cache.z)
            keep.append(cache.z)
    groups = [h[labels == k] for k in np.unique(labels)]
    between = sum(len(g) * (g.mean(axis=0) - h.mean(axis=0)) ** 2 for g in groups) / B
    state = {"written_word": float(np.mean(write[2])),
             "written_filler": float(np.mean(write[4:-3])) if len(write) > 7 else None,
             "kept": float(np.max(np.mean(np.prod(keep[3:], axis=0), axis=0))),
             "share": float(np.mean(between / np.maximum(h.var(axis=0), 1e-300)))}
    if cell == "lstm":
        state.update(cell=float(np.mean(np.abs(c))),
                     slope=float(np.mean(1 - np.tanh(c) ** 2)))
    return state


def training_trace(cell="lstm", input_bias=0.0, forget_bias=0.0, fillers=100,
                            steps=200, every=10, lr=0.03, *, seed=0):
    """:func:`state` every ``every`` steps while a model of the summary's sweep
    trains on the language task (the sweep's settings otherwise). Returns a dict of lists:
    "step" and each field of :func:`state`, plus "accuracy" on the same 500
    held-out sentences."""
    task = LanguageTask(fillers)
    x, labels = task.batch(500, np.random.default_rng(seed + 2_000_003))
    biases = {"input_bias": input_bias, "forget_bias": forget_bias} if cell == "lstm" else {}
    model = SequenceModel(cell, task.input_size, 32, task.output_size, **biases, seed=seed)
    trace = {}

    def record(step, *_):
        with no_grad():
            accuracy = float(np.mean(model(x.astype(model.dtype)).argmax(axis=-1) == labels))
        for key, value in {"step": step, **state(model, x, labels),
                           "accuracy": accuracy}.items():
            trace.setdefault(key, []).append(value)
    record(0)
    train(model, task, steps=steps, lr=lr, eval_every=every, seed=seed, progress=False,
          target=math.inf, on_evaluation=record)
    return trace
