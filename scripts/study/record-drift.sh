#!/bin/bash
# Records run-to-run drift: the same suite run RUNS times, 60-150 s apart,
# at whatever load the machine has, then packs the results into
# scripts/study/testdata/drift.json (go run ./scripts/study -collect-drift).
#
#   scripts/study/record-drift.sh [DIR] [RUNS]     (make detect-study-record-drift)
#
# Run it from the repository root; it builds xpcs-perf into DIR first.
set -euo pipefail
dir=${1:-/tmp/xpcs-drift}
runs=${2:-40}
go=${GO:-go}
mkdir -p "$dir"
"$go" build -o "$dir/xpcs-perf" .
for i in $(seq -w 1 "$runs"); do
  "$dir/xpcs-perf" run --category scientific,memory,hdf5 --sizes tiny --out "$dir/run-$i.json" --progress none >/dev/null 2>&1
  echo "$(date +%T) run $i load $(cut -d' ' -f1 /proc/loadavg)" >>"$dir/log"
  if [ "$i" != "$runs" ]; then sleep $((60 + RANDOM % 90)); fi
done
"$go" run ./scripts/study -collect-drift "$dir"
