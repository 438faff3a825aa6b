#!/usr/bin/python3
"""numpy reference for xpcs/twotime: the two-time correlation of one bin,
C = (X X^T / k) / (m m^T) with m the per-frame mean, for X of FRAMES x PIXELS
float32 (default 1000 x 10000, integer counts 0..19 as the Go benchmark).

Usage: twotime_numpy.py [--frames N] [--pixels K] [--rounds R] [--json]

Prints the median over R rounds of the product alone (X @ X.T, which numpy
hands to BLAS SYRK) and of the whole normalised matrix.
"""
import json
import sys
import time

import numpy as np


def arg(argv, name, default):
    if name in argv:
        return int(argv[argv.index(name) + 1])
    return default


def main(argv):
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    n = arg(argv, "--frames", 1000)
    k = arg(argv, "--pixels", 10000)
    rounds = arg(argv, "--rounds", 5)
    x = np.random.default_rng(1).integers(0, 20, size=(n, k)).astype(np.float32)
    prod, full = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        g = x @ x.T
        t1 = time.perf_counter()
        m = x.mean(axis=1, dtype=np.float64)
        c = (g / k) / np.outer(m, m).astype(np.float32)
        t2 = time.perf_counter()
        prod.append(t1 - t0)
        full.append(t2 - t0)
    res = {"frames": n, "pixels": k, "product_seconds": prod, "full_seconds": full,
           "median_product_seconds": float(np.median(prod)), "median_full_seconds": float(np.median(full))}
    if "--json" in argv:
        json.dump(res, sys.stdout)
        print()
    else:
        print(f"numpy two-time {n}x{k} float32: X @ X.T median {res['median_product_seconds']*1e3:.1f} ms, "
              f"normalised C median {res['median_full_seconds']*1e3:.1f} ms over {rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
