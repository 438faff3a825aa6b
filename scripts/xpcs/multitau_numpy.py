#!/usr/bin/python3
"""Vectorised numpy multi-tau XPCS correlator: the reference for xpcs-perf.

It implements the APS 8-ID-I definition (boost_corr's compute_g2), written
here from the definition, not from either implementation: 4 delays per level
(lags 1..8, then 5..8 x 2^L), pairs of frames folded (summed) at each level,
per pixel

    G(k) = sum_t I(t) I(t+k) / (n-k), IP(k) = sum_{t<n-k} I(t) / (n-k), IF(k) = sum_{t>=k} I(t) / (n-k)

G, IP and IF averaged over the pixels of each (static, dynamic) bin pair,
g2 of the pair = <G> / (<IP> <IF>), g2 of a dynamic bin = mean over its pairs;
err = std (ddof 0) over the pixels of the dynamic bin of G/(IP IF) /
sqrt(pixels), pixels with a zero normalisation left out.

Modes:
  --bench: time it on Poisson frames (--frames/--rows/--cols) and print JSON
           with Mpixel-frames/s (median of --repeat runs).
  --raw FILE [--result FILE]: correlate the stack /entry/data/data of FILE with
           the q-map /xpcs/qmap of FILE (or --qmap), and compare with the
           normalized_g2 of a result file written by `xpcs-perf correlate`;
           the JSON also gives the time of the read + correlation (seconds,
           cpu_seconds), the end-to-end figure of side_by_side.py.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py).
"""
import argparse
import json
import sys
import time

import numpy as np


def lags(n):
    """(level, k) pairs of the multi-tau lags for n frames (xpcs.Lags)."""
    out = []
    level = 0
    while True:
        nf = n >> level
        lo = 1 if level == 0 else 5
        if nf <= lo:
            return out
        for k in range(lo, min(8, nf - 1) + 1):
            out.append((level, k))
        level += 1


def multitau(frames, static, dynamic, nq):
    """frames (T, P) unsigned ints; static, dynamic (P,) 0-based labels, -1 none.
    Returns delays (n_tau,), g2 and err (n_tau, nq).

    APS 8-ID-I normalisation, written from its definition: per pixel and lag
    G = <I(t) I(t+k)>, IP = <I>past, IF = <I>future (each over the n-k
    products/frames of the level); G, IP and IF averaged over the pixels of
    each static bin s (of each (static, dynamic) pair) first,
    g2_s = <G>_s / (<IP>_s <IF>_s); g2 of a dynamic bin = mean of g2_s over
    its static bins (bins with <IP>_s <IF>_s = 0 left out). Error = std
    (ddof 0) over the dynamic bin's pixels of G/(IP IF) / sqrt(N), pixels
    with IP IF = 0 left out."""
    act = dynamic >= 0
    x = frames[:, act].astype(np.float64)
    st = static[act].astype(np.int64)
    dy = dynamic[act].astype(np.int64)
    key = st * (nq + 1) + dy
    ukeys, grp = np.unique(key, return_inverse=True)
    grp = grp.ravel()
    gdyn = ukeys % (nq + 1)
    ng = len(ukeys)
    gcnt = np.bincount(grp, minlength=ng).astype(np.float64)
    lag_list = lags(x.shape[0])
    g2 = np.full((len(lag_list), nq), np.nan)
    err = np.full((len(lag_list), nq), np.nan)
    level = 0
    for li, (lvl, k) in enumerate(lag_list):
        while level < lvl:
            n2 = x.shape[0] // 2
            x = x[0:2 * n2:2] + x[1:2 * n2:2]
            level += 1
        n = x.shape[0]
        G = np.einsum("ij,ij->j", x[k:], x[:-k]) / (n - k)
        IP = x[:n - k].sum(axis=0) / (n - k)
        IF = x[k:].sum(axis=0) / (n - k)
        # static-bin means of the moments, then their ratio
        mG = np.bincount(grp, weights=G, minlength=ng) / gcnt
        mP = np.bincount(grp, weights=IP, minlength=ng) / gcnt
        mF = np.bincount(grp, weights=IF, minlength=ng) / gcnt
        den = mP * mF
        has = den != 0
        gs = np.zeros(ng)
        gs[has] = mG[has] / den[has]
        dsum = np.bincount(gdyn[has], weights=gs[has], minlength=nq)
        dcnt = np.bincount(gdyn[has], minlength=nq)
        okd = dcnt > 0
        g2[li, okd] = dsum[okd] / dcnt[okd]
        # error: spread of the per-pixel ratios
        pden = IP * IF
        valid = pden != 0
        r = np.zeros_like(G)
        r[valid] = G[valid] / pden[valid]
        pcnt = np.bincount(dy[valid], minlength=nq)
        psum = np.bincount(dy[valid], weights=r[valid], minlength=nq)
        ok = pcnt > 0
        pmean = np.zeros(nq)
        pmean[ok] = psum[ok] / pcnt[ok]
        dev = np.bincount(dy[valid], weights=(r[valid] - pmean[dy[valid]]) ** 2, minlength=nq)
        err[li, ok] = np.sqrt(dev[ok] / pcnt[ok]) / np.sqrt(pcnt[ok])
    delays = np.array([k << l for l, k in lag_list], dtype=np.int64)
    return delays, g2, err


