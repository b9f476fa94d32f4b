"""A newcomer's local run, as docs/api.md's Operations say: migrate, bootstrap, then
`manage.py runserver` with DEBUG off and no collectstatic. The docs and the admin must
work, with their static files."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from port_for import get_port

from tests.workers import ROOT

# Always a fresh SQLite database and the embedded broker: one run is enough.
pytestmark = [pytest.mark.integration, pytest.mark.backend_neutral]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - localhost
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_runserver_with_debug_off_serves_the_docs_and_the_admin_without_collectstatic(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.local",
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v", "0"], ["bootstrap"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = get_port(None)
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        docs_status, docs = get(f"{base}/api/docs/")
        admin_status, admin = get(f"{base}/admin/login/")
        assert (docs_status, admin_status) == (200, 200)
        # The pages' own static files are served too (WhiteNoise, from the apps' folders).
        for page in (docs, admin):
            asset = re.search(rb'(?:src|href)="(/static/[^"]+)"', page).group(1).decode()
            assert get(base + asset)[0] == 200, asset
    finally:
        server.terminate()
        server.wait(timeout=10)
