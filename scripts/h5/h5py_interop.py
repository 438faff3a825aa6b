#!/usr/bin/python3
"""h5py side of the h5 package's interop tests (Debian python3-h5py,
python3-hdf5plugin).

  h5py_interop.py write OUT KIND DTYPE FRAMES ROWS COLS
      write /entry/data/data with h5py; KIND is one of contiguous, chunked,
      gzip-shuffle, lzf, odd-chunks, bitshuffle-lz4; data is pattern(n) below.
  h5py_interop.py write-all DIR FRAMES ROWS COLS
      write DIR/KIND-DTYPE.h5 for every KIND and DTYPE (uint16, uint32).
  h5py_interop.py read FILE...
      print JSON {file: {path: {dtype, shape, chunks, compression, sha256}}}
      for every dataset of each FILE (sha256 of the C-order little-endian bytes).

pattern(n)[i] = (i * 2654435761 >> 13) % 1000 + 60000 * (i % 97 == 0); the
Go test computes the same values.
"""
import hashlib
import json
import sys

import h5py
import numpy as np

try:
    import hdf5plugin  # noqa: F401  registers bitshuffle (32008)
except ImportError:
    hdf5plugin = None


def pattern(n, dtype):
    i = np.arange(n, dtype=np.uint64)
    v = (i * np.uint64(2654435761) >> np.uint64(13)) % np.uint64(1000)
    v = v + np.uint64(60000) * (i % np.uint64(97) == 0)
    return v.astype(dtype)


def write(out, kind, dtype, frames, rows, cols):
    data = pattern(frames * rows * cols, dtype).reshape(frames, rows, cols)
    kw = {}
    if kind == "contiguous":
        pass
    elif kind == "chunked":
        kw = dict(chunks=(1, rows, cols))
    elif kind == "gzip-shuffle":
        kw = dict(chunks=(1, rows, cols), compression="gzip", compression_opts=4, shuffle=True)
    elif kind == "lzf":
        kw = dict(chunks=(1, rows, cols), compression="lzf")
    elif kind == "odd-chunks":
        kw = dict(chunks=(3, max(1, rows // 3), max(1, cols // 2 + 1)), compression="gzip")
    elif kind == "bitshuffle-lz4":
        kw = dict(chunks=(1, rows, cols), **hdf5plugin.Bitshuffle(nelems=0, cname='lz4'))
    else:
        raise SystemExit("unknown kind " + kind)
    with h5py.File(out, "w") as f:
        d = f.create_dataset("/entry/data/data", data=data, **kw)
        d.attrs["kind"] = kind
        f["/entry"].attrs["frame_time"] = 2e-5


KINDS = ["contiguous", "chunked", "gzip-shuffle", "lzf", "odd-chunks", "bitshuffle-lz4"]


def read(path):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            a = obj[()]
            if obj.dtype.kind in "OSU":
                digest = ""
            else:
                digest = hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()
            out["/" + name] = dict(dtype=str(obj.dtype), shape=list(obj.shape),
                                   chunks=list(obj.chunks) if obj.chunks else None,
                                   compression=obj.compression, sha256=digest)

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4], *map(int, sys.argv[5:8]))
    elif sys.argv[1] == "write-all":
        for kind in KINDS:
            for dt in ("uint16", "uint32"):
                write("%s/%s-%s.h5" % (sys.argv[2], kind, dt), kind, dt, *map(int, sys.argv[3:6]))
    elif sys.argv[1] == "read":
        json.dump({p: read(p) for p in sys.argv[2:]}, sys.stdout, indent=1, sort_keys=True)
    else:
        raise SystemExit(__doc__)