def radial_qmap(rows, cols, nstatic=360, ndynamic=36):
    """Labels like the Go benchmark's fullQMap: every pixel binned by radius."""
    y, x = np.mgrid[0:rows, 0:cols]
    r = np.hypot(x - (cols - 1) / 2, y - (rows - 1) / 2)
    s = np.minimum((r - r.min()) / (r.max() - r.min()) * nstatic, nstatic - 1).astype(np.int32)
    d = s // (nstatic // ndynamic)
    return s.ravel(), d.ravel(), ndynamic


def bench(args):
    rng = np.random.default_rng(args.seed)
    frames = rng.poisson(1.0, size=(args.frames, args.rows * args.cols)).astype(np.uint16)
    s, d, nq = radial_qmap(args.rows, args.cols)
    times, cpus = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        multitau(frames, s, d, nq)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    med = float(np.median(times))
    pf = args.frames * args.rows * args.cols
    print(json.dumps({"kernel": "numpy multitau", "shape": [args.frames, args.rows, args.cols],
                      "seconds": times, "median_s": med, "mpixel_frames_per_s": pf / med / 1e6,
                      "mpixel_frames_per_cpu_s": pf / float(np.median(cpus)) / 1e6,
                      "numpy": np.__version__}))


def check(args):
    import h5py
    t0, c0 = time.perf_counter(), time.process_time()
    with h5py.File(args.raw, "r") as f:
        frames = f["/entry/data/data"][...]
    with h5py.File(args.qmap or args.raw, "r") as f:
        s = f["/xpcs/qmap/static_roi_map"][...].astype(np.int64).ravel() - 1
        d = f["/xpcs/qmap/dynamic_roi_map"][...].astype(np.int64).ravel() - 1
        if "/xpcs/qmap/mask" in f:
            m = f["/xpcs/qmap/mask"][...].ravel().astype(bool)
            s[~m] = -1
            d[~m] = -1
        nq = len(f["/xpcs/qmap/dynamic_v_list_dim0"])
    T = frames.shape[0]
    delays, g2, err = multitau(frames.reshape(T, -1), s, d, nq)
    # End-to-end time of the HDF5 read + correlation (no result written).
    out = {"delays": len(delays), "nq": nq, "seconds": time.perf_counter() - t0,
           "cpu_seconds": time.process_time() - c0, "shape": list(frames.shape)}
    if args.result:
        with h5py.File(args.result, "r") as f:
            rd = f["/xpcs/multitau/delay_list"][...]
            rg = f["/xpcs/multitau/normalized_g2"][...].astype(np.float64)
            re = f["/xpcs/multitau/normalized_g2_err"][...].astype(np.float64)
        if not np.array_equal(rd, delays):
            print(json.dumps({"error": "delay lists differ", "numpy": delays.tolist(), "result": rd.tolist()}))
            return 1
        both = ~np.isnan(g2)
        if not np.array_equal(both, ~np.isnan(rg)):
            print(json.dumps({"error": "NaN pattern differs"}))
            return 1
        out["max_rel_g2"] = float(np.max(np.abs(rg[both] - g2[both]) / np.abs(g2[both])))
        ok = both & (err > 0)
        out["max_rel_err"] = float(np.max(np.abs(re[ok] - err[ok]) / err[ok])) if ok.any() else 0.0
        print(json.dumps(out))
        return 0 if out["max_rel_g2"] <= args.tol and out["max_rel_err"] <= args.tol else 1
    print(json.dumps(out))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", action="store_true")
    p.add_argument("--frames", type=int, default=1000)
    p.add_argument("--rows", type=int, default=256)
    p.add_argument("--cols", type=int, default=256)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--raw")
    p.add_argument("--qmap")
    p.add_argument("--result")
    p.add_argument("--tol", type=float, default=2e-6, help="relative tolerance (float32 storage)")
    a = p.parse_args()
    if a.bench:
        bench(a)
        return 0
    if a.raw:
        return check(a)
    p.error("give --bench or --raw")


if __name__ == "__main__":
    sys.exit(main())
