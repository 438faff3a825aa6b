#!/usr/bin/env python3
"""Counts per variant folder (OUT/VARIANT/{aa-ab,det-F}-i/cmp.json) of the
second pass of docs/perf/ab.md: A/A false alarms and detection by slowdown.
Usage: ab-study-variants.py OUT"""
import glob, json, os, re, sys

out = sys.argv[1]
for v in sorted(os.listdir(out)):
    kinds = sorted({re.sub(r"-\d+$", "", os.path.basename(p)) for p in glob.glob(os.path.join(out, v, "*-*")) if os.path.isdir(p)})
    for kind in kinds:
        n = reg = imp = sig = runs = 0
        for p in glob.glob(os.path.join(out, v, kind + "-*", "cmp.json")):
            try:
                c = json.load(open(p))
            except (OSError, ValueError):
                continue
            runs += 1
            rs = [r for r in c["rows"] if r.get("role", "primary") == "primary" and r.get("metric") == "time"
                  and r["verdict"] not in ("errored", "missing", "new")]
            n += len(rs)
            reg += sum(r["verdict"] == "regression" for r in rs)
            imp += sum(r["verdict"] == "improvement" for r in rs)
            sig += sum(r.get("q", 1) < 0.05 and r.get("change", 0) > 0 for r in rs)
        if n:
            print(f"{v} {kind}: {runs} runs, {n} benchmark-runs: regression {reg} ({100*reg/n:.2f}%), "
                  f"improvement {imp} ({100*imp/n:.2f}%), significant slower {100*sig/n:.1f}%")
