#!/usr/bin/env bash
# build.sh builds the action's image from nothing on a machine with a Docker
# engine and no image registry: it makes the base images the Dockerfile names
# when they are absent (base-images.sh: debootstrap + docker import), then
# builds the real Dockerfile unchanged and prints the image's size.
#
#   IMAGE    tag to build (default xpcs-perf-action:test)
#   VERSION  version stamped into the binary (default: git describe, else dev)
#   Any arguments are passed to `docker build` (e.g. --no-cache).
#
# The last line of output is "image TAG SIZE_BYTES bytes (N MB)"; tests parse it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
IMAGE=${IMAGE:-xpcs-perf-action:test}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}

command -v docker >/dev/null || { echo "build.sh: docker not found" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build.sh: the Docker engine is not reachable" >&2; exit 1; }

start=$(date +%s)
bash scripts/docker/base-images.sh
based=$(date +%s)
docker build --build-arg "VERSION=$VERSION" -t "$IMAGE" "$@" .
done_=$(date +%s)

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "build.sh: base images $((based - start)) s, docker build $((done_ - based)) s"
echo "image $IMAGE $size bytes ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1e6}') MB)"
