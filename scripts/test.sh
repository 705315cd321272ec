#!/usr/bin/env bash
# `make test`: the whole suite. Installs what it lacks, starts a DynamoDB-compatible server (moto) and Google's
# Pub/Sub emulator on 127.0.0.1, runs every Rust test (nextest when available) and the CDK tests, stops both
# servers, and fails if anything fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh" --infra --pubsub

mkdir -p "$LOCAL"
"$ROOT/scripts/check-scripts.sh"

port=$(free_port)
log="$LOCAL/moto.log"
say "starting moto on 127.0.0.1:$port (log: .local/moto.log)"
start_group "$log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port"
moto_pid=$STARTED_PID
# The emulator gets a state directory of its own, so stopping it never stops one a developer started by hand.
export PUBSUB_EMULATOR_STATE="$LOCAL/pubsub-emulator-test"
on_exit 'stop_group "$moto_pid"; "$ROOT/scripts/pubsub-emulator.sh" stop'
wait_ready "$moto_pid" 60 moto_probe "$port" "$log" || {
  cat "$log" >&2
  die "moto did not start on 127.0.0.1:$port (or another server answers there)"
}

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
if [ -z "${PUBSUB_EMULATOR_HOST:-}" ]; then
  pubsub_port=$("$ROOT/scripts/pubsub-emulator.sh" start)
  export PUBSUB_EMULATOR_HOST="127.0.0.1:$pubsub_port"
fi
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

cd "$ROOT"
if cargo nextest --version >/dev/null 2>&1; then
  say "cargo nextest run --workspace"
  cargo nextest run --workspace --locked --no-fail-fast
else
  say "cargo test --workspace (cargo-nextest not installed)"
  cargo test --workspace --locked --no-fail-fast
fi
# Doc tests are not run by nextest.
say "cargo test --doc"
cargo test --workspace --locked --doc

say "infra: type check and jest"
(cd "$ROOT/infra" && npx tsc --noEmit && npx jest --ci)
say "all tests passed"
