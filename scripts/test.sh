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
echo "== go test (without -race, with the integration tests)"
# Every package once more without the race detector: the integration tests
# (Chromium, the Docker image, SIGTERM) and the full variants of the tests
# that -race trims (all fit methods, every truth-recovery seed, the
# streaming-memory and load figures).
mapfile -t pkgs < <(go list ./...)
# XPCS_CONTAINER_TESTS=0 leaves the Docker tests to a job that has a Docker
# engine (this repository's GitHub CI runs them in a job of their own).
if [ "${XPCS_CONTAINER_TESTS:-1}" = 0 ]; then
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | grep -v '/container$')
  echo "(container tests left to the docker job: XPCS_CONTAINER_TESTS=0)"
fi
go test -count=1 -timeout 40m -tags integration "${pkgs[@]}"
