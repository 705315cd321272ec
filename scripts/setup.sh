#!/usr/bin/env bash
# Installs what the project needs and the machine lacks, idempotently:
#   python  - a project-local venv (.venv) with the pinned tools in scripts/requirements-dev.txt
#   node    - infra/node_modules from infra/package-lock.json (only with --infra)
#   pubsub  - Google's Pub/Sub emulator (Debian package google-cloud-cli-pubsub-emulator, and Java) through apt-get,
#             when the configured apt sources offer it (only with --pubsub; `make test` needs it)
# Needs only Rust, Python 3 and Node on the machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

want_infra=0
want_pubsub=0
for arg in "$@"; do
  case "$arg" in
    --infra) want_infra=1 ;;
    --pubsub) want_pubsub=1 ;;
    *) die "unknown option $arg (setup.sh [--infra] [--pubsub])" ;;
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

if [ "$want_pubsub" = 1 ]; then
  emulator=google-cloud-cli-pubsub-emulator
  how="see README.md, \"The Pub/Sub emulator\": add Google's cloud-sdk apt repository, then
  apt-get install $emulator openjdk-17-jre-headless"
  missing=
  dpkg -L "$emulator" 2>/dev/null | grep -q 'bin/cloud-pubsub-emulator$' || missing="$emulator"
  command -v java >/dev/null || missing="$missing openjdk-17-jre-headless"
  if [ -n "$missing" ]; then
    command -v apt-get >/dev/null || die "the Pub/Sub emulator is needed by the tests and is not installed; $how"
    for pkg in $missing; do
      apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]' ||
        die "$pkg is not installable from the configured apt sources; $how"
    done
    if [ "$(id -u)" = 0 ]; then
      as_root=()
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      die "installing$missing needs root: run  sudo apt-get install -y$missing"
    fi
    say "installing$missing with apt-get"
    # shellcheck disable=SC2086
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
  fi
fi
