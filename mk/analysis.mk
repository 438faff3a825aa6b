# Analysis core (issue 5): comparison statistics, verdicts, gate, detection study.

.PHONY: test-analysis bench-analysis detect-study detect-study-collect

## test-analysis: unit, conformance (benchstat, pytest-benchmark fixtures) and bad-input tests.
test-analysis:
	$(GO) test -race ./analysis/ && $(GO) test -run 'TestCompareCommand' .

## bench-analysis: BenchmarkCompare10k (10,000 benchmarks x 20 samples) and
## BenchmarkCompare150kRounds (one benchmark, 150,000 rounds per side), 5 runs each.
bench-analysis:
	$(GO) test -run '^$$' -bench 'Compare10k|Compare150kRounds' -benchtime 1x -count 5 ./analysis/

STUDY_RUNS := "-clock wall" "-clock cpu" "-clock cpu -pairing interleaved" "-clock cpu -max-cv 0.1"

## detect-study: false-alarm rate and power of our rule vs the seed's vs a single-point 200%
## ratio, on the committed real samples (scripts/study/testdata/samples.json); offline, seeded.
detect-study:
	@for a in $(STUDY_RUNS); do echo "## go run ./scripts/study $$a"; $(GO) run ./scripts/study $$a || exit 1; echo; done

## detect-study-collect: measure the workloads again on this machine, then run the study.
detect-study-collect:
	$(GO) run ./scripts/study -collect >/dev/null
	$(MAKE) detect-study
