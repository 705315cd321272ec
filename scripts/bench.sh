#!/usr/bin/env bash
# `make bench`: every benchmark of the project, then ONE report (load-bench's `bench-report`), printed and written
# into the README's generated benchmark block (between its bench:begin/bench:end markers).
#
# Steps, each saving its output in BENCH_DIR (default .local/bench) for the report:
#   cpu        criterion benches of the hot paths (ingest, SSE parser, geolocation scan, forward matching)
#   templates  the interleaved template ratio run (particle-template vs mustache vs handlebars) -> templates.md
#   coldstart  `make coldstart` (every function vs hello-world on a fake Runtime API)     -> coldstart.json
#   load       `make load` (duplicates, store outages)                                    -> load.json
#   sizes      `make build` (arm64 artifacts), bootstrap and zip sizes                     -> sizes.json
# BENCH_SKIP="sizes load" leaves steps out (their section then says "Not measured in this run"); BENCH_README=0
# prints the report without touching README.md. Takes 20-30 minutes on a 2-core machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

out=${BENCH_DIR:-$ROOT/.local/bench}
mkdir -p "$out"
skip() { [[ " ${BENCH_SKIP:-} " == *" $1 "* ]]; }

if ! skip cpu; then
  say "bench: CPU paths (criterion)"
  # One invocation: one feature resolution, so the dependencies are compiled once for all four.
  cargo bench --locked -p ingest -p sse-drain -p particle-geo -p forward \
    --bench ingest_path --bench parser --bench scan --bench matching
fi
if ! skip templates; then
  say "bench: template ratios"
  cargo bench --locked -p particle-template --bench ratio | tee "$out/templates.raw"
  grep '^|' "$out/templates.raw" >"$out/templates.md" || die "the ratio bench printed no table"
fi
if ! skip coldstart; then
  say "bench: cold start"
  make --no-print-directory coldstart COLDSTART_ARGS="${COLDSTART_ARGS:---rounds 20} --json $out/coldstart.json"
fi
if ! skip load; then
  say "bench: load"
  make --no-print-directory load LOAD_ARGS="${LOAD_ARGS:-} --json $out/load.json"
fi
if ! skip sizes; then
  say "bench: arm64 artifact sizes"
  "$ROOT/scripts/build.sh"
  # zip -9 with Python's zipfile (deflate, as the CDK's asset zips): no `zip` binary needed.
  python3 - "${CARGO_TARGET_DIR:-$ROOT/target}/lambda" "$out/sizes.json" <<'PY'
import io, json, os, sys, zipfile
lambda_dir, out = sys.argv[1], sys.argv[2]
rows = []
for function in sorted(os.listdir(lambda_dir)):
    bootstrap = os.path.join(lambda_dir, function, "bootstrap")
    if not os.path.isfile(bootstrap):
        continue
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(bootstrap, "bootstrap")
    rows.append({"function": function, "bootstrap_bytes": os.path.getsize(bootstrap), "zip_bytes": len(buf.getvalue())})
if not rows:
    sys.exit(f"no bootstrap under {lambda_dir}")
json.dump(rows, open(out, "w"), indent=2)
PY
fi

say "bench: report"
readme=()
[ "${BENCH_README:-1}" = 0 ] || readme=(--readme "$ROOT/README.md")
cargo run --locked --release -q -p load-bench --bin bench-report -- --dir "$out" "${readme[@]}"
