# History trends and scaling fits (issue 5: trends + scaling): analysis/trend,
# analysis/scaling and `xpcs-perf trend`.
.PHONY: test-trend bench-trend fuzz-trend trend-study

## test-trend: unit tests (race detector) of trend and scaling, and the trend command.
test-trend:
	$(GO) test -race -count=1 ./analysis/trend/ ./analysis/scaling/ && $(GO) test -count=1 -run 'TestTrend' ./internal/cli/

## bench-trend: AnalyzeAll over 1,000 runs x 100 benchmarks, history decoding, scaling fit.
bench-trend:
	$(GO) test -run '^$$' -bench . -benchtime 3x -count 5 ./analysis/trend/
	$(GO) test -run '^$$' -bench . -count 5 ./analysis/scaling/

## fuzz-trend: fuzz the history reader for FUZZTIME (default 1m).
FUZZTIME ?= 1m
fuzz-trend:
	$(GO) test -run '^$$' -fuzz FuzzHistory -fuzztime $(FUZZTIME) ./analysis/trend/

## trend-study: false-positive rate and power of the change-point test (about a minute).
trend-study:
	TREND_STUDY=1 $(GO) test -count=1 -run TestChangePointStudy -v -timeout 30m ./analysis/trend/ | grep '^|'
