# xpcs-perf-action — every step of the project is a target here; area targets
# (bench-h5, bench-xpcs, detect-study, ...) live in mk/*.mk.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/xpcs-perf

.PHONY: setup build test test-unit vet fmt-check demo clean perf-doc help

## setup: install the Debian packages the project needs (idempotent).
setup:
	bash scripts/setup.sh

## build: the xpcs-perf binary (cgo: libhdf5).
build:
	$(GO) build -o $(BIN) .

## demo: the main job on a fresh Debian machine: install, build, run the
## pipeline locally (benchmarks, baseline, comparison, reports) and show a
## regression being caught.
demo: setup build
	./$(BIN) demo --out out/demo

## test: every test, as CI runs it (.ci/run calls exactly this).
test: setup
	XPCS_REQUIRE_TOOLS=1 bash scripts/test.sh

## test-unit: the fast tests only (no tools required).
test-unit:
	$(GO) test ./...

## fmt-check: fail when a Go file needs gofmt.
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## vet: go vet every package.
vet:
	$(GO) vet ./...

## clean: remove bin/ and out/.
clean:
	rm -rf bin out

-include mk/*.mk

## perf-doc: assemble docs/PERFORMANCE.md from docs/perf/*.md.
perf-doc:
	python3 scripts/perf_doc.py

## help: list the targets (the `## target: text` lines of Makefile and mk/*.mk).
help:
	@awk '/^## [A-Za-z0-9_.-]+:/ { t = $$2; sub(/:$$/, "", t); $$1 = ""; $$2 = ""; sub(/^  */, ""); printf "  %-26s %s\n", t, $$0 }' Makefile mk/*.mk
