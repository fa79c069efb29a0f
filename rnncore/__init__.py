"""rnncore: a readable NumPy reference for RNN, LSTM and GRU that matches torch.nn.

Where things live:
    cells.py      one time step of each cell, forward and backward (the maths)
    layers.py     RNN, LSTM, GRU over whole sequences (layers, directions, BPTT)
    dense.py      Linear readout and Embedding
    seq2seq.py    the encoder/decoder (N-to-M) model
    losses.py     softmax cross-entropy and mean squared error
    optim.py      SGD, Adam, gradient clipping
    gradcheck.py  numerical gradients for checking backward passes
    data.py       synthetic tasks and a tiny text corpus
    training.py   tasks, a sequence model and the training loop
    experiments.py  the long-range experiments (python -m rnncore.experiments)
    explore.py, diagrams.py, plotting.py, widgets.py, grading.py: the book's experiments,
                  figures and sliders, and the assignments' checks (imported on their own)
"""

from .cells import (
                    gru_step_backward,
                    gru_step_forward,
                    lstm_step_backward,
                    lstm_step_forward,
                    rnn_step_backward,
                    rnn_step_forward,
                    sigmoid,
)
from .data import Vocabulary, adding_problem, copy_task, one_hot, temporal_order, tiny_corpus
from .dense import Embedding, Linear
from .gradcheck import format_report, gradient_check, numerical_gradient, relative_error
from .layers import GRU, LSTM, RNN
from .losses import mse_loss, softmax_cross_entropy
from .module import Module
from .optim import SGD, Adam, clip_grad_norm, grad_norm
from .seq2seq import Seq2Seq

__version__ = "0.1.0"

__all__ = [
    "GRU", "LSTM", "RNN", "SGD", "Adam", "Embedding", "Linear", "Module", "Seq2Seq",
    "Vocabulary", "adding_problem", "clip_grad_norm", "copy_task", "format_report",
    "grad_norm", "gradient_check", "gru_step_backward", "gru_step_forward",
    "lstm_step_backward", "lstm_step_forward", "mse_loss", "numerical_gradient", "one_hot",
    "relative_error", "rnn_step_backward", "rnn_step_forward", "sigmoid",
    "softmax_cross_entropy", "temporal_order", "tiny_corpus",
]
