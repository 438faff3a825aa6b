# xpcs-perf-action — every step of the project is a target here; area targets
# (bench-h5, bench-xpcs, detect-study, ...) live in mk/*.mk.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/xpcs-perf

.PHONY: setup build test test-unit test-integration vet fmt-check demo bench clean perf-doc

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

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

clean:
	rm -rf bin out

-include mk/*.mk

## perf-doc: assemble docs/PERFORMANCE.md from docs/perf/*.md.
perf-doc:
	python3 scripts/perf_doc.py
