#!/usr/bin/env bash
# `make smoke`: runs the README's run command in the background on a scratch SQLite file and checks the ingest
# endpoint end to end with curl: Particle's default form webhook (201, then 200), the same event as JSON (200),
# a new JSON event (201), the largest event fully JSON-escaped (201), every class of bad input (its status,
# nothing stored), and the stored row count. Then the README's reply example on respond: a reply stored through
# the admin API and the device's request answered with it (and what each secret may not do).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

port=$(free_port)
db="$LOCAL/smoke-$$.db"
log="$LOCAL/smoke-$$.log"
mkdir -p "$LOCAL"
rm -f "$db"*
# A secret with the characters an env file is most likely to mangle (space, #, =, $, quotes): the first request
# is only accepted if it reached the function byte for byte. RUST_LOG with `=` likewise.
secret="smoke secret #1 = \$HOME 'q' \"dq\""
# Its own session, so cargo lambda watch and every function it runs stop together at the end.
admin="smoke admin secret"
start_group "$log" env PORT="$port" STORE="sqlite:$db" WEBHOOK_SECRET="$secret" ADMIN_SECRET="$admin" \
  RUST_LOG="info,ingest=info" \
  "$ROOT/scripts/run.sh"
run_pid=$STARTED_PID
cleanup() {
  stop_group "$run_pid"
  rm -f "$db"* "$LOCAL/smoke-body" "$LOCAL/smoke-large" "$LOCAL/smoke-escaped"
}
on_exit cleanup
say "waiting for cargo lambda watch on 127.0.0.1:$port (log: ${log#"$ROOT/"})"
wait_ready "$run_pid" 600 lambda_watch_probe "$port" "$log" || {
  cat "$log" >&2
  die "cargo lambda watch did not start on 127.0.0.1:$port (it exited, or another server answers there)"
}

url="http://127.0.0.1:$port/lambda-url/ingest/"
form='event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000'
json='{"event":"demo","data":"mydata","published_at":"2017-02-01T21:08:05.763Z","coreid":"3f002b000000000000000000"}'
failures=0

# check NAME EXPECTED_STATUS curl-args...
check() {
  local name=$1 want=$2; shift 2
  local got
  got=$(curl -s -o "$LOCAL/smoke-body" -w '%{http_code}' --max-time 900 "$@" || true)
  if [ "$got" = "$want" ]; then
    printf '  ok    %-34s %s %s\n' "$name" "$got" "$(head -c 120 "$LOCAL/smoke-body")"
  else
    printf '  FAIL  %-34s want %s got %s %s\n' "$name" "$want" "$got" "$(head -c 200 "$LOCAL/smoke-body")"
    failures=$((failures + 1))
  fi
}
stored() {
  python3 - "$db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM items WHERE sk LIKE 'EVENT#%'").fetchone()[0])
PY
}

say "ingest at $url (the first request compiles the function)"
check "form webhook, first"            201 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "$form" "$url"
check "form webhook, again"            200 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "$form" "$url"
check "same event as JSON"             200 -u "particle:$secret" -H 'Content-Type: application/json' --data "$json" "$url"
check "new event as JSON"              201 -u "particle:$secret" -H 'Content-Type: application/json' --data "${json/mydata/other}" "$url"
check "new event as JSON, again"       200 -u "particle:$secret" -H 'Content-Type: application/json' --data "${json/mydata/other}" "$url"
# The largest event with every data byte JSON-escaped (\u00XX): 98 KB, over the old 64 KiB limit.
python3 -c 'import sys; d="".join("\\u%04x" % (1 + i % 31) for i in range(16384)); sys.stdout.write("{\"event\":\"escaped\",\"data\":\"%s\",\"published_at\":\"2017-02-01T21:08:05.763Z\",\"coreid\":\"3f002b000000000000000000\"}" % d)' > "$LOCAL/smoke-escaped"
check "16,384 escaped bytes (98 KB)"   201 -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' --data-binary "@$LOCAL/smoke-escaped" "$url"
n_good=$(stored)
check "no secret"                      401 -H 'Content-Type: application/x-www-form-urlencoded' --data "${form/demo/a1}" "$url"
check "wrong secret"                   401 -H 'Authorization: Bearer nope' --data "${form/demo/a2}" "$url"
check "GET"                            405 -H "Authorization: Bearer $secret" "$url"
check "text/plain"                     415 -H "Authorization: Bearer $secret" -H 'Content-Type: text/plain' --data "${form/demo/a3}" "$url"
check "no content type, not sniffable" 415 -H "Authorization: Bearer $secret" -H 'Content-Type:' --data-binary 'hello world' "$url"
# Over 128 KiB: from a file, since one argument that long is over Linux's per-argument limit.
printf '%s&pad=%s' "${form/demo/a4}" "$(head -c 140000 /dev/zero | tr '\0' x)" > "$LOCAL/smoke-large"
check "over 128 KiB"                   413 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$LOCAL/smoke-large" "$url"
check "malformed JSON"                 400 -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' --data '{"event":' "$url"
check "invalid coreid"                 422 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "${form/3f002b000000000000000000/xyz}" "$url"
check "data over 16384 bytes"          422 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "${form/mydata/$(head -c 16385 /dev/zero | tr '\0' d)}" "$url"
check "published_at past year 9999"    422 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "${form/2017-02-01T21%3A08%3A05.763Z/9999-12-31T23%3A59%3A59-00%3A01}" "$url"
check "published_at, _ for T"          422 -H "Authorization: Bearer $secret" -H 'Content-Type: application/x-www-form-urlencoded' --data "${form/2017-02-01T21/2017-02-01_21}" "$url"
n_after=$(stored)
printf '  stored events: %s after the good requests, %s after the bad ones\n' "$n_good" "$n_after"
[ "$n_good" = 3 ] && [ "$n_after" = 3 ] || { echo "  FAIL  expected exactly 3 stored events"; failures=$((failures + 1)); }

# body_is NAME EXPECTED: the body of the last check.
body_is() {
  if [ "$(cat "$LOCAL/smoke-body")" = "$2" ]; then
    printf '  ok    %-34s body %s\n' "$1" "$2"
  else
    printf '  FAIL  %-34s want body %s got %s\n' "$1" "$2" "$(head -c 200 "$LOCAL/smoke-body")"
    failures=$((failures + 1))
  fi
}
respond="http://127.0.0.1:$port/lambda-url/respond"
request='{"event":"config/get","data":"{\"interval\": 60}","published_at":"2026-11-29T10:00:00.000Z","coreid":"3f002b000000000000000000"}'
say "respond at $respond/ (the README's reply example; the first request compiles the function)"
check "reply stored (admin secret)"    200 -X PUT -H "Authorization: Bearer $admin" --data-binary 'interval={{interval}};device={{PARTICLE_DEVICE_ID}}' "$respond/replies/default/config%2Fget"
check "reply store, webhook secret"    401 -X PUT -H "Authorization: Bearer $secret" --data-binary 'x' "$respond/replies/default/config%2Fget"
check "device request answered"        200 -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' --data "$request" "$respond/"
body_is "the rendered reply"           'interval=60;device=3f002b000000000000000000'
check "request, admin secret"          401 -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data "$request" "$respond/"
check "request without a reply"        404 -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' --data "${request/config\/get/config\/other}" "$respond/"
[ "$failures" = 0 ] || { echo "--- run log ---"; tail -40 "$log"; die "$failures smoke check(s) failed"; }
say "smoke: all checks passed"
