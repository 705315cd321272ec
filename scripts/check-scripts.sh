#!/usr/bin/env bash
# `make check-scripts` (also the start of `make test`): checks of the scripts themselves, without building Rust.
#   1. syntax of every script (and shellcheck, when installed);
#   2. `make run` passes every setting of the README's configuration table through, byte for byte, and the table
#      lists every setting the functions' config.rs files read;
#   3. readiness checks are not fooled by a foreign server on the port, and fail fast when our server exits;
#   4. stop_group stops a server and everything it spawned, even processes that moved to a group of their own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || die "curl not found"

failures=0
ok() { printf '  ok    %s\n' "$*"; }
fail() {
  printf '  FAIL  %s\n' "$*"
  failures=$((failures + 1))
}
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do stop_group "$p"; done
  rm -rf "$tmp"
}
on_exit cleanup

say "check-scripts: syntax"
for f in "$ROOT"/scripts/*.sh "$ROOT"/.ci/run; do
  [ -f "$f" ] || continue
  if bash -n "$f"; then ok "bash -n ${f#"$ROOT/"}"; else fail "bash -n ${f#"$ROOT/"}"; fi
done
if command -v shellcheck >/dev/null; then
  if shellcheck -x -S warning "$ROOT"/scripts/*.sh; then ok shellcheck; else fail shellcheck; fi
fi

say "check-scripts: settings reach the functions"
settings=$(documented_settings)
for name in STORE WEBHOOK_SECRET WEBHOOK_SECRET_ARN PARTICLE_ACCESS_TOKEN PARTICLE_ACCESS_TOKEN_SECRET_ARN \
  PARTICLE_API_URL SSE_RECONNECT_MIN_MS SSE_RECONNECT_MAX_MS SSE_FLUSH_MARGIN_SECONDS RUST_LOG; do
  grep -qx "$name" <<<"$settings" || fail "README configuration table does not list $name"
done
# Every setting the functions read in their config modules is documented (and so passed through by `make run`).
read_by_code=$(find "$ROOT/functions" "$ROOT/shared" -path '*/src/*' \( -name config.rs -o -name settings.rs \) \
  -exec grep -ohE '"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+"' {} + | tr -d '"' | sort -u)
for name in $read_by_code; do
  if grep -qx "$name" <<<"$settings"; then :; else fail "$name is read by the code but not in README.md's configuration table"; fi
done
ok "$(wc -w <<<"$read_by_code") settings read by config modules, all documented"
# Values an env file is likely to mangle; each must come back exactly.
values=('with space' 'hash # not a comment' 'a=b,c=d' "single ' quote" 'double " quote' "both ' and \"" '$HOME ${X}' '' 'plain')
expect="$tmp/expect.json"
(
  i=0
  for name in $settings AWS_REGION AWS_PROFILE AWS_ENDPOINT_URL_SECRETS_MANAGER; do
    export "$name=${values[$((i % ${#values[@]}))]}"
    i=$((i + 1))
  done
  python3 -c 'import json, os, sys; print(json.dumps({n: os.environ[n] for n in sys.argv[1:]}))' \
    $settings AWS_REGION AWS_PROFILE AWS_ENDPOINT_URL_SECRETS_MANAGER >"$expect"
  "$ROOT/scripts/run.sh" --write-env "$tmp/run.env"
)
# Read the file as cargo-lambda's env-file-reader does: NAME=value, the value unquoted (up to whitespace) or in
# '...', "..." or `...` with \<quote> and \n unescaped.
if python3 - "$tmp/run.env" "$expect" <<'PY'; then ok "every documented setting passes through byte for byte ($(wc -l <"$tmp/run.env") variables)"; else fail "settings pass-through"; fi
import json, re, sys
want = json.load(open(sys.argv[2]))
got = {}
for line in open(sys.argv[1]).read().splitlines():
    m = re.fullmatch(r"""([^\s='`"#]+)=(?:'([^']*)'|"([^"]*)"|`([^`]*)`|([^\s='`"#]*))""", line)
    if not m:
        sys.exit(f"unreadable env line for {line.split('=')[0]}")
    q = next(i for i in (2, 3, 4, 5) if m.group(i) is not None)
    v = m.group(q)
    if q != 5:
        quote = "'\"`"[q - 2]
        v = v.replace("\\" + quote, quote).replace("\\n", "\n")
    got[m.group(1)] = v
bad = sorted(n for n in want if got.get(n) != want[n])
if bad:
    sys.exit("wrong or missing: " + ", ".join(bad))
PY
if bad=$( (export SSE_EVENT_PREFIX=$'two\nlines'; "$ROOT/scripts/run.sh" --write-env "$tmp/bad.env") 2>&1); then
  fail "a value with a line break was written to the env file"
else
  grep -q SSE_EVENT_PREFIX <<<"$bad" && ok "a value with a line break is refused, naming the variable" || fail "refusal does not name the variable: $bad"
fi

say "check-scripts: readiness checks"
# A foreign server that imitates both moto's dashboard and cargo lambda watch's default route.
cat >"$tmp/impostor.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b"<html><title>Moto</title></html>" if self.path.startswith("/moto-api/")
                else b'{"title":"Default function disabled","detail":"Available functions: {\\"ingest\\"}"}')
        self.send_response(200 if self.path.startswith("/moto-api/") else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
iport=$(free_port)
start_group "$tmp/impostor.log" python3 "$tmp/impostor.py" "$iport"
pids+=("$STARTED_PID")
curl -s --retry 50 --retry-delay 0 --retry-connrefused --max-time 10 -o /dev/null "http://127.0.0.1:$iport/moto-api/" ||
  die "the impostor server did not start"
# Our "server" is alive but is not the one answering on the port.
start_group "$tmp/ours.log" sleep 60
ours=$STARTED_PID
pids+=("$ours")
status=0
wait_ready "$ours" 2 moto_probe "$iport" "$tmp/ours.log" || status=$?
[ "$status" = 1 ] && ok "moto_probe is not satisfied by a foreign server imitating moto" || fail "moto_probe status $status with an impostor"
status=0
wait_ready "$ours" 2 lambda_watch_probe "$iport" "$tmp/ours.log" || status=$?
[ "$status" = 1 ] && ok "lambda_watch_probe is not satisfied by a foreign server imitating cargo lambda watch" ||
  fail "lambda_watch_probe status $status with an impostor"
# Our server exits (here: moto cannot bind the impostor's port): the wait ends at once, not after its time out.
start_group "$tmp/moto-taken.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$iport"
pids+=("$STARTED_PID")
started=$SECONDS
status=0
wait_ready "$STARTED_PID" 60 moto_probe "$iport" "$tmp/moto-taken.log" || status=$?
[ "$status" = 2 ] && [ $((SECONDS - started)) -lt 30 ] && ok "moto on a taken port: the wait fails fast ($((SECONDS - started)) s)" ||
  fail "moto on a taken port: status $status after $((SECONDS - started)) s"
# The real moto on a free port is recognised.
mport=$(free_port)
start_group "$tmp/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$mport"
moto=$STARTED_PID
pids+=("$moto")
status=0
wait_ready "$moto" 60 moto_probe "$mport" "$tmp/moto.log" || status=$?
[ "$status" = 0 ] && ok "moto on a free port is ready and recognised as ours" || fail "moto_probe status $status for our own moto"
stop_group "$moto"
[ -z "$(session_groups "$moto")" ] && ! alive "$moto" && ok "moto stopped" || fail "moto still running after stop_group"

say "check-scripts: process groups"
# A server whose children include one that moved to a process group of its own, as cargo-lambda's functions do.
start_group "$tmp/tree.log" bash -c '
  sleep 300 & echo $! >"$1/kids"
  python3 -c "import os, time; os.setpgid(0, 0); time.sleep(300)" & echo $! >>"$1/kids"
  wait' _ "$tmp"
tree=$STARTED_PID
pids+=("$tree")
for _ in $(seq 50); do [ "$({ wc -l <"$tmp/kids"; } 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
sleep 0.3
[ "$(session_groups "$tree" | wc -l)" -ge 2 ] && ok "the test tree spans two process groups" || fail "the test tree did not form"
stop_group "$tree"
left=""
for p in $tree $(cat "$tmp/kids"); do alive "$p" && left="$left $p"; done
[ -z "$left" ] && ok "stop_group stopped the server and all it spawned" || fail "left running:$left"

[ "$failures" = 0 ] || die "$failures script check(s) failed"
say "check-scripts: all checks passed"
