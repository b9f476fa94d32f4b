"""Settings for bench/floor.py's server: the production settings, plus a URLconf that
also serves the bare baseline views. Only the benchmark's gunicorn uses it; the service's
own URLs (backend/urls.py) never include the bare views."""

from backend.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
