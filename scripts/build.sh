#!/usr/bin/env bash
# `make build`: Lambda artifacts for arm64, one per function: $CARGO_TARGET_DIR/lambda/<function>/bootstrap
# (target/lambda/... by default). The functions are every bin target of the packages under functions/, found
# with `cargo metadata` (function_bins in lib.sh), so a new function needs no change here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
rustup target add aarch64-unknown-linux-gnu

bins=()
# `--package` as well: with `--bin` alone cargo selects every workspace member, and the tests and bench packages'
# dependencies would switch the SQLite feature back on (features are unified across the selected packages).
while IFS= read -r bin; do bins+=(--package "$bin" --bin "$bin"); done < <(function_bins)
# --no-default-features: deployed functions open DynamoDB only, so the SQLite backend (a default feature, for local
# runs and tests) is left out: ~2 MB smaller per bootstrap. The CDK bundling passes the same (LAMBDA_BUILD_FLAGS).
say "cargo lambda build --release --arm64 --no-default-features ${bins[*]}"
cd "$ROOT"
cargo lambda build --release --arm64 --no-default-features "${bins[@]}"
