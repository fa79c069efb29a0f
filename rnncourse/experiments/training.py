"""Training recurrent models on N-to-1 tasks: read a sequence, answer at the last step.

A task (:class:`AddingTask`, :class:`TemporalOrderTask`, :class:`LanguageTask`) makes batches
and scores answers; :class:`SequenceModel` is a recurrent layer with a linear readout on its
last hidden state; :func:`train` runs mini-batch Adam with gradient clipping, evaluates on a
fixed held-out set, stops early at a target, and reports its progress.
"""

import numbers
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from rnncore import data
from rnncore.dense import Linear
from rnncore.layers import GRU, LSTM, RNN
from rnncore.losses import mse_loss, softmax_cross_entropy
from rnncore.module import Module, make_rng, no_grad
from rnncore.optim import Adam, clip_grad_norm
from rnncore.validation import check_choice, check_positive_int

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class SequenceModel(Module):
    """A recurrent layer and a Linear readout of its last hidden state: (T, B, D) -> (B, O).

    For the LSTM, ``input_bias`` and ``forget_bias`` are added to the input and forget gates'
    biases at initialisation: a negative input bias keeps the cell from writing until it has
    learnt what to write (Hochreiter & Schmidhuber, 1997, section 4), a positive forget bias
    keeps what it holds (Gers et al., 2000; Jozefowicz et al., 2015).
    """

    def __init__(self, cell, input_size, hidden_size, output_size, forget_bias=0.0,
                 input_bias=0.0, *, dtype=np.float32, seed=None, rng=None):
        super().__init__(dtype)
        self.cell = check_choice("cell", cell, tuple(CELLS))
        rng = make_rng(seed, rng)
        self.recurrent = self._add_child(
            "recurrent", CELLS[cell](input_size, hidden_size, dtype=dtype, rng=rng))
        self.readout = self._add_child("readout",
                                       Linear(hidden_size, output_size, dtype=dtype, rng=rng))
        if cell == "lstm":
            H = hidden_size
            self.recurrent.bias_ih_l0[:H] += input_bias
            self.recurrent.bias_ih_l0[H:2 * H] += forget_bias

    def forward(self, x):
        output, _ = self.recurrent(x)
        self._store(output.shape)
        return self.readout(output[-1])

    def backward(self, dy):
        doutput = np.zeros(self._stored_pass(), dtype=self.dtype)
        with self._gradients_kept_on_error():
            doutput[-1] = self.readout.backward(dy)
            self.recurrent.backward(doutput)


class Task:
    """Batches of (x, y) and how answers are scored. Subclasses set the sizes and data."""

    metric_name = "accuracy"
    higher_is_better = True
    min_length = 1
    max_length = 5000           # longer sequences would take hours to train here

    def __init__(self, length):
        if isinstance(length, bool) or not isinstance(length, numbers.Integral) or \
                not self.min_length <= length <= self.max_length:
            raise ValueError(f"length: expected an int from {self.min_length} to "
                             f"{self.max_length} for {type(self).__name__}, got {length!r}")
        self.length = int(length)

    def loss(self, prediction, y):
        return softmax_cross_entropy(prediction, y)

    def metric(self, prediction, y):
        return float(np.mean(prediction.argmax(axis=-1) == y))

    def reached(self, metric, target):
        return metric >= target if self.higher_is_better else metric <= target


class AddingTask(Task):
    """The adding problem: the sum of the two marked values (see :func:`data.adding_problem`).
    Solved at a mean squared error of 0.01; always answering 1 scores about 0.167."""

    metric_name, higher_is_better = "mse", False
    input_size, output_size, target, baseline = 2, 1, 0.01, 1.0 / 6.0
    min_length = 2              # one marker in each half

    def batch(self, n, rng):
        return data.adding_problem(n, self.length, rng=rng)

    def loss(self, prediction, y):
        return mse_loss(prediction, y)

    def metric(self, prediction, y):
        return float(np.mean((prediction - y) ** 2))


class TemporalOrderTask(Task):
    """The temporal-order task: which of X and Y came first, twice (4 classes)."""

    input_size, output_size, target, baseline = 8, 4, 0.95, 0.25
    min_length = 10

    def batch(self, n, rng):
        tokens, labels = data.temporal_order(n, self.length, rng=rng)
        return data.one_hot(tokens, self.input_size), labels


