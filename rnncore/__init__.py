"""rnncore: a readable NumPy reference for RNN, LSTM and GRU that matches torch.nn.

It needs NumPy and nothing else. Where things live:

    cells.py       one time step of each cell, forward and backward: the book's equations
    layers.py      RNN, LSTM, GRU over whole sequences (layers, directions, BPTT)
    _kernels.py    the fast kernels behind the layers, tested equal to cells.py (private)
    dense.py       Linear readout and Embedding
    seq2seq.py     the encoder/decoder (N-to-M) model
    text.py        character language models: truncated-BPTT windows, the model, sampling
    losses.py      softmax cross-entropy and mean squared error
    optim.py       SGD, Adam, gradient clipping
    gradcheck.py   numerical gradients for checking backward passes
    data.py        synthetic tasks and a tiny text corpus
    module.py, validation.py   the layers' base class; argument checks with clear errors

The course built on it (figures, gate explorers, experiments, assignment checks) is the
separate package rnncourse.
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
from .module import Module, no_grad
from .optim import SGD, Adam, clip_grad_norm, grad_norm
from .seq2seq import Seq2Seq
from .text import LanguageModel, SplitMix64, generate, sample_index, stream_windows

__version__ = "0.1.0"

__all__ = [
    "GRU", "LSTM", "RNN", "SGD", "Adam", "Embedding", "LanguageModel", "Linear", "Module",
    "Seq2Seq", "SplitMix64", "generate", "sample_index", "stream_windows",
    "Vocabulary", "adding_problem", "clip_grad_norm", "copy_task", "format_report",
    "grad_norm", "gradient_check", "no_grad", "gru_step_backward", "gru_step_forward",
    "lstm_step_backward", "lstm_step_forward", "mse_loss", "numerical_gradient", "one_hot",
    "relative_error", "rnn_step_backward", "rnn_step_forward", "sigmoid",
    "softmax_cross_entropy", "temporal_order", "tiny_corpus",
]
