# The container (issue 8): Dockerfile, local base images, the image test run
# the way GitHub's runner runs a Docker action, and the container overhead.
.PHONY: docker-base docker-build docker-test docker-overhead docker-size docker-deps

## docker-base: make debian:bookworm-slim and golang:1.26-bookworm locally (no registry needed).
docker-base:
	bash scripts/docker/base-images.sh

## docker-build: base images when absent, then the real Dockerfile (tag xpcs-perf-action:test); prints the size.
docker-build:
	bash scripts/docker/build.sh

## docker-test: build the image and run the container tests (help, LZF/bitshuffle, benchmarks, PR-with-regression against the fake GitHub).
docker-test:
	XPCS_REQUIRE_TOOLS=1 $(GO) test -count=1 -timeout 30m -tags integration -v ./internal/container/

## docker-overhead: wall time of `docker run` vs the binary directly (--help and a tiny category), medians of N=5.
docker-overhead: build
	bash scripts/docker/overhead.sh

## docker-size: the image size in bytes.
docker-size:
	@docker image inspect -f '{{.Size}}' xpcs-perf-action:test

## docker-deps: regenerate scripts/docker/deps.txt (the dependencies the Dockerfile compiles ahead of the sources).
docker-deps:
	bash scripts/docker/deps.sh
