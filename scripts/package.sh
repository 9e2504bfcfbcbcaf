#!/usr/bin/env bash
# Builds the Debian package (.deb) from the Release build: build/package/gode-explorer_*.deb.
# Its runtime dependencies are read from the linked libraries (dpkg-shlibdeps, in dpkg-dev).
set -euo pipefail

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GODE_EXTRA_PACKAGES="${GODE_EXTRA_PACKAGES:-} dpkg-dev file" "$project_root/scripts/setup.sh"

build_dir=${GODE_BUILD_DIR:-$project_root/build}
cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$build_dir/package"
ls -l "$build_dir"/package/gode-explorer_*.deb
