# Ingest adapters (issue 5, ingest part): pytest-benchmark, Go bench text, Google Benchmark, results.json.

.PHONY: test-ingest bench-ingest fuzz-ingest

## test-ingest: fixtures table, bad input, golden files, examples, streaming-memory check (race detector on).
test-ingest:
	$(GO) test -race ./analysis/ingest/

## bench-ingest: 100 MB inputs of each format: peak heap (peak-MB, peak/file), result size and MB/s.
bench-ingest:
	$(GO) test -run '^$$' -bench ReadLarge -benchtime 2x -count 3 ./analysis/ingest/

FUZZ_INGEST := FuzzDetect FuzzPytest FuzzGobench FuzzGoogle FuzzResults
FUZZTIME ?= 60s

## fuzz-ingest: each ingest fuzz target for FUZZTIME (default 60s).
fuzz-ingest:
	@for f in $(FUZZ_INGEST); do echo "## $$f"; $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./analysis/ingest/ || exit 1; done
