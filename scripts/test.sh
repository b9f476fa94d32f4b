#!/usr/bin/env bash
# Set everything up like scripts/run.sh, then run the whole test suite.
# Extra arguments go to pytest (scripts/test.sh tests/accounts -x).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
. .venv/bin/activate
echo "==> pytest (database: ${DATABASE_URL:-SQLite}, broker: ${REDIS_URL:-embedded})"
exec python -m pytest "$@"
