# Writes the hand-designed comparison cases comment/testdata/*.cmp.json (seeded, so
# re-running reproduces them): python3 comment/testdata/gen_cases.py comment/testdata
# Then review the diff and run: go test ./comment -update
import json, random, math, statistics as st, sys
random.seed(7)
out = sys.argv[1]

def summ(xs):
    xs = list(xs)
    m = st.mean(xs); sd = st.stdev(xs) if len(xs) > 1 else 0
    return dict(n=len(xs), median=st.median(xs), mean=m, stddev=sd, min=min(xs), max=max(xs), cv=sd/m if m else 0, samples=[float('%.6g' % x) for x in xs])

def samples(med, cv, n=10):
    return [med * (1 + random.gauss(0, cv)) for _ in range(n)]

def row(cat, group, name, params, verdict, base_med, cur_med, cv=0.03, n=10, sev="", unit="s", metric="time", direction="lower", p=None, reason="", gate=False, base=True, cur=True):
    pid = ",".join(f"{k}={v}" for k, v in sorted(params.items()))
    rid = f"{cat}/{group}/{name}" + (f"[{pid}]" if pid else "")
    r = dict(id=rid, category=cat, group=group, name=name, metric=metric, unit=unit, direction=direction, verdict=verdict)
    if params: r["params"] = params
    if sev: r["severity"] = sev
    if reason: r["reason"] = reason
    b = summ(samples(base_med, cv, n)) if base else None
    c = summ(samples(cur_med, cv, n)) if cur else None
    if b: r["baseline"] = b
    if c: r["current"] = c
    if b and c:
        ratio = c["median"] / b["median"]
        r["ratio"] = round(ratio, 4)
        r["change"] = round(ratio - 1 if direction == "lower" else 1 - ratio, 4)
        w = 1.96 * cv * ratio / math.sqrt(n) * 1.4
        r["ci_low"] = round(ratio - w, 4); r["ci_high"] = round(ratio + w, 4)
        r["p"] = p if p is not None else (0.0002 if verdict in ("regression", "improvement") else round(random.uniform(0.1, 0.9), 4))
        r["q"] = min(1, round(r["p"] * 3.1, 4))
        r["welch_t"] = round((c["mean"] - b["mean"]) / max(1e-12, math.sqrt(b["stddev"]**2/n + c["stddev"]**2/n)), 3)
        r["welch_p"] = r["p"]
        r["cohen_d"] = round((c["mean"] - b["mean"]) / max(1e-12, (b["stddev"] + c["stddev"]) / 2), 3)
        r["method"] = "mann-whitney-exact"
    else:
        r["p"] = 0; r["q"] = 0
    if gate: r["gate_failed"] = True
    return r

def summary(rows):
    s = dict(benchmarks=0, compared=0, regressions=0, critical=0, major=0, minor=0, improvements=0, unchanged=0, inconclusive=0, new=0, missing=0, errored=0)
    for r in rows:
        s["benchmarks"] += 1
        v = r["verdict"]
        if v in ("regression", "improvement", "unchanged"): s["compared"] += 1
        key = {"regression": "regressions", "improvement": "improvements"}.get(v, v)
        s[key] += 1
        if r.get("severity"): s[r["severity"]] += 1
    return s

cfg = dict(threshold=0.2, alpha=0.05, min_samples=4, max_cv=0.3, memory_threshold=1e8, correction="bh", bootstrap_iters=2000, seed=1,
           fail_on="critical>0 || major>3 || regressed_frac>0.3")
