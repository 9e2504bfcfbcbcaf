#!/usr/bin/env bash
# Sets up (missing packages, Release build) and starts GODE Explorer. Arguments are passed to
# the window. Without a display there is no window to show, so it says so and trains a short
# run on the embedded MNIST sample with gode-train instead, which shows that the build works.
set -euo pipefail

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$project_root/scripts/setup.sh"

build_dir=${GODE_BUILD_DIR:-$project_root/build}
# Passive OpenMP waits keep LibTorch's idle threads from spinning on the cores the window needs.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

has_display() {
  [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] ||
    [ "${QT_QPA_PLATFORM:-}" = offscreen ]
}

if has_display; then
  exec "$build_dir/app/gode-explorer" "$@"
fi

sample_dir=$project_root/resources/mnist-sample
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/gode-sample-run.XXXXXX")
echo "run-app: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open."
echo "run-app: training 5 short epochs on the embedded MNIST sample (2,000 images, batch 16,"
echo "run-app: about 5 s; around 95 % test accuracy) with gode-train instead;"
echo "run-app: the run directory is $run_dir. Start the window from a desktop session."
exec "$build_dir/app/gode-train" --data-dir "$sample_dir" --epochs 5 --batch 16 --out "$run_dir"
