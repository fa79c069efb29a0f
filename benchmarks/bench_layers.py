"""Time LSTM and GRU forward+backward in float32, rnncore against torch.nn in the same process.

    python benchmarks/bench_layers.py [--repeats N]

Both run with a single BLAS / intra-op thread, taking turns, so that load from elsewhere on
the machine slows both alike. Prints the median time of each and the ratio rnncore / torch
(the targets: <= 1.3 at T=100, B=32, D=H=128 and <= 3 at T=100, B=1, D=H=32).
Without torch installed, prints rnncore's times alone.
"""

import argparse
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
from timing import interleaved_medians  # noqa: E402

import rnncore  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

SIZES = [(100, 32, 128, 128, 1.3), (100, 1, 32, 32, 3.0)]   # T, B, D, H, target ratio


def rnncore_step(layer, x, dout):
    def run():
        layer.forward(x)
        layer.backward(dout)
    return run


def torch_step(layer, x, dout):
    def run():
        out, _ = layer(x)
        out.backward(dout)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    print(f"{'cell':5} {'T':>4} {'B':>3} {'D=H':>4}  {'rnncore ms':>10} {'torch ms':>9} "
          f"{'ratio':>6} {'target':>6}")
    for name in ("LSTM", "GRU"):
        for T, B, D, H, target in SIZES:
            rng = np.random.default_rng(0)
            ours = getattr(rnncore, name)(D, H, dtype=np.float32, seed=0)
            x = rng.standard_normal((T, B, D)).astype(np.float32)
            dout = rng.standard_normal((T, B, H)).astype(np.float32)
            fns = [rnncore_step(ours, x, dout)]
            if torch is not None:
                theirs = getattr(torch.nn, name)(D, H)
                theirs.load_state_dict({k: torch.from_numpy(v)
                                        for k, v in ours.state_dict().items()})
                xt = torch.from_numpy(x).requires_grad_()
                fns.append(torch_step(theirs, xt, torch.from_numpy(dout)))
            times = interleaved_medians(fns, args.repeats)
            line = f"{name:5} {T:4} {B:3} {D:4}  {times[0] * 1e3:10.2f}"
            if torch is not None:
                line += f" {times[1] * 1e3:9.2f} {times[0] / times[1]:6.2f} {target:6.1f}"
            print(line)


if __name__ == "__main__":
    main()
