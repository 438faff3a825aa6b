# Interleaved A/B measurement (xpcs-perf ab, runner/worker): base and head
# binaries side by side in one job, rounds alternated per benchmark.
.PHONY: bench-ab test-ab

AB_OUT ?= out/ab
AB_CATEGORY ?= memory
AB_SIZES ?= tiny
AB_ROUNDS ?= 10
# Both workers on one CPU: A/A false alarms 0/180 vs 4/360 unpinned, +20%
# significant 71% vs 43% (docs/perf/ab.md). Empty: no pinning (parallel
# benchmarks then keep their cores).
AB_CPUS ?= 1
AB_ARGS ?=

## bench-ab: BASE=<ref> [AB_CATEGORY=memory AB_SIZES=tiny AB_ROUNDS=10 AB_CPUS=1 AB_ARGS=...]: build BASE in a temporary git worktree (removed after) and the working tree, run `ab`, then `compare`.
bench-ab: build
	@test -n "$(BASE)" || { echo "bench-ab: set BASE=<ref> (e.g. BASE=origin/main)"; exit 2; }
	@set -euo pipefail; \
	  base_sha=$$(git rev-parse --verify "$(BASE)^{commit}"); \
	  tmp=$$(mktemp -d); wt="$$tmp/base"; \
	  trap 'git worktree remove --force "$$wt" 2>/dev/null || true; rm -rf "$$tmp"' EXIT; \
	  git worktree add --detach --quiet "$$wt" "$$base_sha"; \
	  echo "bench-ab: base $(BASE) ($$base_sha) built in $$wt"; \
	  (cd "$$wt" && $(GO) build -o "$$tmp/xpcs-perf-base" .); \
	  mkdir -p $(AB_OUT); \
	  ./$(BIN) ab --base "$$tmp/xpcs-perf-base" --head ./$(BIN) --category $(AB_CATEGORY) --sizes $(AB_SIZES) \
	    --rounds $(AB_ROUNDS) --cpus "$(AB_CPUS)" --out $(AB_OUT) $(AB_ARGS); \
	  ./$(BIN) compare --baseline $(AB_OUT)/baseline.json --current $(AB_OUT)/results.json --out $(AB_OUT)/comparison.json

## test-ab: the worker protocol, the A/B session and the paired comparison.
test-ab:
	$(GO) test ./runner/worker/
	$(GO) test -run 'Wilcoxon|Walsh|Paired|SamePairs' ./analysis/
	$(GO) test -run 'TestAB' ./internal/cli/
