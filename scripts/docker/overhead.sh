#!/usr/bin/env bash
# overhead.sh measures the container's cost: the wall time from `docker run`
# to exit against running the same binary directly, for a bare start
# (--help) and for a tiny benchmark category, interleaved (direct, container,
# direct, ...) so machine noise hits both alike. Prints every run and the
# medians.
#
#   IMAGE   image to run (default xpcs-perf-action:test; build.sh makes it)
#   BIN     host binary (default bin/xpcs-perf, built when absent)
#   N       runs per variant (default 5)
#   ARGS    the benchmark command (default: run --category memory --sizes tiny --rounds 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
IMAGE=${IMAGE:-xpcs-perf-action:test}
BIN=${BIN:-bin/xpcs-perf}
N=${N:-5}
ARGS=${ARGS:-run --category memory --sizes tiny --rounds 5}
[ -x "$BIN" ] || go build -o "$BIN" .
BIN=$(realpath "$BIN")
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "overhead.sh: no image $IMAGE (make docker-build)" >&2; exit 1; }
WS=$(mktemp -d /tmp/xpcs-overhead.XXXXXX)
trap 'rm -rf "$WS"' EXIT
chmod 755 "$WS"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.0f\n", (a[NR/2]+a[NR/2+1])/2}'; }

declare -A times
run_direct() { (cd "$WS" && "$BIN" "$@" >/dev/null 2>&1); }
run_docker() { docker run --rm --workdir /github/workspace -v "$WS:/github/workspace" "$IMAGE" "$@" >/dev/null 2>&1; }

for what in help bench; do
  if [ "$what" = help ]; then set -- --help; else set -- $ARGS --progress none --out results.json; fi
  for i in $(seq "$N"); do
    for how in direct docker; do
      t0=$(date +%s%N)
      "run_$how" "$@" || { echo "overhead.sh: $how $* failed" >&2; exit 1; }
      t=$(ms "$t0")
      times[$what.$how]+="$t "
      echo "$what $how run $i: $t ms"
    done
  done
done

echo
printf '%-6s %12s %12s %12s %8s\n' what direct_ms docker_ms overhead_ms ratio
for what in help bench; do
  d=$(tr ' ' '\n' <<<"${times[$what.direct]}" | grep . | median)
  c=$(tr ' ' '\n' <<<"${times[$what.docker]}" | grep . | median)
  printf '%-6s %12s %12s %12s %8s\n' "$what" "$d" "$c" "$((c - d))" "$(awk -v c="$c" -v d="$d" 'BEGIN{printf "%.2f", c/d}')"
done
echo "(medians of $N interleaved runs; bench = $ARGS; image $IMAGE)"
