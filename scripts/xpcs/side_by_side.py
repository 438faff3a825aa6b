#!/usr/bin/python3
"""Side-by-side speed of the Go XPCS kernels and their numpy references, in
one run, alternating rounds so that both see the same machine load.

  multi-tau: Go BenchmarkMultiTau (1000x256x256, in-memory, all pixels binned;
             portable build and GOEXPERIMENT=simd build, 1 and all workers)
             vs scripts/xpcs/multitau_numpy.py --bench (same shape).
  SAXS 1D:   Go BenchmarkSAXS1D (1676x2100 float32, 360 bins) vs np.bincount.

Prints medians over --rounds and the ratios Go/numpy. Wall-clock figures;
the Go benchmark also reports Mpixel-frames per CPU-second, which does not
count time spent waiting for a core on a shared machine.
Usage: /usr/bin/python3 scripts/xpcs/side_by_side.py [--rounds 5]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "xpcs")
PY = "/usr/bin/python3"


def build(tmp, simd):
    env = dict(os.environ)
    if simd:
        env["GOEXPERIMENT"] = "simd"
    out = os.path.join(tmp, "xpcs-simd.test" if simd else "xpcs.test")
    subprocess.run(["go", "test", "-c", "-o", out, "./xpcs"], cwd=ROOT, env=env, check=True)
    return out


def gobench(binary, pattern):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", "1x"],
                         cwd=os.path.join(ROOT, "xpcs"), capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        if not line.startswith("Benchmark"):
            continue
        name = re.sub(r"-\d+$", "", line.split()[0])
        vals = dict((u, float(v)) for v, u in re.findall(r"([\d.e+-]+) (\S+)", line))
        res[name] = vals
    return res


def gosaxs(binary):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", "SAXS1D$", "-test.benchtime", "20x"],
                         cwd=os.path.join(ROOT, "xpcs"), capture_output=True, text=True, check=True).stdout
    m = re.search(r"BenchmarkSAXS1D\S*\s+\d+\s+([\d.]+) ns/op.*?([\d.]+) cpu-ms/op", out)
    return float(m.group(1)) / 1e9, float(m.group(2)) / 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", help="also write the raw figures here")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bins = {"portable": build(tmp, False), "simd": build(tmp, True)}
        mt = {}  # label -> list of Mpixel-frames/s
        cpu = {}
        saxs = {"numpy": []}
        saxscpu = {"numpy": []}
        for r in range(a.rounds):
            np_out = subprocess.run([PY, os.path.join(HERE, "multitau_numpy.py"), "--bench", "--repeat", "1"],
                                    capture_output=True, text=True, check=True).stdout
            j = json.loads(np_out)
            mt.setdefault("numpy", []).append(j["mpixel_frames_per_s"])
            cpu.setdefault("numpy", []).append(j["mpixel_frames_per_cpu_s"])
            for label, b in bins.items():
                res = gobench(b, "MultiTau/1000x256x256/")
                for name, vals in res.items():
                    key = "go-%s/%s" % (label, name.split("/")[-1])
                    mt.setdefault(key, []).append(vals["Mpixel-frames/s"])
                    cpu.setdefault(key, []).append(vals.get("Mpixel-frames/cpu-s", float("nan")))
                w, c = gosaxs(b)
                saxs.setdefault("go-" + label, []).append(w)
                saxscpu.setdefault("go-" + label, []).append(c)
            s_out = subprocess.run([PY, os.path.join(HERE, "saxs_numpy.py"), "--repeat", "5"],
                                   capture_output=True, text=True, check=True).stdout
            j = json.loads(s_out)
            saxs["numpy"].append(j["median_s"])
            saxscpu["numpy"].append(j["cpu_median_s"])
            print("round %d/%d done" % (r + 1, a.rounds), file=sys.stderr)
    npm = statistics.median(mt["numpy"])
    npc = statistics.median(cpu["numpy"])
    print("multi-tau 1000x256x256, Mpixel-frames/s, median of %d rounds (numpy is single-threaded)" % a.rounds)
    print("%-28s %10s %9s %12s %9s" % ("kernel", "wall", "vs numpy", "per CPU-s", "vs numpy"))
    for k in sorted(mt):
        med, c = statistics.median(mt[k]), statistics.median(cpu[k])
        print("%-28s %10.1f %8.1fx %12.1f %8.1fx" % (k, med, med / npm, c, c / npc))
    nps, npsc = statistics.median(saxs["numpy"]), statistics.median(saxscpu["numpy"])
    print("\nSAXS 1D 1676x2100, 360 bins, ms, median of %d rounds" % a.rounds)
    print("%-28s %10s %9s %12s %9s" % ("kernel", "wall ms", "speed-up", "CPU ms", "speed-up"))
    for k in sorted(saxs):
        med, c = statistics.median(saxs[k]), statistics.median(saxscpu[k])
        print("%-28s %10.2f %8.1fx %12.2f %8.1fx" % (k, med * 1e3, nps / med, c * 1e3, npsc / c))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"multitau": mt, "multitau_cpu": cpu, "saxs": saxs, "saxs_cpu": saxscpu}, f, indent=1)


if __name__ == "__main__":
    main()
