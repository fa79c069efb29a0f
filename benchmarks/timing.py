"""Timing shared by the benchmarks: medians of functions run in turn."""

import statistics
import time


def elapsed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved_medians(fns, repeats):
    """Median time of each function, run in turn so that a noisy machine slows all alike."""
    for fn in fns:
        fn()                                         # warm-up: allocations, BLAS init
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, bucket in zip(fns, times):
            bucket.append(elapsed(fn))
    return [statistics.median(bucket) for bucket in times]
