#!/usr/bin/python3
"""numpy reference of the APS 8-ID-I multi-tau g2 and two-time C2, and a
writer of speckle test cases with h5py: the other side of the Go test
TestCorrelateMatchesNumpyAPS (cmd_correlate_test.go).

Both kernels are written here from their definitions, not from the Go code
nor from boost_corr:

  multi-tau (multitau_numpy.multitau): per pixel and lag G = <I(t)I(t+tau)>,
    IP = <I>past, IF = <I>future; G, IP, IF averaged over the pixels of each
    static bin s, g2_s = <G>_s/(<IP>_s <IF>_s); g2 of a dynamic bin = mean of
    g2_s over its static bins; err = std (ddof 0) of the per-pixel G/(IP IF)
    over the dynamic bin / sqrt(N).
  two-time, per dynamic bin q with the P correlated pixels p:
    smoothing "sqmap" (boost_corr's default): J(p,t) = I(p,t)/<I(t)>_s(p),
    the mean over the pixels of p's static bin in frame t (1 when <= 0);
    C(t1,t2) = <J(t1)J(t2)>_p / (<J(t1)>_p <J(t2)>_p).
    "none" uses J = I.

Modes:
  write DIR [--seed S]   raw.h5 (/entry/data/data and /entry metadata, frame
                         time 0.001 s) and qmap.h5 (/xpcs/qmap with static
                         bins nested in dynamic ones, masked pixels, and an
                         /entry whose frame time (1 s) must NOT be used).
  check --raw R --qmap Q --result OUT [--tol T] [--smooth sqmap|none]
                         recompute g2, err and every c2_NNNNN of OUT and
                         print the largest relative differences as JSON;
                         exit 1 beyond --tol.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multitau_numpy import multitau  # noqa: E402

FRAME_TIME = 0.001
ROWS, COLS, FRAMES = 24, 40, 320
NSTATIC, NDYN = 16, 4
BEAM = (11.3, 9.7)  # x (columns), y (rows), pixels
PIXEL, DISTANCE, ENERGY = 75e-6, 5.0, 10.0


def write(args):
    import h5py
    rng = np.random.default_rng(args.seed)
    y, x = np.mgrid[0:ROWS, 0:COLS]
    r = np.hypot(x - BEAM[0], y - BEAM[1])
    rmin, rmax = 2.0, r.max() + 1e-9
    st = np.floor((r - rmin) / (rmax - rmin) * NSTATIC).astype(np.int64)
    st[r < rmin] = -1
    dy = np.where(st >= 0, st // (NSTATIC // NDYN), -1)
    mask = np.ones((ROWS, COLS), dtype=bool)
    mask[0:4, 30:40] = False
    mask[rng.random((ROWS, COLS)) < 0.05] = False
    # speckle: AR(1) complex field per pixel, tau_c per dynamic bin, rate per
    # static bin, a common frame-to-frame intensity drift, Poisson counts
    tau = np.array([24.0, 12.0, 6.0, 3.0])
    tpix = np.where(dy >= 0, tau[np.maximum(dy, 0)], 10.0).ravel()
    rho = np.exp(-1.0 / tpix)
    rate = np.where(st >= 0, 3.0 * (1 + st / 8.0), 2.0).ravel()
    beta = 0.5
    e = (rng.standard_normal(ROWS * COLS) + 1j * rng.standard_normal(ROWS * COLS)) / np.sqrt(2)
    frames = np.empty((FRAMES, ROWS, COLS), dtype=np.uint16)
    for t in range(FRAMES):
        drift = 1 + 0.1 * np.sin(t / 17.0)
        lam = rate * drift * (np.sqrt(beta) * np.abs(e) ** 2 + 1 - np.sqrt(beta))
        frames[t] = rng.poisson(lam).reshape(ROWS, COLS)
        w = (rng.standard_normal(ROWS * COLS) + 1j * rng.standard_normal(ROWS * COLS)) / np.sqrt(2)
        e = rho * e + np.sqrt(1 - rho ** 2) * w
    os.makedirs(args.dir, exist_ok=True)
    with h5py.File(os.path.join(args.dir, "raw.h5"), "w") as f:
        f.create_dataset("/entry/data/data", data=frames, chunks=(1, ROWS, COLS), compression="gzip")
        d = f.require_group("/entry/instrument/detector_1")
        d["frame_time"] = FRAME_TIME
        d["count_time"] = FRAME_TIME
        d["beam_center_x"] = BEAM[0]
        d["beam_center_y"] = BEAM[1]
        d["distance"] = DISTANCE
        d["x_pixel_size"] = PIXEL
        d["y_pixel_size"] = PIXEL
        f["/entry/instrument/incident_beam/incident_energy"] = ENERGY
        f["/entry/sample/short_description"] = "aps_reference speckle"
    q = 4 * np.pi / (12.398419843320026 / ENERGY) * np.sin(0.5 * np.arctan(r * PIXEL / DISTANCE))
    sq = np.array([q[st == s].mean() if (st == s).any() else 0.0 for s in range(NSTATIC)])
    dq = np.array([q[dy == k].mean() for k in range(NDYN)])
    with h5py.File(os.path.join(args.dir, "qmap.h5"), "w") as f:
        g = f.require_group("/xpcs/qmap")
        g["mask"] = mask
        g["static_roi_map"] = (st + 1).astype(np.uint16)
        g["dynamic_roi_map"] = (dy + 1).astype(np.uint8)
        g["static_v_list_dim0"] = sq
        g["dynamic_v_list_dim0"] = dq
        g["beam_center_x"] = BEAM[0]
        g["beam_center_y"] = BEAM[1]
        g["detector_distance"] = DISTANCE
        g["energy"] = ENERGY
        g["pixel_size"] = PIXEL
        # a q-map file's own /entry: its frame time must not reach the result
        f["/entry/instrument/detector_1/frame_time"] = 1.0
    print(json.dumps({"dir": args.dir, "frames": FRAMES, "rows": ROWS, "cols": COLS,
                      "masked": int((~mask).sum()), "nstatic": NSTATIC, "ndynamic": NDYN}))
    return 0


def labels(f):
    s = f["/xpcs/qmap/static_roi_map"][...].astype(np.int64).ravel() - 1
    d = f["/xpcs/qmap/dynamic_roi_map"][...].astype(np.int64).ravel() - 1
    if "/xpcs/qmap/mask" in f:
        m = f["/xpcs/qmap/mask"][...].ravel().astype(bool)
        s[~m] = -1
        d[~m] = -1
    return s, d, len(f["/xpcs/qmap/dynamic_v_list_dim0"])


def twotime(frames, static, dynamic, q, smooth):
    """C (T x T) of dynamic bin q from frames (T, P)."""
    sel = dynamic == q
    x = frames[:, sel].astype(np.float64)
    if smooth == "sqmap":
        s = static[sel]
        for lab in np.unique(s):
            cols = s == lab
            m = x[:, cols].mean(axis=1)
            m[m <= 0] = 1
            x[:, cols] /= m[:, None]
    p = x.shape[1]
    mean = x.mean(axis=1)
    return (x @ x.T / p) / np.outer(mean, mean)


def rel(a, b):
    both = ~(np.isnan(a) | np.isnan(b))
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    if not both.any():
        return 0.0
    return float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1e-300)))


def check(args):
    import h5py
    with h5py.File(args.raw, "r") as f:
        frames = f["/entry/data/data"][...]
    with h5py.File(args.qmap, "r") as f:
        s, d, nq = labels(f)
    T = frames.shape[0]
    x = frames.reshape(T, -1)
    delays, g2, err = multitau(x, s, d, nq)
    out = {"delays": len(delays), "nq": nq}
    with h5py.File(args.result, "r") as f:
        rd = f["/xpcs/multitau/delay_list"][...]
        if not np.array_equal(rd, delays):
            print(json.dumps({"error": "delay lists differ", "numpy": delays.tolist(), "result": rd.tolist()}))
            return 1
        out["max_rel_g2"] = rel(f["/xpcs/multitau/normalized_g2"][...].astype(np.float64), g2)
        out["max_rel_err"] = rel(f["/xpcs/multitau/normalized_g2_err"][...].astype(np.float64), err)
        worst, n = 0.0, 0
        grp = f.get("/xpcs/twotime/correlation_map")
        for k in range(nq):
            name = "c2_%05d" % (k + 1)
            if not (d == k).any():
                continue
            if grp is None or name not in grp:
                print(json.dumps({"error": "missing two-time map " + name}))
                return 1
            c = twotime(x, s, d, k, args.smooth)
            worst = max(worst, rel(grp[name][...].astype(np.float64), c))
            n += 1
        out["twotime_bins"] = n
        out["max_rel_c2"] = worst
    print(json.dumps(out))
    ok = max(out["max_rel_g2"], out["max_rel_err"], out["max_rel_c2"]) <= args.tol
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    w = sub.add_parser("write")
    w.add_argument("dir")
    w.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("--raw", required=True)
    c.add_argument("--qmap", required=True)
    c.add_argument("--result", required=True)
    c.add_argument("--tol", type=float, default=1e-6)
    c.add_argument("--smooth", choices=["sqmap", "none"], default="sqmap")
    a = p.parse_args()
    return write(a) if a.mode == "write" else check(a)


if __name__ == "__main__":
    sys.exit(main())