machine = dict(cpu_model="AMD EPYC 7763 64-Core Processor", cores=4, memory_bytes=16772579328, os="linux", arch="amd64", go_version="go1.26.8", hdf5_version="1.10.8", runner_name="GitHub Actions 12")
cur = dict(source="xpcs-perf", run=dict(repository="xpcs-perf/xpcs-toolkit", commit="9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345", branch="feature/faster-g2", ref="refs/pull/42/merge", event="pull_request", run_id="7000000042", run_url="https://github.com/xpcs-perf/xpcs-toolkit/actions/runs/7000000042", started="2026-11-25T10:00:00Z", finished="2026-11-25T10:20:00Z"), machine=machine)
base = dict(source="xpcs-perf", run=dict(repository="xpcs-perf/xpcs-toolkit", commit="1a2b3c4d5e6f708192a3b4c5d6e7f80912345678", branch="main", ref="refs/heads/main", event="schedule", run_id="6999999001", run_url="https://github.com/xpcs-perf/xpcs-toolkit/actions/runs/6999999001", started="2026-11-22T02:00:00Z", finished="2026-11-22T02:25:00Z"),
            machine=dict(machine, cpu_model="Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz"), artifact="xpcs-perf-scientific", artifact_id=123456, created_at="2026-11-22T02:26:00Z")

def trend(rid, unit, med, n=14, jump_at=None, jump=1.0):
    pts = []
    for i in range(n):
        v = med * (1 + random.gauss(0, 0.02)) * (jump if jump_at is not None and i >= jump_at else 1)
        pts.append(dict(time=f"2026-11-{i+10:02d}T02:00:00Z", commit="%07x" % random.getrandbits(28), value=float('%.6g' % v)))
    t = dict(id=rid, unit=unit, points=pts, slope_per_day=med*0.01, slope_ci_low=med*0.002, slope_ci_high=med*0.018, rel_slope_per_day=0.01)
    if jump_at is not None:
        t["change_points"] = [dict(index=jump_at, before=med, after=med*jump, p=0.001)]
        t["anomalies"] = [jump_at]
    return t

def write(name, c):
    c["schema"] = "xpcs-perf/comparison/v1"
    with open(f"{out}/{name}.cmp.json", "w") as f:
        json.dump(c, f, indent=1, ensure_ascii=False)
        f.write("\n")

# mixed
C = "scientific"
rows = [
 row(C, "multitau", "g2", {"size": "small"}, "regression", 0.0421, 0.0955, sev="critical", gate=True),
 row(C, "multitau", "g2", {"size": "tiny"}, "regression", 0.00211, 0.00341, sev="major"),
 row(C, "twotime", "c2", {"size": "tiny"}, "regression", 0.0153, 0.0191, sev="minor"),
 row(C, "saxs", "saxs1d", {"size": "small"}, "improvement", 0.00852, 0.00601),
 row(C, "fit", "g2_single", {}, "improvement", 0.000231, 0.000170),
 row(C, "multitau", "g2", {"size": "small"}, "unchanged", 5.3e7, 5.31e7, metric="B/op", unit="B/op", cv=0.0),
 row(C, "multitau", "g2", {"size": "medium"}, "unchanged", 0.412, 0.415),
 row(C, "twotime", "c2", {"size": "small"}, "unchanged", 0.231, 0.229),
 row(C, "saxs", "saxs2d", {"size": "tiny"}, "unchanged", 0.00043, 0.00044),
 row(C, "qmap", "partition", {"size": "small"}, "unchanged", 0.00312, 0.00309),
 row(C, "twotime", "c2", {"size": "medium"}, "inconclusive", 1.9, 2.1, cv=0.4, n=3, reason="only 3 samples (need 4)"),
 row(C, "fit", "g2_double", {}, "new", 0, 0.00122, base=False, reason="not in the baseline"),
 row(C, "fit", "tau_q", {}, "missing", 0.00051, 0, cur=False, reason="not in the current run"),
 row(C, "qmap", "roi", {"size": "large"}, "errored", 0, 0, base=False, cur=False, reason="panic: index out of range [4096] with length 4096"),
]
trends = [trend(rows[0]["id"], "s", 0.0421, jump_at=12, jump=2.2), trend(rows[6]["id"], "s", 0.412)]
scaling = [dict(family="scientific/multitau/g2", unit="s", points=[dict(n=n, value=2.1e-8*n) for n in (409600, 8192000, 65536000, 524288000)], best="linear", exponent=1.01, exponent_ci_low=0.97, exponent_ci_high=1.05,
  models=[dict(name="linear", coef=2.1e-8, intercept=0, aic=-80.1, rss=1e-6), dict(name="quadratic", coef=4e-17, intercept=0.01, aic=-40.2, rss=1e-3), dict(name="power", coef=1.8e-8, intercept=0, exponent=1.01, aic=-79.0, rss=1.1e-6)])]
