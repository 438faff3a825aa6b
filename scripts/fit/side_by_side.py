#!/usr/bin/python3
"""Side-by-side timing of xpcs/fit and xpcs/twotime against scipy and numpy,
interleaved in one run so that both sides see the same machine load.

Usage: side_by_side.py [--rounds R] [--only fit|twotime]   (run from the module root)

Each round runs, one after the other:
  fit:     the Go benchmark BenchmarkFitCurves (single model, 36 curves of
           xpcs/fit/testdata/curves.json; LM and LBFGS with 1 start, with the
           default adaptive 3 starts, and with all 3 starts run) and
           scripts/fit/curvefit_scipy.py on the same curves;
  twotime: BenchmarkMatrix (1000 frames x 10000 pixels float32, OpenBLAS SYRK)
           and scripts/fit/twotime_numpy.py (X @ X.T and the normalised C).
It prints the medians over rounds and the ratios numpy-or-scipy / Go (> 1:
Go is faster).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


def go_test_binary(pkg, out):
    subprocess.run(["go", "test", "-c", "-o", out, pkg], check=True)


def run_go_bench(binary, pkgdir, bench, benchtime, metric):
    """Returns {name: value of metric} for one run of the benchmarks."""
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", bench, "-test.benchtime", benchtime,
                          "-test.count", "1"], cwd=pkgdir, check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        if not line.startswith("Benchmark"):
            continue
        f = line.split()
        name = re.sub(r"-\d+$", "", f[0])
        for i in range(2, len(f) - 1):
            if f[i + 1] == metric:
                res[name] = float(f[i])
    return res


def main(argv):
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    only = argv[argv.index("--only") + 1] if "--only" in argv else ""
    tmp = tempfile.mkdtemp(prefix="xpcs-side-")
    fitbin, ttbin = os.path.join(tmp, "fit.test"), os.path.join(tmp, "twotime.test")
    samples = {}

    def add(k, v):
        samples.setdefault(k, []).append(v)

    if only in ("", "fit"):
        go_test_binary("./xpcs/fit", fitbin)
    if only in ("", "twotime"):
        go_test_binary("./xpcs/twotime", ttbin)
    for r in range(rounds):
        if only in ("", "fit"):
            got = run_go_bench(fitbin, "xpcs/fit",
                               "FitCurves/model=single/method=(lm|lbfgs)/starts=(1|3|3-all)$", "10x", "s/bin")
            for k, v in got.items():
                add("go " + k.replace("BenchmarkFitCurves/", "fit "), v)
            out = subprocess.run([PY, os.path.join(HERE, "curvefit_scipy.py"), "xpcs/fit/testdata/curves.json",
                                  "--rounds", "3", "--json"], check=True, capture_output=True, text=True).stdout
            add("scipy curve_fit single (trf, bounds)", json.loads(out)["median_per_bin_seconds"])
        if only in ("", "twotime"):
            got = run_go_bench(ttbin, "xpcs/twotime", "Matrix/backend=openblas/", "3x", "ns/op")
            for k, v in got.items():
                add("go " + k.replace("BenchmarkMatrix/", "twotime "), v * 1e-9)
            out = subprocess.run([PY, os.path.join(HERE, "twotime_numpy.py"), "--rounds", "3", "--json"],
                                 check=True, capture_output=True, text=True).stdout
            d = json.loads(out)
            add("numpy twotime X @ X.T", d["median_product_seconds"])
            add("numpy twotime normalised C", d["median_full_seconds"])
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"{'case':72s} {'median':>12s}  n")
    for k in sorted(med):
        print(f"{k:72s} {med[k]*1e3:9.3f} ms  {len(samples[k])}")
    ref = med.get("scipy curve_fit single (trf, bounds)")
    if ref:
        for k in sorted(med):
            if k.startswith("go fit"):
                print(f"ratio scipy/Go for {k[7:]}: {ref / med[k]:.1f}x")
    ref = med.get("numpy twotime normalised C")
    if ref:
        for k in sorted(med):
            if k.startswith("go twotime"):
                print(f"ratio numpy/Go (normalised C) for {k[11:]}: {ref / med[k]:.2f}x "
                      f"(numpy X @ X.T alone: {med['numpy twotime X @ X.T']*1e3:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
