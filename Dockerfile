# xpcs-perf-action: a Docker GitHub Action. GitHub builds this file and runs
# the container as root with --workdir /github/workspace, so: no USER, no
# reliance on WORKDIR, an absolute exec-form ENTRYPOINT.
#
# Both stages are Debian bookworm, so the runtime has exactly the libhdf5 the
# binary was linked against. On machines without a registry,
# scripts/docker/base-images.sh makes both base images locally under these tags.

FROM golang:1.26-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libhdf5-dev liblzf-dev libopenblas-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/xpcs-perf . \
 && /out/xpcs-perf --help >/dev/null

FROM debian:bookworm-slim
# Runtime libraries only: libhdf5 (serial), liblzf (the LZF filter is compiled
# into the binary and registered at start, so no plugin and no LD_PRELOAD is
# needed), OpenBLAS for the two-time GEMM, CA certificates for api.github.com.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libhdf5-103-1 liblzf1 libopenblas0-pthread ca-certificates hdf5-filter-plugin \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY --from=build /out/xpcs-perf /usr/local/bin/xpcs-perf
ENV XPCS_IMAGE=xpcs-perf-action \
    HDF5_PLUGIN_PATH=/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins
ENTRYPOINT ["/usr/local/bin/xpcs-perf"]
