# The GitHub Action (issue 7): ghapi (artifacts, safe unzip, comments, events,
# rate limits), action (the pipeline), action.yml and the workflows.
.PHONY: test-action e2e-action lint-action demo-action bench-action

## test-action: unit tests of ghapi/ and action/ under the race detector.
test-action:
	$(GO) test -race -count=1 ./ghapi/... ./action/

## e2e-action: the binary run as a GitHub runner runs it, against the fake GitHub
## (PR with an injected slowdown, no baseline, nightly, fork 403, rate limits,
## expired/corrupt/../ artifacts, pytest-benchmark ingest, aggregate of 4 categories).
e2e-action:
	set -o pipefail; $(GO) test -count=1 -run 'TestAction' -v ./internal/cli/ 2>&1 | grep -E '^(=== RUN|\s*--- |PASS|FAIL|ok)'

## lint-action: actionlint on the workflows (it also checks their use of ./action.yml).
lint-action:
	$(GO) tool actionlint .github/workflows/ci.yml .github/workflows/perf.yml

## demo-action: the pipeline locally with a real injected slowdown (fails if not caught).
demo-action: build
	./$(BIN) demo --out out/demo

## bench-action: safe unzip throughput and artifact lookup over 3 pages.
bench-action:
	$(GO) test -run '^$$' -bench . -count 5 ./ghapi/

## e2e-verdicts: issue 12 item 7 — the real action pipeline (the binary, against ghfake on
## 127.0.0.1) on this machine: 8 push runs build the baseline and history artifacts, then
## 10 A/A and 10 pull requests with a 3x injected slowdown on a third of the benchmarks,
## interleaved; prints a Markdown table of verdicts and the CPU-vs-wall drift. A measurement
## (like make bench), not a test: E2E_ARGS passes flags (e.g. -rounds 20 -category scientific).
.PHONY: e2e-verdicts
e2e-verdicts: build
	$(GO) run ./scripts/e2e -bin $(BIN) $(E2E_ARGS)
