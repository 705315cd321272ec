# Shared by the scripts: repository paths and small helpers. Source it; do not run it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
LOCAL="$ROOT/.local"
export PATH="$VENV/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1. Free when asked, not reserved: the readiness checks below still make sure that
# the server answering on it is ours.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- Background processes -------------------------------------------------------------------------------------
# Every background server starts in a session of its own (so a process group of its own, whose id is its pid) and
# stops as a whole, so nothing it spawned outlives the script. The scripts never enable job control (`set -m`),
# so the background child is not a group leader and `setsid` makes the session in place, without forking: the pid
# of the child is the id of its group and session.

# start_group LOG COMMAND...: starts COMMAND in the background in its own session, output to LOG ("-" for the
# script's own output); sets STARTED_PID.
start_group() {
  local log=$1
  shift
  if command -v setsid >/dev/null; then
    if [ "$log" = - ]; then setsid "$@" </dev/null & else setsid "$@" </dev/null >"$log" 2>&1 & fi
  else
    # macOS has no setsid(1); Python's os.setsid is the same call.
    local py='import os, sys; os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])'
    if [ "$log" = - ]; then python3 -c "$py" "$@" </dev/null & else python3 -c "$py" "$@" </dev/null >"$log" 2>&1 & fi
  fi
  STARTED_PID=$!
}

# on_exit COMMAND: runs COMMAND when the script ends, however it ends: normally, by `die`/`set -e`, or by Ctrl-C,
# TERM or HUP (a shell killed by a signal it does not trap would skip its EXIT trap and leave servers behind).
on_exit() {
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# alive PID: the process exists and has not exited (a zombie awaiting `wait` counts as exited).
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$stat" in Z* | "") return 1 ;; *) return 0 ;; esac
}

# session_groups SID: the process groups with a live process in session SID (or in group SID, where ps cannot
# show sessions). A process may move to a group of its own (cargo-lambda runs functions in their own groups),
# but it cannot leave the session without calling setsid itself.
session_groups() {
  { ps -eo pgid=,sid=,stat= 2>/dev/null || ps -eo pgid=,pgid=,stat=; } |
    awk -v s="$1" '($1 == s || $2 == s) && $3 !~ /^Z/ { print $1 }' | sort -u
}

# stop_group PID: stops what start_group started, and everything it spawned: TERM to every process group of its
# session, up to 10 s for them to finish (cargo-lambda stops its functions), then KILL to whatever is left.
stop_group() {
  local sid=$1 groups g i
  for i in $(seq 100); do
    groups=$(session_groups "$sid")
    [ -n "$groups" ] || break
    if [ "$i" = 1 ]; then for g in $groups; do kill -TERM -- "-$g" 2>/dev/null || true; done; fi
    sleep 0.1
  done
  for g in $(session_groups "$sid"); do kill -KILL -- "-$g" 2>/dev/null || true; done
  wait "$sid" 2>/dev/null || true
}

# --- Readiness: the answering server must be ours ---------------------------------------------------------------
# A port that was free a moment ago may be taken by the time our server binds, and then another server answers
# there. So each probe proves the answer came from our child (it shows up in our child's own log), and the wait
# fails as soon as our child has exited instead of waiting for the full time.

# wait_ready PID SECONDS PROBE...: runs PROBE every 0.1 s until it succeeds; 1 on time out, 2 if PID exited.
wait_ready() {
  local pid=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    alive "$pid" || return 2
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
  alive "$pid" || return 2
}

# moto_probe PORT LOG: moto answers /moto-api/ with its dashboard, and the request (with a fresh nonce in its
# query) appears in the request log of OUR moto_server (Werkzeug logs every request it serves).
moto_probe() {
  local port=$1 log=$2 nonce
  nonce="probe-$$-$RANDOM$RANDOM"
  curl -s --max-time 5 "http://127.0.0.1:$port/moto-api/?$nonce" 2>/dev/null | grep -q '<title>Moto</title>' &&
    grep -q "GET /moto-api/?$nonce " "$log"
}

# lambda_watch_probe PORT LOG: `cargo lambda watch` answers its default route with the list of this workspace's
# functions (including ingest), and OUR watch logged that answer (its log gains an `available_functions` line).
lambda_watch_probe() {
  local port=$1 log=$2 before after
  before=$(grep -c 'available_functions=' "$log" 2>/dev/null || true)
  curl -s --max-time 5 "http://127.0.0.1:$port/" 2>/dev/null | grep -q '"Default function disabled"' || return 1
  # The log line is written when the answer is; allow it a moment to reach the file.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    after=$(grep -c 'available_functions=.*"ingest"' "$log" 2>/dev/null || true)
    [ "${after:-0}" -gt "${before:-0}" ] && return 0
    sleep 0.1
  done
  return 1
}

# --- Functions ------------------------------------------------------------------------------------------------

# function_bins: the bin targets of every workspace package under functions/, one a line (from `cargo metadata`,
# so a new function is built without editing any list).
function_bins() {
  (cd "$ROOT" && cargo metadata --format-version 1 --no-deps --locked) | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
functions = os.path.join(meta["workspace_root"], "functions") + os.sep
members = set(meta["workspace_members"])
names = sorted(
    t["name"]
    for p in meta["packages"]
    if p["id"] in members and p["manifest_path"].startswith(functions)
    for t in p["targets"]
    if "bin" in t["kind"]
)
if not names:
    sys.exit("no bin target in any package under functions/")
print("\n".join(names))
'
}

# --- Settings -------------------------------------------------------------------------------------------------

# documented_settings: every variable named in the README's configuration table, one a line. The table is the one
# list of settings: `make run` passes each of them through, so a new row there needs no change in any script.
documented_settings() {
  awk '/^## Configuration/ { on = 1; next } on && /^## / { exit } on && /^\|/' "$ROOT/README.md" |
    grep -oE '`[A-Z][A-Z0-9_]*[`=]' | tr -d '`=' | sort -u
}

# env_line NAME VALUE: one line of an env file as cargo-lambda reads it (env-file-reader: an unquoted value ends at
# whitespace, `#`, `=` or a quote; a quoted one runs to the same quote, with `\n` read as a line break). The value
# is quoted with a quote character it does not contain, so it arrives byte for byte.
env_line() {
  local name=$1 value=$2 q
  case "$value" in
    *$'\n'* | *'\n'*) die "$name: a value with a line break or a literal \\n cannot pass through cargo lambda's env file" ;;
  esac
  for q in "'" '"' '`'; do
    case "$value" in
      *"$q"*) ;;
      *) printf '%s=%s%s%s\n' "$name" "$q" "$value" "$q"; return 0 ;;
    esac
  done
  die "$name: a value holding all three quote characters cannot pass through cargo lambda's env file"
}
