#!/usr/bin/env bash
# Records the runs of the instruction-count study (docs/perf/instructions.md):
# RUNS runs of the CPU-bound categories at size tiny counted under callgrind,
# SLOWED runs with a deterministic +3% of extra instructions injected into
# every benchmark, and one run measuring time natively (the slowdown factor
# of valgrind). Then prints the study's tables (go run ./scripts/instructions).
#
#   OUT=out/instructions RUNS=10 SLOWED=4 bash scripts/instructions/record.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-out/instructions}
RUNS=${RUNS:-10}
SLOWED=${SLOWED:-4}
# The 500-frame blocked SYRK takes ~65 s under callgrind: left out here.
FILTER=${FILTER:-'^(scientific/|scalability/|optimization/(multitau|qmap)/|optimization/twotime/blocked_vs_naive\[frames=100,)'}
mkdir -p "$OUT"
go build -o "$OUT/xpcs-perf" .
common=(--category scientific,optimization,scalability --sizes tiny --filter "$FILTER"
	--rounds 5 --warmup 1 --time-budget 0 --progress none)
for i in $(seq 1 "$RUNS"); do
	start=$(date +%s)
	"$OUT/xpcs-perf" run --metric instructions "${common[@]}" --out "$OUT/base-$i.json" 2>"$OUT/base-$i.log"
	echo "base $i: $(( $(date +%s) - start )) s" | tee -a "$OUT/durations.txt"
done
for i in $(seq 1 "$SLOWED"); do
	start=$(date +%s)
	"$OUT/xpcs-perf" run --metric instructions "${common[@]}" --inject-slowdown '.=1.03' --out "$OUT/slow-$i.json" 2>"$OUT/slow-$i.log"
	echo "slow $i: $(( $(date +%s) - start )) s" | tee -a "$OUT/durations.txt"
done
"$OUT/xpcs-perf" run "${common[@]}" --out "$OUT/time.json" 2>"$OUT/time.log"
go run ./scripts/instructions "$OUT"
