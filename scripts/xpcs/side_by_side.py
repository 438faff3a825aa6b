#!/usr/bin/python3
"""Side-by-side speed of the Go XPCS kernels and their numpy references, in
one run, alternating rounds so that both see the same machine load.

  multi-tau, in memory: Go BenchmarkMultiTau (streaming correlator) and
             BenchmarkPixelMajor (whole stack, pixel-major) (1000x256x256,
             all pixels binned, every path of the default cgo build --
             portable, avx2, avx512 as the CPU allows -- plus simd from a
             GOEXPERIMENT=simd build; 1 and all workers) vs
             multitau_numpy.py --bench.
  multi-tau, kernel only: Go BenchmarkKernel (64 pixels, everything in
             cache, one worker) per path: the path's arithmetic ceiling.
  multi-tau, end to end: `xpcs-perf correlate` (HDF5 read + correlation +
             result write) of a synthetic 1000x256x256 uint16 file per path
             (XPCS_KERNEL), memory-mapped (the default for uncompressed
             files) and --stream, vs multitau_numpy.py --raw (h5py read +
             correlation) of the same file; the command's own time and the
             whole process's.
  SAXS 1D:   Go BenchmarkSAXS1D (1676x2100 float32, 360 bins) vs np.bincount.

Prints medians over --rounds and the ratios Go/numpy, wall-clock and per
CPU-second (user+system time, which does not count waiting for a core on a
shared machine), and the fraction of the arithmetic limit: ~12
multiply-adds per pixel-frame against 8 float64 multiply-adds per cycle and
core (two 256-bit multiply and two 256-bit add pipes, unfused as the
kernels compute) at the clock of /proc/cpuinfo (or --ghz).
Usage: /usr/bin/python3 scripts/xpcs/side_by_side.py [--rounds 5]
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "xpcs")
PY = "/usr/bin/python3"
MACS = 12          # multiply-adds per pixel-frame (xpcs limitMACs)
MACS_PER_CYCLE = 8  # float64, per core
SHAPE = (1000, 256, 256)


def build(tmp, simd):
    env = dict(os.environ)
    if simd:
        env["GOEXPERIMENT"] = "simd"
    tag = "simd" if simd else "default"
    test = os.path.join(tmp, "xpcs-%s.test" % tag)
    cli = os.path.join(tmp, "xpcs-perf-%s" % tag)
    subprocess.run(["go", "test", "-c", "-o", test, "./xpcs"], cwd=ROOT, env=env, check=True)
    subprocess.run(["go", "build", "-o", cli, "."], cwd=ROOT, env=env, check=True)
    return test, cli


def gobench(binary, pattern, benchtime="1x", kernel=None):
    env = dict(os.environ)
    env.pop("XPCS_KERNEL", None)
    if kernel:
        env["XPCS_KERNEL"] = kernel
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime],
                         cwd=os.path.join(ROOT, "xpcs"), capture_output=True, text=True, check=True, env=env).stdout
    res = {}
    for line in out.splitlines():
        if not line.startswith("Benchmark"):
            continue
        name = re.sub(r"-\d+$", "", line.split()[0])
        res[name] = dict((u, float(v)) for v, u in re.findall(r"([\d.e+-]+) (\S+)", line))
    return res


def gosaxs(binary):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", "SAXS1D$", "-test.benchtime", "20x"],
                         cwd=os.path.join(ROOT, "xpcs"), capture_output=True, text=True, check=True).stdout
    m = re.search(r"BenchmarkSAXS1D\S*\s+\d+\s+([\d.]+) ns/op.*?([\d.]+) cpu-ms/op", out)
    return float(m.group(1)) / 1e9, float(m.group(2)) / 1e3


def timed(cmd, env=None):
    """Runs cmd; returns (stdout+stderr, wall s, CPU s of the child)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p.stdout + p.stderr, wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def ghz():
    with open("/proc/cpuinfo") as f:
        m = re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read())
    return float(m.group(1)) / 1e3 if m else 3.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--ghz", type=float, default=0, help="core clock for the arithmetic limit (default: /proc/cpuinfo)")
    p.add_argument("--json", help="also write the raw figures here")
    a = p.parse_args()
    clock = a.ghz or ghz()
    limit = MACS_PER_CYCLE * clock * 1e3 / MACS  # Mpixel-frames per CPU-second
    pf = SHAPE[0] * SHAPE[1] * SHAPE[2]
    mt, cpu = {}, {}            # in memory: label -> Mpf/s, Mpf/cpu-s
    kern = {}                   # kernel only: label -> (ns/pf, cpu-ns/pf)
    e2e, e2ecpu = {}, {}        # end to end: label -> s (read + correlate), CPU s (whole process)
    e2eproc = {}                # end to end: label -> wall s of the whole process
    saxs, saxscpu = {"numpy": []}, {"numpy": []}
    with tempfile.TemporaryDirectory() as tmp:
        bins = {"default": build(tmp, False), "simd": build(tmp, True)}
        raw = os.path.join(tmp, "medium.h5")
        subprocess.run([bins["default"][1], "synth", "--size", "medium", "--out", raw], check=True,
                       capture_output=True)
        paths = {}  # build -> paths it runs
        for label, (test, _) in bins.items():
            names = gobench(test, "Kernel", "1x")
            ks = [n.split("/")[-1] for n in names if not n.endswith("-unfused")]
            paths[label] = ks if label == "default" else [k for k in ks if k == "simd"]
        print("paths: %s; arithmetic limit %.0f Mpixel-frames per CPU-second (%d MAC/pixel-frame, %d MAC/cycle, %.2f GHz)"
              % (paths, limit, MACS, MACS_PER_CYCLE, clock), file=sys.stderr)
        for r in range(a.rounds):
            j = json.loads(subprocess.run([PY, os.path.join(HERE, "multitau_numpy.py"), "--bench", "--repeat", "1"],
                                          capture_output=True, text=True, check=True).stdout)
            mt.setdefault("numpy", []).append(j["mpixel_frames_per_s"])
            cpu.setdefault("numpy", []).append(j["mpixel_frames_per_cpu_s"])
            out, wall, _ = timed([PY, os.path.join(HERE, "multitau_numpy.py"), "--raw", raw])
            j = json.loads(out)
            e2e.setdefault("numpy", []).append(j["seconds"])
            e2eproc.setdefault("numpy", []).append(wall)
            e2ecpu.setdefault("numpy", []).append(j["cpu_seconds"])
            for label, (test, cli) in bins.items():
                for k in paths[label]:
                    for name, vals in gobench(test, "(MultiTau|PixelMajor)/%dx%dx%d/" % SHAPE, kernel=k).items():
                        how = "pixel-major" if name.startswith("BenchmarkPixelMajor") else "streaming"
                        key = "go-%s/%s/%s" % (k, how, name.split("/")[-1])
                        mt.setdefault(key, []).append(vals["Mpixel-frames/s"])
                        cpu.setdefault(key, []).append(vals.get("Mpixel-frames/cpu-s", float("nan")))
                    for name, vals in gobench(test, "Kernel", "3000x", kernel=k).items():
                        kern.setdefault("go-" + name.split("/")[-1], []).append((vals["ns/pixel-frame"], vals["cpu-ns/pixel-frame"]))
                    env = dict(os.environ, XPCS_KERNEL=k)
                    for how, extra in (("mapped", []), ("streamed", ["--stream"])):
                        out, wall, c = timed([cli, "correlate", "--raw", raw, "--out", os.path.join(tmp, "r.hdf")] + extra, env)
                        mapped = "memory-mapped" in out
                        if (how == "streamed" and mapped) or (how == "mapped" and k in ("avx2", "avx512") and not mapped):
                            sys.exit("correlate did not take the %s path:\n%s" % (how, out))
                        # The Go paths read mapped frames at even offsets only
                        # (this file's chunks lie at odd ones): they stream.
                        m = re.search(r" in ([\d.]+)(ms|s):", out)
                        key = "go-%s %s" % (k, "mapped" if mapped else "streamed")
                        e2e.setdefault(key, []).append(float(m.group(1)) / (1e3 if m.group(2) == "ms" else 1))
                        e2eproc.setdefault(key, []).append(wall)
                        e2ecpu.setdefault(key, []).append(c)
                if label == "default":
                    w, c = gosaxs(test)
                    saxs.setdefault("go", []).append(w)
                    saxscpu.setdefault("go", []).append(c)
            s_out = subprocess.run([PY, os.path.join(HERE, "saxs_numpy.py"), "--repeat", "5"],
                                   capture_output=True, text=True, check=True).stdout
            j = json.loads(s_out)
            saxs["numpy"].append(j["median_s"])
            saxscpu["numpy"].append(j["cpu_median_s"])
            print("round %d/%d done" % (r + 1, a.rounds), file=sys.stderr)
    med = statistics.median
    print("limit: %d multiply-adds per pixel-frame, %d float64 MAC per cycle and core at %.2f GHz = %.0f Mpixel-frames per CPU-second"
          % (MACS, MACS_PER_CYCLE, clock, limit))
    npm, npc = med(mt["numpy"]), med(cpu["numpy"])
    print("\nmulti-tau %dx%dx%d in memory, Mpixel-frames/s, median of %d rounds (numpy is single-threaded)" % (SHAPE + (a.rounds,)))
    print("%-34s %9s %9s %11s %9s %9s" % ("path", "wall", "vs numpy", "per CPU-s", "vs numpy", "of limit"))
    for k in sorted(mt):
        w, c = med(mt[k]), med(cpu[k])
        print("%-34s %9.1f %8.1fx %11.1f %8.1fx %8.1f%%" % (k, w, w / npm, c, c / npc, 100 * c / limit))
    print("\nmulti-tau kernel only (64 pixels in cache, 1 worker), ns per pixel-frame, median of %d rounds" % a.rounds)
    print("%-26s %9s %11s %12s %9s" % ("path", "wall ns", "CPU ns", "Mpf/CPU-s", "of limit"))
    for k in sorted(kern):
        w, c = med([x[0] for x in kern[k]]), med([x[1] for x in kern[k]])
        print("%-26s %9.2f %11.2f %12.0f %8.1f%%" % (k, w, c, 1e3 / c, 100 * 1e3 / c / limit))
    nps, npp, npsc = med(e2e["numpy"]), med(e2eproc["numpy"]), med(e2ecpu["numpy"])
    print("\nmulti-tau end to end, HDF5 %dx%dx%d uint16 file, median of %d rounds:" % (SHAPE + (a.rounds,)))
    print("  wall = open + read + correlate as the command times it (numpy: h5py read + correlation);")
    print("  process = the whole command (start, q-map, result file write; numpy: interpreter and imports, no write); CPU = whole process")
    print("%-22s %8s %8s %8s %9s %8s %8s %10s %8s" % ("path", "wall s", "Mpf/s", "vs numpy", "process s", "vs numpy", "CPU s", "Mpf/CPU-s", "vs numpy"))
    for k in sorted(e2e):
        w, pw, c = med(e2e[k]), med(e2eproc[k]), med(e2ecpu[k])
        print("%-22s %8.3f %8.1f %7.1fx %9.3f %7.1fx %8.3f %10.1f %7.1fx" % (k, w, pf / w / 1e6, nps / w, pw, npp / pw, c, pf / c / 1e6, npsc / c))
    nps, npsc = med(saxs["numpy"]), med(saxscpu["numpy"])
    print("\nSAXS 1D 1676x2100, 360 bins, ms, median of %d rounds" % a.rounds)
    print("%-26s %9s %9s %11s %9s" % ("kernel", "wall ms", "speed-up", "CPU ms", "speed-up"))
    for k in sorted(saxs):
        w, c = med(saxs[k]), med(saxscpu[k])
        print("%-26s %9.2f %8.1fx %11.2f %8.1fx" % (k, w * 1e3, nps / w, c * 1e3, npsc / c))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"multitau": mt, "multitau_cpu": cpu, "kernel": kern, "end_to_end": e2e, "end_to_end_process": e2eproc,
                       "end_to_end_cpu": e2ecpu, "saxs": saxs, "saxs_cpu": saxscpu, "ghz": clock}, f, indent=1)


if __name__ == "__main__":
    main()
