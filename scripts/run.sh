#!/usr/bin/env bash
# Set everything up, then run the API, the Celery worker and the scheduler together.
# Defaults: SQLite in var/ and the embedded broker; set DATABASE_URL / REDIS_URL to use
# PostgreSQL and Redis. The API listens on http://127.0.0.1:${WEB_PORT:-8000}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --demo
. .venv/bin/activate
echo "==> starting web (http://${HOST:-127.0.0.1}:${WEB_PORT:-8000}), worker and beat; Ctrl-C stops all three"
exec honcho start -f Procfile.dev
