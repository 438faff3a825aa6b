# Analysis core (issues 5, 12): comparison statistics, verdicts, gate, detection study.

.PHONY: test-analysis bench-analysis detect-study detect-study-collect detect-study-record-drift

## test-analysis: unit, conformance (benchstat, pytest-benchmark fixtures) and bad-input tests.
test-analysis:
	$(GO) test -race ./analysis/ && $(GO) test -run 'TestCompareCommand' ./internal/cli/

## bench-analysis: BenchmarkCompare10k (10,000 benchmarks x 20 samples) and
## BenchmarkCompare150kRounds (one benchmark, 150,000 rounds per side), 5 runs each.
bench-analysis:
	$(GO) test -run '^$$' -bench 'Compare10k|Compare150kRounds' -benchtime 1x -count 5 ./analysis/

# One study run per clock choice: auto (production: CompareRuns picks CPU time for single-threaded
# benchmarks), wall time only, process CPU time only. About 1-1.5 minutes each on 2 shared cores.
STUDY_RUNS := "-clock auto" "-clock wall" "-clock cpu"

## detect-study: false alarms and detection of analysis.CompareRuns on whole suites, on the
## committed real run-to-run drift (scripts/study/testdata/drift.json) and workload samples
## (samples.json); offline, seeded, deterministic (docs/STATISTICS.md, "Detection study").
detect-study:
	@for a in $(STUDY_RUNS); do echo "## go run ./scripts/study $$a"; $(GO) run ./scripts/study $$a || exit 1; echo; done

## detect-study-collect: measure the six workloads again (samples.json), then run the study.
detect-study-collect:
	$(GO) run ./scripts/study -collect -quick >/dev/null
	$(MAKE) detect-study

DRIFT_DIR ?= /tmp/xpcs-drift
DRIFT_RUNS ?= 40

## detect-study-record-drift: run the suite DRIFT_RUNS times 1-2.5 min apart into DRIFT_DIR and
## rewrite scripts/study/testdata/drift.json (about DRIFT_RUNS x 2 minutes).
detect-study-record-drift:
	GO=$(GO) scripts/study/record-drift.sh $(DRIFT_DIR) $(DRIFT_RUNS)
