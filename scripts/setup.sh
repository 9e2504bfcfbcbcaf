#!/usr/bin/env bash
# Installs the Debian packages GODE Explorer needs (only the missing ones) and builds it in
# Release mode. Safe to run again: nothing is installed twice and the build is incremental.
#
#   GODE_BUILD_DIR   where to build (default: build/ in the project)
#   GODE_JOBS        parallel compile jobs (default: number of CPUs)
set -euo pipefail

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${GODE_BUILD_DIR:-$project_root/build}
jobs=${GODE_JOBS:-$(nproc)}

packages=(
  cmake g++ make pkg-config
  qt6-base-dev qt6-svg-dev
  libtorch-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  zlib1g-dev nlohmann-json3-dev libcli11-dev
  python3-torch
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      echo "$package"
  done
}

install_missing() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

install_missing "${packages[@]}" ${GODE_EXTRA_PACKAGES:-}

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$project_root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build_dir" --parallel "$jobs"
