# Reliability and security (issue 9): fuzzing, hostile inputs, faults, secrets,
# injection, SIGTERM, load. `make reliability` reproduces everything in
# docs/RELIABILITY.md; logs and the load table go to out/reliability/.

.PHONY: reliability reliability-hostile reliability-sigterm reliability-fuzz reliability-load reliability-strict

FUZZTIME ?= 60s
RELIABILITY_OUT := out/reliability

# Every fuzz target of the project, package:Target.
RELIABILITY_FUZZ := \
	analysis:FuzzGate analysis:FuzzRules \
	ghapi:FuzzEvent ghapi:FuzzUnzip \
	internal/reliability:FuzzPipeline \
	analysis/ingest:FuzzDetect analysis/ingest:FuzzPytest analysis/ingest:FuzzGobench \
	analysis/ingest:FuzzGoogle analysis/ingest:FuzzResults \
	analysis/trend:FuzzHistory comment:FuzzEscapeMarkdown h5:FuzzBitshuffleLZ4Decode

## reliability: everything in docs/RELIABILITY.md: hostile inputs, faults, injection, secrets,
## SIGTERM, every fuzz target for FUZZTIME (default 60s) and the full-size load test.
reliability: reliability-hostile reliability-sigterm reliability-fuzz reliability-load

## reliability-hostile: the end-to-end hostile-input, fault, injection, path, secret and leak
## tests (race detector on) plus the hostile tests and fuzz seeds of the other packages.
reliability-hostile:
	@mkdir -p $(RELIABILITY_OUT)
	$(GO) test -race -count=1 -v ./internal/reliability/ 2>&1 | tee $(RELIABILITY_OUT)/hostile.log | grep -E '^(---|ok|FAIL|PASS)|KNOWN BUG' ; test $${PIPESTATUS[0]} -eq 0
	$(GO) test -count=1 -run 'Hostile|Fuzz|GoroutineLeak|BadInput|CorruptChunk' -v ./h5/ ./runner/ ./ghapi/ ./analysis/ 2>&1 | tee $(RELIABILITY_OUT)/hostile-pkgs.log | grep -E '^(---|ok|FAIL)|KNOWN BUG' ; test $${PIPESTATUS[0]} -eq 0

## reliability-sigterm: builds the binary, SIGTERMs `xpcs-perf run` mid-run and checks the partial
## results; runs the user-data benchmark on a text file named .h5 and a truncated HDF5 file.
reliability-sigterm:
	$(GO) test -count=1 -tags integration -run 'TestSIGTERMWritesPartialResults|TestHostileDataFiles' -v ./internal/reliability/

## reliability-fuzz: each fuzz target for FUZZTIME; a crasher is kept in testdata/fuzz and fails the target.
reliability-fuzz:
	@mkdir -p $(RELIABILITY_OUT); status=0; \
	for pt in $(RELIABILITY_FUZZ); do p=$${pt%%:*}; f=$${pt##*:}; \
		echo "## $$f ($$p, $(FUZZTIME))"; \
		if $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./$$p/ > $(RELIABILITY_OUT)/fuzz-$$f.log 2>&1; \
		then tail -3 $(RELIABILITY_OUT)/fuzz-$$f.log | grep -E 'elapsed' | tail -1; \
		else status=1; echo "   FAILED: see $(RELIABILITY_OUT)/fuzz-$$f.log"; grep -E 'Failing input|panic:' $(RELIABILITY_OUT)/fuzz-$$f.log | head -3; fi; \
	done; exit $$status

## reliability-load: 10,000 benchmarks and a 1,000-run history through ingest, compare, trends,
## every report and the sticky comment; wall time and peak heap per stage.
reliability-load:
	@mkdir -p $(RELIABILITY_OUT)
	RELIABILITY_LOAD_OUT=$(RELIABILITY_OUT)/load.md $(GO) test -count=1 -timeout 30m -run '^TestLoad$$' -v ./internal/reliability/ -reliability.load
	@cat $(RELIABILITY_OUT)/load.md

## reliability-strict: the known bugs listed in internal/reliability/known_test.go fail instead of logging.
reliability-strict:
	XPCS_RELIABILITY_STRICT=1 $(GO) test -count=1 ./internal/reliability/ ./h5/
