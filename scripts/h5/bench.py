#!/usr/bin/python3
"""Side-by-side read speed of h5py and the Go h5 package, in one run.

Writes (once) with h5py a stack of FRAMES x ROWS x COLS uint16, one chunk per
frame: none.h5, gzip.h5 (gzip level 4 + shuffle, h5py's defaults),
lzf.h5, bslz4.h5 (bitshuffle + LZ4 via hdf5plugin), and plain.bin holding
the same pixels. Pixels are sparse speckle-like photon counts: Poisson with
a mean falling from 2 at the centre to 0.02 at the edge.

Then, page cache warm, for ROUNDS rounds: h5py reads every file into a fresh
array (d[...], single-threaded), numpy reads plain.bin into a fresh buffer,
and the Go benchmark binary (go test -c ./h5) runs BenchmarkReadStack and
BenchmarkPlainRead once. Prints medians over the rounds as a Markdown table.

  scripts/h5/bench.py [--frames 1000 --rows 256 --cols 256 --rounds 5 --dir DIR]
  scripts/h5/bench.py --stream large   # peak RSS while streaming 2000x512x512
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import h5py
import hdf5plugin
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GO = os.environ.get("GO", "go")
SIZES = {"medium": (1000, 256, 256), "large": (2000, 512, 512), "xlarge": (5000, 1024, 1024)}


def speckle(rng, frames, rows, cols):
    y, x = np.mgrid[0:rows, 0:cols]
    r = np.hypot(y - rows / 2, x - cols / 2)
    lam = 0.02 + 2.0 * np.exp(-r / (0.25 * rows))
    return rng.poisson(lam, size=(frames, rows, cols)).astype(np.uint16)


KINDS = {
    "none": {},
    "gzip": dict(compression="gzip", compression_opts=4, shuffle=True),
    "lzf": dict(compression="lzf"),
    "bslz4": dict(**hdf5plugin.Bitshuffle(nelems=0, cname="lz4")),
}


def write_stacks(d, frames, rows, cols, kinds, block=100):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(0)
    todo = [k for k in kinds if k != "plain" and not os.path.exists(os.path.join(d, k + ".h5"))]
    plain = os.path.join(d, "plain.bin")
    need_plain = "plain" in kinds and not os.path.exists(plain)
    if not todo and not need_plain:
        return
    print("writing %s in %s ..." % (todo + (["plain.bin"] if need_plain else []), d), file=sys.stderr)
    files = {k: h5py.File(os.path.join(d, k + ".h5.tmp"), "w") for k in todo}
    dsets = {k: f.create_dataset("/entry/data/data", shape=(frames, rows, cols), dtype="uint16",
                                 chunks=(1, rows, cols), **KINDS[k]) for k, f in files.items()}
    pf = open(plain + ".tmp", "wb") if need_plain else None
    base = None
    for start in range(0, frames, block):
        n = min(block, frames - start)
        if frames * rows * cols <= 2000 * 512 * 512:
            data = speckle(rng, n, rows, cols)
        else:  # xlarge: reuse a pool of frames, rolled, to keep generation fast
            if base is None:
                base = speckle(rng, block, rows, cols)
            data = np.roll(base[:n], start % cols, axis=2)
        for ds in dsets.values():
            ds[start:start + n] = data
        if pf:
            data.tofile(pf)
    for k, f in files.items():
        f.close()
        os.rename(os.path.join(d, k + ".h5.tmp"), os.path.join(d, k + ".h5"))
    if pf:
        pf.close()
        os.rename(plain + ".tmp", plain)


def warm(paths):
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass


def h5py_read(path):
    with h5py.File(path, "r") as f:
        d = f["/entry/data/data"]
        t = time.perf_counter()
        a = d[...]
        el = time.perf_counter() - t
    return el, a.nbytes


def numpy_plain(path):
    t = time.perf_counter()
    a = np.fromfile(path, dtype=np.uint8)
    return time.perf_counter() - t, a.nbytes


def go_bench(binary, d):
    env = dict(os.environ, XPCS_H5_BENCH_DIR=d)
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", "ReadStack|PlainRead",
                          "-test.benchtime", "3x", "-test.count", "1"],
                         env=env, capture_output=True, text=True, check=True).stdout
    res = {}
    for m in re.finditer(r"^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", out, re.M):
        res[m.group(1)] = float(m.group(2)) / 1e9
    return res


def build(d):
    binary = os.path.join(d, "h5.test")
    subprocess.run([GO, "test", "-c", "-o", binary, "./h5"], cwd=ROOT, check=True)
    return binary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--cols", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default="/tmp/xpcs-h5-bench")
    ap.add_argument("--stream", choices=["large", "xlarge"], help="measure peak RSS while streaming this size")
    ap.add_argument("--kind", default="lzf", help="compression of the streamed stack (none, gzip, lzf, bslz4)")
    a = ap.parse_args()

    if a.stream:
        fr, ro, co = SIZES[a.stream]
        d = os.path.join(a.dir, a.stream)
        write_stacks(d, fr, ro, co, [a.kind])
        binary = build(d)
        for workers in ("1", "2"):
            env = dict(os.environ, XPCS_H5_STREAM_FILE=os.path.join(d, a.kind + ".h5"), XPCS_H5_STREAM_WORKERS=workers)
            out = subprocess.run([binary, "-test.run", "TestStreamPeakRSS", "-test.v"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            print("\n".join(l.strip() for l in out.splitlines() if "peak RSS" in l))
        return

    d = os.path.join(a.dir, "%dx%dx%d" % (a.frames, a.rows, a.cols))
    write_stacks(d, a.frames, a.rows, a.cols, list(KINDS) + ["plain"])
    binary = build(d)
    files = [os.path.join(d, k + ".h5") for k in KINDS] + [os.path.join(d, "plain.bin")]
    warm(files)
    nbytes = a.frames * a.rows * a.cols * 2
    samples = {}
    for r in range(a.rounds):
        for k in KINDS:
            samples.setdefault(("h5py", k), []).append(h5py_read(os.path.join(d, k + ".h5"))[0])
        samples.setdefault(("numpy fromfile", "plain"), []).append(numpy_plain(os.path.join(d, "plain.bin"))[0])
        for name, sec in go_bench(binary, d).items():
            if name == "PlainRead":
                samples.setdefault(("go plain ReadAt", "plain"), []).append(sec)
            else:
                k, mode = name.split("/")[1:3]
                samples.setdefault(("go " + mode, k), []).append(sec)
    med = {key: statistics.median(v) for key, v in samples.items()}
    print("stack %dx%dx%d uint16 (%.1f MB), one chunk per frame, page cache warm, median of %d rounds; "
          "file sizes: %s" % (a.frames, a.rows, a.cols, nbytes / 1e6, a.rounds,
                              ", ".join("%s %.1f MB" % (k, os.path.getsize(os.path.join(d, k + ".h5")) / 1e6) for k in KINDS)))
    print()
    print("| file | reader | median s | GB/s | vs h5py |")
    print("|---|---|---|---|---|")
    for k in list(KINDS) + ["plain"]:
        base = med.get(("h5py", k))
        for (reader, kk), s in sorted(med.items()):
            if kk != k:
                continue
            ratio = "%.2fx" % (base / s) if base else ""
            print("| %s | %s | %.4f | %.2f | %s |" % (k, reader, s, nbytes / s / 1e9, ratio))
    plain = med[("go plain ReadAt", "plain")]
    none = min(med[("go direct-1", "none")], med[("go library", "none")])
    print()
    print("uncompressed: best Go read / plain-file read = %.2f (must be < 2)" % (none / plain))


if __name__ == "__main__":
    main()