class LanguageTask(Task):
    """我是<country>人 ... 我会说 -> the language; ``length`` is the number of filler tokens."""

    input_size = len(data.LANGUAGE_VOCABULARY)
    output_size = len(data.LANGUAGES)
    target, baseline = 0.95, 1.0 / len(data.LANGUAGES)
    min_length = 0              # no filler: the sentence alone

    def batch(self, n, rng):
        tokens, labels = data.language_task(n, self.length, rng=rng)
        return data.one_hot(tokens, self.input_size), labels


TASKS = {"adding": AddingTask, "order": TemporalOrderTask, "language": LanguageTask}


class Progress:
    """One line that rewrites itself: in a terminal with a carriage return, in a notebook
    through an updated display."""

    def __init__(self, total, enabled=True, stream=None):
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stdout
        self.handle = None
        if enabled:
            try:
                from IPython import get_ipython
                shell = get_ipython()
            except ImportError:
                shell = None
            if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
                from IPython.display import display
                self.handle = display({"text/plain": ""}, raw=True, display_id=True)

    def update(self, step, text):
        if not self.enabled:
            return
        done = int(20 * step / self.total)
        line = f"[{'#' * done}{'.' * (20 - done)}] step {step}/{self.total}  {text}"
        if self.handle is not None:
            self.handle.update({"text/plain": line}, raw=True)
        else:
            self.stream.write("\r" + line)
            self.stream.flush()

    def close(self):
        if self.enabled and self.handle is None:
            self.stream.write("\n")


@dataclass
class TrainResult:
    """What a run did: its evaluations over time and how it ended."""
    history: list = field(default_factory=list)   # dicts: step, loss, metric
    steps: int = 0
    seconds: float = 0.0
    reached_target: bool = False
    diverged: str = ""       # why training stopped early with numbers it cannot go on with

    @property
    def final_metric(self):
        return self.history[-1]["metric"] if self.history else float("nan")

    @property
    def steps_per_second(self):
        return self.steps / self.seconds if self.seconds else float("nan")


def train(model, task, steps=3000, batch_size=32, lr=0.01, clip=1.0, eval_every=100,
          eval_size=500, target=None, seed=0, progress=True, on_evaluation=None):
    """Train ``model`` on ``task`` with Adam and gradient-norm clipping.

    Evaluates every ``eval_every`` steps on ``eval_size`` held-out sequences (drawn once, from
    their own seed) and stops as soon as the metric reaches ``target`` (the task's own
    target when None). Deterministic for a given seed.
    """
    steps = check_positive_int("steps", steps)
    target = task.target if target is None else target
    batches = np.random.default_rng(seed)
    x_eval, y_eval = task.batch(eval_size, np.random.default_rng(seed + 1_000_003))
    x_eval = x_eval.astype(model.dtype)
    if y_eval.dtype.kind == "f":
        y_eval = y_eval.astype(model.dtype)
    optimizer = Adam(model, lr=lr)
    result = TrainResult()
    bar = Progress(steps, enabled=progress)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = task.batch(batch_size, batches)
        if y.dtype.kind == "f":
            y = y.astype(model.dtype)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                loss, dprediction = task.loss(model(x.astype(model.dtype)), y)
            if not np.isfinite(loss):
                raise FloatingPointError(f"the loss is {loss}")
            model.backward(dprediction.astype(model.dtype))
            clip_grad_norm(model, clip)
            optimizer.step()
        except FloatingPointError as error:
            # A run that diverges says so in its result, so that a sweep goes on.
            result.diverged = f"step {step}: {error}"
            result.history.append({"step": step, "loss": float("nan"),
                                   "metric": float("nan")})
            bar.update(step, f"diverged: {error}")
            break
        if step % eval_every == 0 or step == steps:
            with no_grad():
                metric = task.metric(model(x_eval), y_eval)
            result.history.append({"step": step, "loss": loss, "metric": metric})
            bar.update(step, f"loss {loss:.4f}  eval {task.metric_name} {metric:.4f}")
            if on_evaluation is not None:
                on_evaluation(step, metric)
            if task.reached(metric, target):
                result.reached_target = True
                break
    result.steps = step
    result.seconds = time.perf_counter() - start
    bar.close()
    return result
