# xpcs-perf-action: a Docker GitHub Action. GitHub builds this file and runs
# the container as root with --workdir /github/workspace, the workspace,
# home, workflow and file-commands folders mounted under /github, and the
# inputs passed as INPUT_* variables. So: no USER, no reliance on WORKDIR, an
# absolute exec-form ENTRYPOINT and no CMD (with no arguments and
# GITHUB_ACTIONS=true the binary runs the action).
#
# Both stages are Debian bookworm, so the runtime has exactly the libhdf5
# (1.10.8, serial) the binary was linked against. On machines without an image
# registry, scripts/docker/base-images.sh makes both base images locally under
# these tags; scripts/docker/build.sh builds this file unchanged.
#
# Only Dockerfile syntax the classic builder knows (no RUN --mount), so the
# same file builds with Docker 20.10 here and with BuildKit on GitHub.

FROM golang:1.26-bookworm AS build
# Build dependencies: libhdf5 headers (pkg-config hdf5), liblzf (the LZF
# filter is compiled into the binary), OpenBLAS (two-time GEMM through cgo).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libhdf5-dev liblzf-dev libopenblas-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
# The bitshuffle/LZ4 HDF5 filter plugin (filter 32008). Debian ships it only
# inside the "bitshuffle" package, which depends on python3, numpy, cython and
# openmpi (hundreds of MB). The serial plugin itself needs only libhdf5 and
# liblz4, so take that one file out of the .deb. Reading bitshuffle data needs
# no plugin (package h5 decodes it in Go); writing it (synth, the hdf5
# category's write benchmarks) and H5Dread fallbacks do.
RUN apt-get update -qq \
 && mkdir -p /tmp/bshuf /out/plugins && cd /tmp/bshuf \
 && apt-get download -qq bitshuffle \
 && dpkg-deb -x bitshuffle_*.deb root \
 && cp root/usr/lib/$(gcc -print-multiarch)/hdf5/serial/plugins/libh5bshuf.so /out/plugins/ \
 && cd / && rm -rf /tmp/bshuf /var/lib/apt/lists/*
WORKDIR /src
# Compile the third-party packages the binary imports (scripts/docker/deps.txt,
# kept current by internal/container/deps_test.go) in their own layer, before the
# sources: a source change then recompiles only this module's packages
# (seconds) instead of all ~110 dependencies (minutes). It only warms the
# build cache, so a stale list costs time, never correctness (hence || true).
# `go build` downloads just the modules it needs (not test or tool modules).
COPY go.mod go.sum scripts/docker/deps.txt ./
RUN CGO_ENABLED=1 go build -trimpath $(grep -v '^#' deps.txt) \
 || echo "deps.txt is stale: run make docker-deps" >&2
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X github.com/xpcs-perf/xpcs-perf-action/internal/cli.version=${VERSION}" -o /out/xpcs-perf . \
 && /out/xpcs-perf --help >/dev/null

FROM debian:bookworm-slim
# Runtime libraries only, i.e. what `ldd xpcs-perf` and the plugin need:
# libhdf5 and its high-level library (serial; gonum/hdf5 links -lhdf5_hl;
# they pull libcurl, libsz, zlib), liblzf (the LZF filter is
# compiled into the binary and registered with H5Zregister at start: no
# plugin, no LD_PRELOAD), OpenBLAS (pthread variant, libgfortran; loaded
# with dlopen when two-time runs, so ldd does not list it: the last RUN
# checks that it loads), liblz4 (the bitshuffle plugin), CA certificates
# for api.github.com.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libhdf5-103-1 libhdf5-hl-100 liblzf1 libopenblas0-pthread liblz4-1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/dpkg.log /var/log/apt
# Valgrind for `metric: instructions` (xpcs-perf run --metric instructions
# re-executes itself under valgrind --tool=callgrind). The package installs
# 78 MB (every tool, for amd64 and x86, plus static libraries for building
# tools) and pulls libc6-dbg (11 MB); only the callgrind tool of this
# architecture, the core preload, the default suppressions and getoff are
# kept: an estimated 14 MB with libc6-dbg, which keeps the image under 200 MB
# (174.8 MB before). The perl scripts (callgrind_annotate...) go too: the
# runner reads the dumps itself.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind \
 && arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/') \
 && find /usr/libexec/valgrind -mindepth 1 ! -name "callgrind-$arch-linux" ! -name "vgpreload_core-$arch-linux.so" \
      ! -name default.supp ! -name "getoff-$arch-linux" -delete \
 && rm -rf /usr/lib/*-linux-gnu/valgrind /usr/share/doc/valgrind /usr/share/man/man1/*grind* \
      /usr/bin/callgrind_* /usr/bin/cg_* /usr/bin/ms_print /usr/bin/vgdb /usr/bin/valgrind-* \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/dpkg.log /var/log/apt
COPY --from=build /out/plugins/ /usr/local/lib/hdf5/plugins/
COPY --from=build /out/xpcs-perf /usr/local/bin/xpcs-perf
ENV XPCS_IMAGE=xpcs-perf-action \
    HDF5_PLUGIN_PATH=/usr/local/lib/hdf5/plugins
# Fail the build, not the user's job, when a shared library is missing.
RUN /usr/local/bin/xpcs-perf --help >/dev/null \
 && ! ldd /usr/local/bin/xpcs-perf /usr/local/lib/hdf5/plugins/*.so | grep -F 'not found' \
 && /usr/local/bin/xpcs-perf synth --size tiny --frames 20 --out /tmp/t.h5 >/dev/null \
 && /usr/local/bin/xpcs-perf correlate --raw /tmp/t.h5 --out /tmp/r.hdf --twotime --backend openblas >/dev/null \
 && rm -f /tmp/t.h5 /tmp/r.hdf \
 && GODEBUG=asyncpreemptoff=1 valgrind -q --tool=callgrind --callgrind-out-file=/dev/null /usr/local/bin/xpcs-perf --help >/dev/null
ENTRYPOINT ["/usr/local/bin/xpcs-perf"]
