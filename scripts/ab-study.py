#!/usr/bin/env python3
"""Counts of the A/B study (scripts/ab-study.sh OUT): false alarms per
benchmark per run (A/A) and detection of injected slowdowns, from the
comparison JSON files. Usage: ab-study.py OUT"""
import glob, json, os, sys

out = sys.argv[1]
SUBUS = "find_peaks"  # 0.6 us per op: the injected slowdown's busy wait is not accurate there


def rows(path, skip_subus=False):
    try:
        c = json.load(open(path))
    except (OSError, ValueError):
        return None
    rs = [r for r in c.get("rows", []) if r.get("role", "primary") == "primary" and r.get("metric") in ("time", None)]
    rs = [r for r in rs if r["verdict"] not in ("errored", "missing", "new")]
    if skip_subus:
        rs = [r for r in rs if SUBUS not in r["id"]]
    return rs


def aa(pattern, label):
    n = reg = imp = runs = 0
    methods = set()
    for p in sorted(glob.glob(os.path.join(out, pattern))):
        rs = rows(p)
        if rs is None:
            continue
        runs += 1
        n += len(rs)
        reg += sum(r["verdict"] == "regression" for r in rs)
        imp += sum(r["verdict"] == "improvement" for r in rs)
        methods |= {r.get("method", "") for r in rs}
    if n:
        print(f"{label}: {runs} comparisons, {n} benchmark-runs: false regressions {reg} ({100*reg/n:.2f}%), "
              f"false improvements {imp} ({100*imp/n:.2f}%), either {100*(reg+imp)/n:.2f}%; methods {sorted(methods)}")


def det(f, name, label):
    for skip in (False, True):
        n = reg = sig = 0
        ch = []
        for p in sorted(glob.glob(os.path.join(out, f"det-{f}-*", name))):
            rs = rows(p, skip)
            if rs is None:
                continue
            n += len(rs)
            reg += sum(r["verdict"] == "regression" for r in rs)
            sig += sum(r.get("q", 1) < 0.05 and r.get("change", 0) > 0 for r in rs)
            ch += [r.get("change", 0) for r in rs]
        if n:
            ch.sort()
            print(f"+{round((float(f)-1)*100)}% {label}{' (without sub-us find_peaks)' if skip else ''}: {n} benchmark-runs: "
                  f"regression verdict {100*reg/n:.1f}%, significant slower (q<0.05) {100*sig/n:.1f}%, median estimated change {100*ch[len(ch)//2]:+.1f}%")


aa("aa-ab-*/cmp.json", "A/A interleaved (ab, paired Wilcoxon, wall)")
aa("aa-sep-*-drift0.json", "A/A separate runs, no drift allowance (Mann-Whitney, wall)")
aa("aa-sep-*-default.json", "A/A separate runs, default drift allowance (Mann-Whitney, wall)")
for f in ("1.1", "1.2", "1.5"):
    det(f, "cmp.json", "threshold 20%")
    det(f, "cmp-th10.json", "threshold 10%")
