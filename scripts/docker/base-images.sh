#!/usr/bin/env bash
# base-images.sh makes, on a machine with a Docker engine but no image
# registry, the two base images the Dockerfile names, under the same tags as
# the official images, so the real Dockerfile builds unchanged here and on
# GitHub (which pulls the official ones):
#
#   debian:bookworm-slim   debootstrap --variant=minbase of Debian bookworm,
#                          trimmed like the official slim image, docker import
#   golang:1.26-bookworm   that rootfs + gcc/libc6-dev/make/pkg-config/git
#                          + the host's Go toolchain (GOROOT) at /usr/local/go
#
# An image that already exists is kept (FORCE=1 rebuilds). Needs root,
# debootstrap and a Docker engine. The Debian mirror is the one apt uses here.
set -euo pipefail

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SLIM=debian:bookworm-slim
GOIMG=golang:1.26-bookworm
GOROOT_HOST=${GOROOT_HOST:-$(go env GOROOT 2>/dev/null || echo /usr/local/go)}
WORK=$(mktemp -d /tmp/xpcs-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

have() { [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# Where a registry is reachable (GitHub's runners), XPCS_PULL_BASE=1 pulls the
# official images instead of making them.
if [ "${XPCS_PULL_BASE:-0}" = 1 ]; then
  docker pull -q "$SLIM" && docker pull -q "$GOIMG" && exit 0
  echo "base-images: pull failed; making the images locally" >&2
fi

command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }

rootfs() { # rootfs DIR [extra packages]
  local dir=$1; shift
  local inc="ca-certificates"
  if (($#)); then inc="$inc,$(IFS=,; echo "$*")"; fi
  debootstrap --variant=minbase --include="$inc" bookworm "$dir" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
    tail -20 "$WORK/debootstrap.log" >&2; echo "base-images: debootstrap failed (mirror $MIRROR)" >&2; exit 1; }
  # Same apt source as the official image, and the slim image's trimming.
  cat >"$dir/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
  # The official slim image's dpkg excludes, so later apt-get installs stay slim too.
  mkdir -p "$dir/etc/dpkg/dpkg.cfg.d" "$dir/etc/apt/apt.conf.d"
  cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<CFG
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
CFG
  echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/docker-no-recommends"
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  find "$dir/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log
}

import() { # import DIR TAG [docker import --change ...]
  local dir=$1 tag=$2; shift 2
  tar -C "$dir" -c . | docker import "$@" - "$tag" >/dev/null
  echo "base-images: made $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

if have "$SLIM"; then
  echo "base-images: $SLIM present"
else
  rootfs "$WORK/slim"
  import "$WORK/slim" "$SLIM" --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
fi

if have "$GOIMG"; then
  echo "base-images: $GOIMG present"
else
  [ -x "$GOROOT_HOST/bin/go" ] || { echo "base-images: no Go toolchain at $GOROOT_HOST" >&2; exit 1; }
  rootfs "$WORK/go" gcc libc6-dev make pkg-config git
  # The build stage downloads Go modules. Where this machine reaches the
  # network through a TLS-intercepting egress proxy, its extra CAs live in
  # /usr/local/share/ca-certificates; the local builder image trusts them too,
  # exactly as the host does (the runtime image is not touched).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$WORK/go/usr/local/share/ca-certificates/"
    chroot "$WORK/go" update-ca-certificates >/dev/null 2>&1 || true
  fi
  mkdir -p "$WORK/go/usr/local"
  cp -a "$GOROOT_HOST" "$WORK/go/usr/local/go"
  rm -rf "$WORK/go/usr/local/go/pkg/obj" "$WORK/go/usr/local/go/test"
  import "$WORK/go" "$GOIMG" \
    --change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV GOPATH=/go' --change 'ENV GOTOOLCHAIN=local' --change 'WORKDIR /go' --change 'CMD ["bash"]'
fi
