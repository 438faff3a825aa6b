#!/usr/bin/env bash
# test.sh runs every test of the project: formatting, vet, the unit tests under
# the race detector, and the integration tests (real Chromium, Docker build and
# container run, h5py/pytest-benchmark/benchstat interop) behind the
# `integration` build tag. `make test` runs it with XPCS_REQUIRE_TOOLS=1, so a
# missing tool fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

echo "== gofmt"
make -s fmt-check
echo "== go vet"
go vet ./...
go vet -tags integration ./...
echo "== go test -race (unit)"
go test -race -count=1 -timeout 20m ./...
echo "== go test (integration: packages with //go:build integration files)"
mapfile -t ipkgs < <(grep -rl --include='*_test.go' '^//go:build integration' . | xargs -n1 dirname | sort -u)
if ((${#ipkgs[@]})); then
  go test -count=1 -timeout 40m -tags integration "${ipkgs[@]}"
fi
