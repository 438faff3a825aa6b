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
