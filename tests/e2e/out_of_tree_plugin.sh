#!/usr/bin/env bash
# Builds sdk/examples/student_t against the *installed* SDK (a temporary
# `cmake --install` prefix), points ORRERY_PLUGIN_PATH at it, swaps it into the
# quickstart in place of core.gaussian_likelihood, and runs the unchanged
# orrery binary.
# Usage: out_of_tree_plugin.sh <source dir> <build dir> <orrery binary>
set -euo pipefail
src=$1 build=$2 orrery=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" --component sdk >/dev/null
cmake -S "$src/sdk/examples/student_t" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/plugin" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
test -f "$work/plugin/orrery-example.so"

cd "$work"
export ORRERY_PLUGIN_PATH="$work/plugin"
# Not `orrery plugins | grep -q`: with pipefail, grep -q exiting at the first
# match can kill the still-writing orrery with SIGPIPE and fail the pipeline.
"$orrery" plugins > "$work/plugins.txt"
grep -q "example.student_t_likelihood" "$work/plugins.txt"
"$orrery" run "$src/configs/quickstart.toml" -q \
  --set components.like.plugin=example.student_t_likelihood --set components.like.nu=4 \
  --set components.sampler.steps=1000
grep -q '"library": "example"' runs/quickstart/manifest.json
grep -q 'example.student_t_likelihood' runs/quickstart/config.toml
echo "out-of-tree plugin built against the installed SDK and swapped in: OK"
