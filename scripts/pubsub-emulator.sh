#!/usr/bin/env bash
# The Google Cloud Pub/Sub emulator for tests, on 127.0.0.1 and a free port, in its own process group.
#
#   scripts/pubsub-emulator.sh start   # starts it (or finds it running), waits until it answers, prints the port
#   scripts/pubsub-emulator.sh stop    # stops the whole process group (java outlives a killed wrapper)
#   export PUBSUB_EMULATOR_HOST=127.0.0.1:$(scripts/pubsub-emulator.sh start)
#
# Install (Debian/Ubuntu, with Google's cloud-sdk apt repository):
#   apt-get install google-cloud-cli-pubsub-emulator openjdk-17-jre-headless
# State (pid, port, log) lives in $PUBSUB_EMULATOR_STATE (default .local/pubsub-emulator); the emulator logs every
# request, so its output goes to emulator.log there, never to the terminal.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="${PUBSUB_EMULATOR_STATE:-$LOCAL/pubsub-emulator}"

launcher() {
  dpkg -L google-cloud-cli-pubsub-emulator 2>/dev/null | grep 'bin/cloud-pubsub-emulator$' | head -n 1
}

running() {
  [ -f "$STATE/pid" ] && kill -0 -- "-$(cat "$STATE/pid")" 2>/dev/null
}

start() {
  if running && [ -f "$STATE/port" ]; then
    cat "$STATE/port"
    return 0
  fi
  local bin
  bin="$(launcher || true)"
  [ -n "$bin" ] && [ -x "$bin" ] ||
    die "the Pub/Sub emulator is not installed: apt-get install google-cloud-cli-pubsub-emulator openjdk-17-jre-headless"
  command -v java >/dev/null || die "the Pub/Sub emulator needs Java 17: apt-get install openjdk-17-jre-headless"
  mkdir -p "$STATE"
  local port pid
  # If the port is taken the emulator hangs instead of failing, so it always gets a port that was just free.
  port="$(free_port)"
  # setsid: a new session and process group whose id is the launcher's pid, so `stop` can end java with it.
  setsid "$bin" --host=127.0.0.1 --port="$port" >"$STATE/emulator.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$STATE/pid"
  echo "$port" >"$STATE/port"
  local i=0
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$STATE/emulator.log" >&2 || true
      rm -f "$STATE/pid" "$STATE/port"
      die "the Pub/Sub emulator exited during startup (log: $STATE/emulator.log)"
    fi
    i=$((i + 1))
    if [ "$i" -gt 600 ]; then
      stop
      die "the Pub/Sub emulator did not answer within 60 s (log: $STATE/emulator.log)"
    fi
    sleep 0.1
  done
  say "Pub/Sub emulator ready on 127.0.0.1:$port (pid $pid, log $STATE/emulator.log)"
  echo "$port"
}

stop() {
  [ -f "$STATE/pid" ] || return 0
  local pgid i=0
  pgid="$(cat "$STATE/pid")"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  while kill -0 -- "-$pgid" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then
      kill -KILL -- "-$pgid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$STATE/pid" "$STATE/port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