write("mixed", dict(category=C, current=cur, baseline=base, config=cfg, rows=rows, summary=summary(rows),
  gate=dict(**{"pass": False}, reasons=["1 critical regression: scientific/multitau/g2[size=small] is 126.8% slower (limit: 0 critical)"], rule=cfg["fail_on"]),
  machine_diffs=["cpu_model: Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz -> AMD EPYC 7763 64-Core Processor"],
  warnings=["baseline is from a different CPU model: expect differences of 10-30%"], notes=["2 benchmarks ran with fewer rounds than configured."],
  trends=trends, scaling=scaling, report_url="https://github.com/xpcs-perf/xpcs-toolkit/actions/runs/7000000042"))

# all pass
C = "hdf5"
rows = [row(C, g, n, {"size": s}, "unchanged", m, m*1.01) for g, n, m in [("read", "frames", 0.0123), ("read", "chunks", 0.0034), ("write", "result", 0.041), ("pool", "open_close", 0.00012)] for s in ("tiny", "small")]
rows.append(row(C, "read", "frames_lz4", {"size": "small"}, "improvement", 0.0212, 0.0151))
write("allpass", dict(category=C, current=cur, baseline=dict(base, artifact="xpcs-perf-hdf5"), config=cfg, rows=rows, summary=summary(rows), gate={"pass": True, "rule": cfg["fail_on"]}))

# first run
C = "memory"
rows = [row(C, g, n, {"size": s}, "new", 0, m, base=False, reason="no baseline") for g, n, m in [("alloc", "g2", 0.0031), ("alloc", "c2", 0.021), ("rss", "stack_load", 0.31)] for s in ("tiny", "small")]
rows.append(row(C, "alloc", "g2", {"size": "tiny"}, "new", 0, 1.2e6, base=False, metric="B/op", unit="B/op", cv=0.0, reason="no baseline"))
write("firstrun", dict(category=C, current=cur, config=cfg, rows=rows, summary=summary(rows), gate={"pass": True}))

# hostile
C = "scalability"
evil = ["name|with|pipes", "<script>alert(1)</script>", "back`tick`s ``` code", "new\nline\r\nand\rcr", "</details><img src=x onerror=alert(2)>", "@org/team **bold** [link](https://evil.example) #1", "\"quotes\" & 'apos' \x00nul", "-->end of marker <!--"]
rows = []
for i, e in enumerate(evil):
    v = ["regression", "improvement", "unchanged", "inconclusive", "errored", "new", "missing", "regression"][i]
    r = row(C, "grp|<b>" + str(i % 2), e, {"k|<i>": e}, v, 0.01, 0.02 if v == "regression" else 0.008, sev="critical" if v == "regression" else "", gate=v == "regression",
            base=v not in ("new", "errored"), cur=v not in ("missing", "errored"), reason=e if v in ("inconclusive", "errored", "new", "missing") else "")
    rows.append(r)
write("hostile", dict(category="scal<ab>|ility", current=dict(cur, run=dict(cur["run"], run_url="javascript:alert(3)")), baseline=dict(base, run=dict(base["run"], branch="main`|<b>", commit="not-a-hash<script>", run_url="https://evil.example/\"><script>alert(4)</script>")),
  config=cfg, rows=rows, summary=summary(rows), gate=dict(**{"pass": False}, reasons=["<script>alert(5)</script> | `x`"]), machine_diffs=["cpu_model: <b>A</b> -> |B|"],
  trends=[trend(rows[0]["id"], "s", 0.01)], report_url="javascript:alert(6)"))
