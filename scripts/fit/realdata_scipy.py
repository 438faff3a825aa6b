#!/usr/bin/python3
"""scipy side of the Go test TestFitRealDataVsScipy (cmd_fit_scipy_test.go):
curve_fit of one g2 model per curve, with the default bounds of xpcs/fit, the
error bars as weights (sigma=err, absolute_sigma=False) and the same
data-driven start as curvefit_scipy.py (c starts at 1).

Usage: realdata_scipy.py CURVES.json

CURVES.json: {"model": "single"|"stretched", "curves": [{"t": [...], "y": [...],
"e": [...]}, ...]} (t in seconds; points already filtered as xpcs/fit does).
Prints JSON: per curve {"ok": bool, "params": [...], "chi2": float, "dof": int,
"redchi2": float, "msg": str}; ok is false when curve_fit raises (no
convergence) or returns non-finite parameters.

Run with Debian's /usr/bin/python3 (python3-scipy).
"""
import json
import math
import os
import sys

import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from curvefit_scipy import guess, LO, HI  # noqa: E402  (a, b, d bounds)


def single(t, a, b, d):
    return a * np.exp(-2 * t / b) + d


def stretched(t, a, b, c, d):
    return a * np.exp(-2 * (t / b) ** c) + d


def main(argv):
    with open(argv[1]) as f:
        doc = json.load(f)
    out = []
    for cv in doc["curves"]:
        t, y, e = (np.asarray(cv[k], dtype=float) for k in ("t", "y", "e"))
        a, b, d = guess(t, y)
        if doc["model"] == "single":
            fn, p0, lo, hi = single, [a, b, d], LO, HI
        else:
            fn, p0 = stretched, [a, b, 1.0, d]
            lo, hi = [LO[0], LO[1], 0.5, LO[2]], [HI[0], HI[1], 2.0, HI[2]]
        try:
            p, _ = curve_fit(fn, t, y, p0=p0, sigma=e, absolute_sigma=False, bounds=(lo, hi), maxfev=20000)
            ok = bool(np.all(np.isfinite(p)))
            msg = ""
        except Exception as exc:  # RuntimeError: no convergence; ValueError: bad input
            p, ok, msg = np.full(len(p0), np.nan), False, str(exc)
        chi2 = float(np.sum(((y - fn(t, *p)) / e) ** 2)) if ok else math.nan
        dof = len(t) - len(p0)
        out.append({"ok": ok, "params": [float(v) for v in p], "chi2": chi2, "dof": dof,
                    "redchi2": chi2 / dof if ok and dof > 0 else math.nan, "msg": msg})
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
