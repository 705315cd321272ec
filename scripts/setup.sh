#!/usr/bin/env bash
# Installs what the project needs and the machine lacks, idempotently:
#   python  - a project-local venv (.venv) with the pinned tools in scripts/requirements-dev.txt
#   node    - infra/node_modules from infra/package-lock.json (only with --infra)
# Needs only Rust, Python 3 and Node on the machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want_infra=0
for arg in "$@"; do
  case "$arg" in
    --infra) want_infra=1 ;;
    *) die "unknown option $arg (setup.sh [--infra])" ;;
  esac
done

command -v cargo >/dev/null || die "cargo not found: install Rust from https://rustup.rs"
command -v python3 >/dev/null || die "python3 not found: install Python 3.9 or newer"

req="$ROOT/scripts/requirements-dev.txt"
stamp="$VENV/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python tools into .venv (cargo-lambda, moto)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

if [ "$want_infra" = 1 ]; then
  command -v npm >/dev/null || die "npm not found: install Node.js 20 or newer"
  lock="$ROOT/infra/package-lock.json"
  nstamp="$ROOT/infra/node_modules/.lock.sha256"
  nwant=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ]; then
    say "installing infra/node_modules (npm ci)"
    (cd "$ROOT/infra" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$nwant" > "$nstamp"
  fi
fi
