#!/usr/bin/python3
"""scipy reference for xpcs/fit: curve_fit of the single-exponential g2 model
a*exp(-2 t/b) + d with the default bounds (a [0.01, 1], b [1e-5, 100] s,
d [0.9, 1.1]), weighted by the error bars (sigma=err, absolute_sigma=False),
on the curves of xpcs/fit/testdata/curves.json (or any file of that shape).

Usage: curvefit_scipy.py CURVES.json [--rounds N] [--json]

Prints the median time per q bin over N rounds (each round fits every curve
once) and, with --json, a JSON document with the parameters and errors of
every bin (used by the Go agreement test) on stdout.

The starting point is the same data-driven guess as xpcs/fit (d from the
tail, a from the head, b from the 1/e crossing), so both sides solve the same
problem from the same place.
"""
import json
import math
import sys
import time

import numpy as np
from scipy.optimize import curve_fit


def model(t, a, b, d):
    return a * np.exp(-2 * t / b) + d


LO = [0.01, 1e-5, 0.9]
HI = [1.0, 100.0, 1.1]


def guess(t, y):
    n = len(y)
    tail = max(1, n // 10)
    head = max(1, min(3, n // 10))
    d = float(np.mean(y[n - tail:]))
    a = float(np.mean(y[:head])) - d
    d = min(max(d, LO[2]), HI[2])
    a = min(max(a, LO[0]), HI[0])
    thr = d + a / math.e
    th = float(np.mean(t[:head]))
    tau = 2 * t[-1]
    for i in range(n):
        if y[i] < thr:
            if i == 0:
                tau = 2 * t[0]
                break
            t0, t1, y0, y1 = t[i - 1], t[i], y[i - 1], y[i]
            f = 0.5 if y0 == y1 else (y0 - thr) / (y0 - y1)
            tau = 2 * math.exp(math.log(t0) + f * (math.log(t1) - math.log(t0)))
            break
    a = min(max(a * min(10.0, math.exp(2 * th / tau)), LO[0]), HI[0])
    tau = min(max(tau, LO[1]), HI[1])
    return [a, tau, d]


def fit_all(t, g2, err):
    out = []
    for y, e in zip(g2, err):
        p0 = guess(t, y)
        p, cov = curve_fit(model, t, y, p0=p0, sigma=e, absolute_sigma=False, bounds=(LO, HI))
        out.append((p, np.sqrt(np.diag(cov))))
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    rounds = 7
    if "--rounds" in argv:
        rounds = int(argv[argv.index("--rounds") + 1])
    with open(argv[1]) as f:
        cs = json.load(f)
    t = np.asarray(cs["t"], dtype=float)
    g2 = [np.asarray(v, dtype=float) for v in cs["g2"]]
    err = [np.asarray(v, dtype=float) for v in cs["err"]]
    times = []
    res = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        res = fit_all(t, g2, err)
        times.append((time.perf_counter() - t0) / len(g2))
    med = float(np.median(times))
    if "--json" in argv:
        json.dump({
            "per_bin_seconds": times,
            "median_per_bin_seconds": med,
            "params": [[float(v) for v in p] for p, _ in res],
            "errors": [[float(v) for v in e] for _, e in res],
        }, sys.stdout)
        print()
    else:
        print(f"scipy curve_fit (trf, bounds): {len(g2)} bins, median {med*1e3:.3f} ms/bin over {rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
