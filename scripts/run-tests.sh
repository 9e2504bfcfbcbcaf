#!/usr/bin/env bash
# Sets up (missing packages, Release build) and runs the whole test suite with CTest.
# Tests that need a real dataset read its folder from GODE_MNIST_DIR and skip when it is unset.
set -euo pipefail

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$project_root/scripts/setup.sh"

build_dir=${GODE_BUILD_DIR:-$project_root/build}
ctest --test-dir "$build_dir" --output-on-failure --timeout 1800 "$@"
