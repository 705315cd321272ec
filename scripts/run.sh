#!/usr/bin/env bash
# `make run`: serves the functions locally with `cargo lambda watch` on 127.0.0.1:9000 (PORT to change it),
# storing into the embedded SQLite file .local/particle.db. No AWS account and no server needed.
#   POST http://127.0.0.1:9000/lambda-url/ingest/   (Authorization: Bearer local-dev-secret-change-me)
# Beside it runs the change feed (`forward --feed`, log .local/forward-feed.log): every event newly stored in the
# SQLite file is handed to `forward` as a DynamoDB stream record, so the integrations in integrations/ fire.
# Every setting of the README's configuration table that is set in the environment passes through to the
# functions (see documented_settings in lib.sh), as do the AWS SDK's own settings (region, profile, credentials).
#   --write-env FILE   only write the env file the functions would get to FILE, and exit (scripts/check-scripts.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

write_only=
case "${1:-}" in
  --write-env) write_only=${2:?--write-env needs a file} ;;
  "") ;;
  *) die "unknown option $1 (run.sh [--write-env FILE])" ;;
esac

# The defaults of a local run, for variables that are not set (one set to an empty value passes through as set:
# `make check-scripts` checks every documented setting arrives byte for byte). The local secret is documented in
# the README; production reads it from Secrets Manager.
export STORE="${STORE-sqlite:$LOCAL/particle.db}"
export WEBHOOK_SECRET="${WEBHOOK_SECRET-local-dev-secret-change-me}"
# respond's admin API; never the webhook secret (each opens only its own routes).
export ADMIN_SECRET="${ADMIN_SECRET-local-admin-secret-change-me}"
export EVENT_TTL_DAYS="${EVENT_TTL_DAYS-0}"
export RUST_LOG="${RUST_LOG-info}"

settings=$(documented_settings)
for must in STORE WEBHOOK_SECRET SSE_WINDOW_SECONDS; do
  grep -qx "$must" <<<"$settings" || die "README.md's configuration table no longer lists $must: is its format changed?"
done
# The AWS SDK's own configuration chain, for STORE=dynamodb:... and the *_SECRET_ARN settings.
aws_chain="AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL $(compgen -e | grep '^AWS_ENDPOINT_URL_' || true)"

write_env() {
  local name
  umask 077 # the file may hold a Particle token or a secret
  : >"$1"
  for name in $settings $aws_chain; do
    if [ -n "${!name+set}" ]; then env_line "$name" "${!name}" >>"$1"; fi
  done
}

if [ -n "$write_only" ]; then
  write_env "$write_only"
  exit 0
fi

"$ROOT/scripts/setup.sh"
PORT="${PORT:-9000}"
mkdir -p "$LOCAL"
env_file="$LOCAL/run.env"
write_env "$env_file"
# SO_REUSEADDR as servers set it: a port with connections left in TIME_WAIT is free, a listening one is not.
python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' \
  "$PORT" 2>/dev/null ||
  die "127.0.0.1:$PORT is taken by another server: stop it, or choose another port (PORT=9001 make run)"
say "serving on http://127.0.0.1:$PORT/lambda-url/<function>/ (store: $STORE; passing: $(cut -d= -f1 "$env_file" | tr '\n' ' '))"
cd "$ROOT"
watch=(cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$PORT" --env-file "$env_file")
# The change feed reads the SQLite store; with STORE=dynamodb:... the table's stream drives forward in AWS instead.
feed=()
case "$STORE" in
  sqlite:*)
    feed=(env FORWARD_FEED_INVOKE_URL="http://127.0.0.1:$PORT" FORWARD_FEED_CURSOR="$LOCAL/forward-feed.json"
      cargo run --quiet -p forward -- --feed)
    say "change feed: new events go to forward (log: .local/forward-feed.log)"
    ;;
esac

if [ "$(python3 -c 'import os, sys; print(os.getsid(int(sys.argv[1])))' $$)" = $$ ]; then
  # Already in a session of our own (scripts/smoke.sh started us with start_group, and stops the whole session).
  if [ "${#feed[@]}" -gt 0 ]; then "${feed[@]}" </dev/null >"$LOCAL/forward-feed.log" 2>&1 & fi
  exec "${watch[@]}"
fi
# Each in a session of its own, so that stopping `make run` (Ctrl-C, TERM, a closed terminal) stops cargo lambda
# watch, every function it started and the feed, none left running in the background.
start_group - "${watch[@]}"
watch_pid=$STARTED_PID
feed_pid=
if [ "${#feed[@]}" -gt 0 ]; then
  start_group "$LOCAL/forward-feed.log" "${feed[@]}"
  feed_pid=$STARTED_PID
fi
on_exit 'stop_group "$watch_pid"; [ -z "$feed_pid" ] || stop_group "$feed_pid"'
status=0
wait "$watch_pid" || status=$?
exit "$status"
