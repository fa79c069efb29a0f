"""The N-to-M pattern: an encoder reads the source sequence into a state, and a decoder
generates the target sequence from that state (Sutskever et al., 2014; Cho et al., 2014)."""

import numbers

import numpy as np

from .dense import Embedding, Linear
from .layers import GRU, LSTM, RNN
from .module import Module, make_rng, no_grad
from .validation import (
    check_choice,
    check_float_array,
    check_int_array,
    check_positive_int,
    check_shape,
)

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class Seq2Seq(Module):
    """Encoder-decoder over token ids, time-major.

    src (T_src, B) ids -> embedding -> encoder -> final state (h_n, or (h_n, c_n))
    tgt_in (T_tgt, B) ids -> embedding -> decoder started from that state -> Linear -> logits

    Args:
        src_vocab_size, tgt_vocab_size: vocabulary sizes.
        embedding_size (E), hidden_size (H), num_layers: shared by encoder and decoder.
        cell: "rnn", "lstm" or "gru". dtype, seed / rng as for the layers.

    Parameters are named ``src_embedding.weight``, ``encoder.weight_ih_l0``, ...,
    ``decoder.*``, ``tgt_embedding.weight``, ``readout.weight``, ``readout.bias``.
    """

    def __init__(self, src_vocab_size, tgt_vocab_size, embedding_size, hidden_size,
                 cell="lstm", num_layers=1, *, dtype=np.float64, seed=None, rng=None):
        super().__init__(dtype)
        self.cell = check_choice("cell", cell, tuple(CELLS))
        for name, value in (("src_vocab_size", src_vocab_size),
                            ("tgt_vocab_size", tgt_vocab_size),
                            ("embedding_size", embedding_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            check_positive_int(name, value)
        self.tgt_vocab_size = tgt_vocab_size
        rng = make_rng(seed, rng)
        kw = {"dtype": dtype, "rng": rng}
        layer = CELLS[cell]
        self.src_embedding = self._add_child(
            "src_embedding", Embedding(src_vocab_size, embedding_size, **kw))
        self.encoder = self._add_child(
            "encoder", layer(embedding_size, hidden_size, num_layers, **kw))
        self.tgt_embedding = self._add_child(
            "tgt_embedding", Embedding(tgt_vocab_size, embedding_size, **kw))
        self.decoder = self._add_child(
            "decoder", layer(embedding_size, hidden_size, num_layers, **kw))
        self.readout = self._add_child("readout", Linear(hidden_size, tgt_vocab_size, **kw))

    def forward(self, src, tgt_in):
        """Teacher forcing: the decoder reads the true previous token at every step.

        src: (T_src, B) ids; tgt_in: (T_tgt, B) ids, usually [bos, y_1, ..., y_{T_tgt-1}].
        Returns logits (T_tgt, B, tgt_vocab_size) for [y_1, ..., y_T_tgt].
        """
        src = self._check_ids("src", src, "T_src")
        tgt_in = check_int_array("tgt_in", tgt_in, 0, self.tgt_vocab_size)
        check_shape("tgt_in", tgt_in, ("T_tgt", ("B", src.shape[1])))
        if tgt_in.shape[0] == 0:
            raise ValueError(f"tgt_in: expected at least one step, got shape {tgt_in.shape}")
        encoder_output, state = self.encoder(self.src_embedding(src))
        decoder_output, _ = self.decoder(self.tgt_embedding(tgt_in), state)
        logits = self.readout(decoder_output)
        self._store((encoder_output.shape, logits.shape))
        return logits

    def _check_ids(self, name, ids, steps):
        ids = check_int_array(name, ids, 0, self.src_embedding.num_embeddings)
        check_shape(name, ids, (steps, "B"))
        if ids.shape[0] == 0:
            raise ValueError(f"{name}: expected at least one step, got shape {ids.shape}")
        return ids

    def backward(self, dlogits):
        """dlogits: (T_tgt, B, tgt_vocab_size). Fills ``grads`` for every parameter."""
        encoder_output_shape, logits_shape = self._stored_pass()
        dlogits = check_float_array("dlogits", dlogits, dtype=self.dtype)
        check_shape("dlogits", dlogits, (("T_tgt", logits_shape[0]), ("B", logits_shape[1]),
                                         ("tgt_vocab_size", self.tgt_vocab_size)))
        with self._gradients_kept_on_error():
            ddecoder_output = self.readout.backward(dlogits)
            dtgt, dstate = self.decoder.backward(ddecoder_output)
            self.tgt_embedding.backward(dtgt)
            # The encoder's outputs are unused; its final state is what the decoder started
            # from.
            zeros = np.zeros(encoder_output_shape, dtype=self.dtype)
            dsrc, _ = self.encoder.backward(zeros, dstate)
            self.src_embedding.backward(dsrc)

    def greedy_decode(self, src, bos_id, max_len):
        """Generate max_len tokens, each step feeding back the most likely previous token.

        src: (T_src, B) ids; bos_id: the start token. Returns ids (max_len, B).
        """
        src = self._check_ids("src", src, "T_src")
        if isinstance(bos_id, bool) or not isinstance(bos_id, numbers.Integral) or \
                not 0 <= bos_id < self.tgt_vocab_size:
            raise ValueError(f"bos_id: expected an int in [0, {self.tgt_vocab_size}), "
                             f"got {bos_id!r}")
        max_len = check_positive_int("max_len", max_len)
        with no_grad():     # generation stores nothing: a training pass stays ready for backward
            _, state = self.encoder(self.src_embedding(src))
            token = np.full((1, src.shape[1]), bos_id)
            generated = []
            for _ in range(max_len):
                output, state = self.decoder(self.tgt_embedding(token), state)
                token = self.readout(output).argmax(axis=-1)
                generated.append(token[0])
        return np.stack(generated)
