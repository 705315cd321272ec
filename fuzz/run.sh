#!/usr/bin/env bash
# `make fuzz`: every target for FUZZ_SECONDS (default 60) each, starting from the seeds in fuzz/seeds/<target>.
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address); the project's stable compiler accepts them with
# RUSTC_BOOTSTRAP=1 (checked with 1.95), so no nightly toolchain is needed. FUZZ_TARGET_DIR: where to build (sanitizer builds share nothing with the
# workspace's target dir). A crash stops the run and leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
target_dir=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-../target}/fuzz}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cargo=(cargo)
targets=${FUZZ_TARGETS:-$("${cargo[@]}" fuzz list)}
for target in $targets; do
  mkdir -p "corpus/$target"
  echo "==> fuzzing $target for ${seconds}s" >&2
  "${cargo[@]}" fuzz run --target-dir "$target_dir" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1
done
