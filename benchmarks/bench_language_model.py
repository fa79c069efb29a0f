"""Time one training update of the Shakespeare language model, rnncore against torch.nn in the
same process: embedding, LSTM, readout, cross-entropy, backward, clipping, Adam.

    python benchmarks/bench_language_model.py [--repeats N]

The model and batch are the chapter's (rnncourse.experiments.language_models.SHAKESPEARE,
float32), on two BLAS / intra-op threads as the chapter trains, the two libraries taking
turns. Prints characters a second for each and the ratio of their times (target: rnncore
<= 1.5 times torch's). Without torch installed, prints rnncore's alone.
"""

import argparse

import numpy as np
from timing import interleaved_medians

from rnncore.losses import softmax_cross_entropy
from rnncore.optim import Adam, clip_grad_norm
from rnncore.text import LanguageModel
from rnncourse.experiments.language_models import SHAKESPEARE

try:
    import torch
except ImportError:
    torch = None

VOCABULARY = 65


def rnncore_update(model, optimizer, x, y):
    def run():
        logits, _ = model(x)
        _, dlogits = softmax_cross_entropy(logits, y)
        model.backward(dlogits)
        clip_grad_norm(model, SHAKESPEARE["clip"])
        optimizer.step()
    return run


def torch_update(layers, optimizer, x, y):
    embedding, lstm, readout = layers
    parameters = [p for layer in layers for p in layer.parameters()]

    def run():
        optimizer.zero_grad()
        output, _ = lstm(embedding(x))
        logits = readout(output)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCABULARY), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, SHAKESPEARE["clip"])
        optimizer.step()
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    spec = SHAKESPEARE
    T, B, E, H = spec["window"], spec["batch"], spec["embedding"], spec["hidden"]
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCABULARY, (T, B))
    y = rng.integers(0, VOCABULARY, (T, B))
    ours = LanguageModel(VOCABULARY, E, H, seed=0)        # dropout off in both: same work
    fns = [rnncore_update(ours, Adam(ours, lr=spec["lr"]), x, y)]
    if torch is not None:
        torch.set_num_threads(2)
        layers = (torch.nn.Embedding(VOCABULARY, E), torch.nn.LSTM(E, H),
                  torch.nn.Linear(H, VOCABULARY))
        optimizer = torch.optim.Adam([p for layer in layers for p in layer.parameters()],
                                     lr=spec["lr"])
        fns.append(torch_update(layers, optimizer, torch.from_numpy(x), torch.from_numpy(y)))
    times = interleaved_medians(fns, args.repeats)
    characters = T * B
    print(f"LSTM language model, V={VOCABULARY} E={E} H={H}, T={T} B={B}, float32")
    print(f"rnncore: {times[0] * 1e3:8.1f} ms an update, {characters / times[0]:8,.0f} "
          "characters a second")
    if torch is not None:
        print(f"torch:   {times[1] * 1e3:8.1f} ms an update, {characters / times[1]:8,.0f} "
              "characters a second")
        print(f"ratio rnncore / torch: {times[0] / times[1]:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
