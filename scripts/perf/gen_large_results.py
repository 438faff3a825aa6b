# gen_large_results.py NBENCH NSAMPLES SEED SLOWDOWN > results.json
# Writes an xpcs-perf results.json of NBENCH benchmarks with NSAMPLES lognormal
# samples each (every 10th benchmark SLOWDOWN times slower): the input of the
# report-size measurement in docs/perf/comment.md.
import json, random, sys
nb, ns, seed, slow = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
random.seed(seed)
bs = []
for i in range(nb):
    m = 1e-3 * (1 + i % 17) * (slow if i % 10 == 0 else 1)
    bs.append({"id": f"scientific/g{i%20}/bench{i}[size=small]", "category": "scientific", "group": f"g{i%20}", "name": f"bench{i}",
               "params": {"size": "small"}, "unit": "s", "direction": "lower", "rounds": ns, "iterations": 1,
               "samples": [m * random.lognormvariate(0, 0.05) for _ in range(ns)]})
json.dump({"schema": "xpcs-perf/results/v1", "run": {"commit": "c%d" % seed, "branch": "main", "started": "2026-12-0%dT00:00:00Z" % seed},
           "machine": {"cpu_model": "x", "cores": 2}, "benchmarks": bs}, sys.stdout)
