#!/usr/bin/env bash
# `make run`: serves the functions locally with `cargo lambda watch` on 127.0.0.1:9000, storing into the embedded
# SQLite file .local/particle.db. No AWS account and no server needed.
#   POST http://127.0.0.1:9000/lambda-url/ingest/   (Authorization: Bearer local-dev-secret-change-me)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"

PORT="${PORT:-9000}"
mkdir -p "$LOCAL"
env_file="$LOCAL/run.env"
umask 077  # the env file may hold a Particle token
# The local secret is documented in the README; production reads the secret from Secrets Manager.
cat > "$env_file" <<ENV
STORE=${STORE:-sqlite:$LOCAL/particle.db}
WEBHOOK_SECRET=${WEBHOOK_SECRET:-local-dev-secret-change-me}
EVENT_TTL_DAYS=${EVENT_TTL_DAYS:-0}
RUST_LOG=${RUST_LOG:-info}
ENV
# The drainer's settings pass through when set (e.g. export PARTICLE_ACCESS_TOKEN before `make run`).
for name in WEBHOOK_SECRET_PREVIOUS PARTICLE_ACCESS_TOKEN PARTICLE_API_URL PARTICLE_EVENTS_PATH SSE_EVENT_PREFIX SSE_WINDOW_SECONDS \
            SSE_IDLE_TIMEOUT_SECONDS SSE_OPEN_BUDGET SSE_OPEN_BUDGET_SECONDS SSE_RATE_LIMIT_BACKOFF_SECONDS; do
  if [ -n "${!name:-}" ]; then printf '%s=%s\n' "$name" "${!name}" >> "$env_file"; fi
done
say "serving on http://127.0.0.1:$PORT/lambda-url/<function>/ (store: $(grep ^STORE= "$env_file" | cut -d= -f2-))"
cd "$ROOT"
exec cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$PORT" --env-file "$env_file"
