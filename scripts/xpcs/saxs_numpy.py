#!/usr/bin/python3
"""numpy reference for SAXS 1D: per-static-bin mean of a time-averaged image
with np.bincount, on a 1676x2100 float32 image (Rigaku 3M) with 360 radial
bins, as xpcs.SAXS1D / BenchmarkSAXS1D. Prints JSON with the median time."""
import argparse
import json
import time

import numpy as np


def saxs1d(img, labels, n):
    s = np.bincount(labels, weights=img, minlength=n + 1)
    c = np.bincount(labels, minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s / c)[1:]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=1676)
    p.add_argument("--cols", type=int, default=2100)
    p.add_argument("--bins", type=int, default=360)
    p.add_argument("--repeat", type=int, default=20)
    a = p.parse_args()
    y, x = np.mgrid[0:a.rows, 0:a.cols]
    r = np.hypot(x - 1677.5, y - 900.0)
    labels = (1 + np.minimum((r - r.min()) / (r.max() - r.min()) * a.bins, a.bins - 1)).astype(np.intp).ravel()
    img = ((np.arange(a.rows * a.cols) % 97) * 1e-3).astype(np.float32)
    times, cpus = [], []
    for _ in range(a.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        saxs1d(img, labels, a.bins)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    print(json.dumps({"kernel": "numpy bincount SAXS 1D", "shape": [a.rows, a.cols], "bins": a.bins,
                      "median_s": float(np.median(times)), "min_s": float(np.min(times)),
                      "cpu_median_s": float(np.median(cpus))}))


if __name__ == "__main__":
    main()
