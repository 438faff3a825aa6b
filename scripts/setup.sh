#!/usr/bin/env bash
# setup.sh installs what xpcs-perf needs on a Debian bookworm machine: the HDF5
# library and its filter plugins (LZF, bitshuffle/LZ4), OpenBLAS, and the real
# clients the tests drive (h5py, pytest-benchmark, junitparser, chromium,
# debootstrap for the container's base images). It is idempotent: packages
# already installed are not touched, and apt-get update runs only when
# something is missing. Needs root (or sudo).
set -euo pipefail

PKGS=(
  build-essential pkg-config ca-certificates
  libhdf5-dev hdf5-tools
  hdf5-filter-plugin hdf5-plugin-lzf liblzf1 liblzf-dev bitshuffle
  libopenblas-dev
  python3 python3-numpy python3-scipy python3-h5py python3-hdf5plugin
  python3-pytest-benchmark python3-junitparser
  chromium
  debootstrap
  valgrind
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "setup: Go found at /usr/local/go/bin; add it to PATH"
  else
    echo "setup: Go 1.26 is required (https://go.dev/dl) and was not found" >&2
    exit 1
  fi
fi
echo "setup: ok"
