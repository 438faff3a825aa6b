#!/usr/bin/env bash
# ab-study.sh BIN OUT [K_AA] [K_DET]: the A/B study of docs/perf/ab.md on this
# machine, wall clock, built-in suite (scientific, tiny):
#   - interleaved A/A: K_AA runs of `ab` with the same binary on both sides;
#   - separate A/A: K_AA+1 `run`s back to back, run i compared with run i+1;
#   - detection: K_DET runs of `ab` per injected head slowdown (+10/+20/+50%).
# Every comparison is written as JSON; scripts/ab-study.py counts.
set -euo pipefail
BIN=$1; OUT=$2; KAA=${3:-20}; KDET=${4:-10}
SEL=(--category scientific --sizes tiny)
mkdir -p "$OUT"
cmp() { "$BIN" compare --clock wall --baseline "$1" --current "$2" --out "$3" "${@:4}" >/dev/null 2>&1 || true; }
for i in $(seq 1 "$KAA"); do
  d="$OUT/aa-ab-$i"
  "$BIN" ab --base "$BIN" --head "$BIN" "${SEL[@]}" --rounds 10 --seed "$i" --out "$d" 2>"$d.log" || true
  cmp "$d/baseline.json" "$d/results.json" "$d/cmp.json"
done
for i in $(seq 1 $((KAA + 1))); do
  "$BIN" run "${SEL[@]}" --rounds 10 --progress none --out "$OUT/sep-$i.json" 2>/dev/null || true
done
for i in $(seq 1 "$KAA"); do
  cmp "$OUT/sep-$i.json" "$OUT/sep-$((i + 1)).json" "$OUT/aa-sep-$i-drift0.json" --drift-allowance 0
  cmp "$OUT/sep-$i.json" "$OUT/sep-$((i + 1)).json" "$OUT/aa-sep-$i-default.json"
done
for f in 1.1 1.2 1.5; do
  for i in $(seq 1 "$KDET"); do
    d="$OUT/det-$f-$i"
    "$BIN" ab --base "$BIN" --head "$BIN" "${SEL[@]}" --rounds 10 --seed "$i" --head-env "XPCS_PERF_INJECT_SLOWDOWN=.=$f" --out "$d" 2>"$d.log" || true
    cmp "$d/baseline.json" "$d/results.json" "$d/cmp.json"
    cmp "$d/baseline.json" "$d/results.json" "$d/cmp-th10.json" --threshold 0.1
  done
done
echo done
