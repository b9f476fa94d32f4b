#!/usr/bin/env bash
# Shared set-up for scripts/run.sh and scripts/test.sh: a virtualenv in .venv with the
# pinned requirements, migrations and `bootstrap`. Safe to run again.
# Needs only Python 3.11; honours DATABASE_URL and REDIS_URL like the service does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtualenv .venv"
  "$python_bin" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

# Reinstall only when the pins changed.
stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "==> installing requirements"
  python -m pip install --quiet --disable-pip-version-check --upgrade pip
  python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

mkdir -p var
echo "==> migrating the database"
python manage.py migrate --noinput -v 0
echo "==> bootstrap"
python manage.py bootstrap "$@"
