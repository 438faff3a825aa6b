# Benchmark engine (runner/) and the XPCS suite (runner/suite/), the run and list commands (internal/cli), examples/custombench.
.PHONY: test-runner bench-runner-accuracy bench-runner-categories bench-runner-repeat bench-instructions test-instructions

RUNNER_OUT ?= out/runner

## test-runner: engine, registry, exports (pytest-benchmark compare, benchstat), schema, CLI (race on).
test-runner:
	$(GO) test -race -short ./runner/... ./examples/custombench/
	$(GO) test ./runner/...
	$(GO) test -run 'RunCommand|RunUsage|ListCommand|JoinExport' ./internal/cli/

## bench-runner-accuracy: engine median vs testing.Benchmark, empty-benchmark overhead (figures in -v output).
bench-runner-accuracy:
	XPCS_TIMING_TESTS=1 $(GO) test -count 1 -run 'AgreesWithTestingBenchmark|EmptyOverhead|CountersNeverFail' -v ./runner/

## bench-runner-categories: every category on tiny+small, one after the other, with wall times.
bench-runner-categories: build
	@mkdir -p $(RUNNER_OUT)
	@for c in hdf5 scientific memory scalability optimization plotting; do \
	  s=$$(date +%s.%N); \
	  ./$(BIN) run --category $$c --sizes tiny,small --progress lines --out $(RUNNER_OUT)/$$c.json 2>$(RUNNER_OUT)/$$c.log || exit 1; \
	  e=$$(date +%s.%N); printf '%-13s %6.1f s  %s\n' $$c $$(echo "$$e - $$s" | bc) "$$(tail -2 $(RUNNER_OUT)/$$c.log | head -1)"; \
	done

## bench-runner-repeat: one category (CATEGORY, default scientific) twice back to back; CV per benchmark and run-to-run ratio.
bench-runner-repeat: build
	@mkdir -p $(RUNNER_OUT)
	./$(BIN) run --category $${CATEGORY:-scientific} --progress none --out $(RUNNER_OUT)/repeat1.json
	./$(BIN) run --category $${CATEGORY:-scientific} --progress none --out $(RUNNER_OUT)/repeat2.json
	$(GO) run ./runner/internal/repeatcv $(RUNNER_OUT)/repeat1.json $(RUNNER_OUT)/repeat2.json

## bench-instructions: the instruction-count study (docs/perf/instructions.md): RUNS=10 counted runs, SLOWED=4 with +3% injected, one timed run; ~25 min.
bench-instructions:
	OUT=$${OUT:-out/instructions} RUNS=$${RUNS:-10} SLOWED=$${SLOWED:-4} bash scripts/instructions/record.sh

## test-instructions: the callgrind tests (real valgrind; skipped without it, failed with XPCS_REQUIRE_TOOLS=1).
test-instructions:
	$(GO) test -count 1 -run 'Callgrind|ItersFor|Uncountable|ConfigMetric|InstructionsOutside|ActionCountsInstructions|InstructionCounts|InstructionsSelection' ./runner/... ./analysis ./internal/cli
	$(GO) test -count 1 -tags integration -run 'TestInstructions' ./internal/reliability
