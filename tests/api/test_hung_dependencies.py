"""A Redis or PostgreSQL that accepts connections and never answers (stopped, wedged):
the patient's log still answers at once, and the probes tell the truth by their 1.5 s deadline.

The clock here tells a hang from an answer; it does not measure speed (bench/ does).
Every call below has a budget far under `HANG_BOUND` (the hand-off waits at most 0.2 s,
the probe 1.5 s, healthz touches nothing), and each regression these tests guard against
waits far over it: a publish inline in the request or a probe without its deadline waits
for the broker's 5 s socket timeout, a probe on the hung database for the 10 s connect
timeout set below, as the 30 s hang that started this did. A loaded CI machine fits in
the gap; a regression does not.
"""

import time

import pytest
from django.db import connections

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert
from apps.notifications.models import Device, Notification, PushDelivery
from apps.symptoms.models import SymptomLog
from backend.settings.cache import redis_cache
from tests.bodies import symptom_log_body as log_body
from tests.conftest import client_for

NOTHING_LISTENS = 1  # a port where a connection attempt is refused at once
HANG_BOUND = 3.0  # seconds: between every budget below and every wait of a regression


@pytest.fixture
def redis_hung(hung_server, celery_broker, settings):
    """Broker and cache on a Redis that never answers, as in production when it hangs."""
    celery_broker(hung_server.url())
    settings.CACHES = redis_cache(hung_server.url())
    return hung_server


@pytest.fixture(autouse=True)
def _warm(client):
    """Django imports every view on its first request; time the probes, not that."""
    client.get("/healthz")


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_hung_an_urgent_log_answers_with_its_triage_without_waiting_on_it(
    transactional_db, redis_hung, patient, physio
):
    care_link_create(physio=physio, patient=patient)
    Device.objects.create(user=physio, platform="android", token="fcm-token", token_hash="h" * 64)

    response, elapsed = timed(
        lambda: client_for(patient).post(
            "/api/v1/symptom-logs/",
            log_body(locations=["calf"], redness=True, warmth=True),
            format="json",
        )
    )

    assert response.status_code == 201
    assert response.json()["triage"]["level"] == "urgent"
    assert elapsed < HANG_BOUND, f"the urgent log took {elapsed:.2f}s"
    # Committed whole: the log, its alert, the physio's notification and its pending push
    # (the minute sweep re-enqueues it once the broker answers).
    assert SymptomLog.objects.filter(patient=patient).count() == 1
    alert = Alert.objects.get(patient=patient, level="urgent")
    note = Notification.objects.get(user=physio, alert=alert)
    assert PushDelivery.objects.get(notification=note).status == "pending"


def test_with_redis_hung_a_bulk_sync_of_urgent_logs_answers_without_waiting_on_it(
    transactional_db, redis_hung, patient, physio, other_physio
):
    for someone in (physio, other_physio):
        care_link_create(physio=someone, patient=patient)
        Device.objects.create(
            user=someone, platform="android", token=f"t-{someone.pk}", token_hash=str(someone.pk)
        )
    body = [log_body(locations=["calf"], redness=True) for _ in range(20)]

    response, elapsed = timed(
        lambda: client_for(patient).post("/api/v1/symptom-logs/bulk/", body, format="json")
    )

    assert response.status_code == 200
    assert elapsed < HANG_BOUND, f"the sync took {elapsed:.2f}s"
    assert SymptomLog.objects.filter(patient=patient).count() == 20


# --- Probes ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_503_by_its_deadline_when_the_broker_hangs(
    api_client, celery_broker, hung_server
):
    celery_broker(hung_server.url())

    response, elapsed = timed(lambda: api_client.get("/readyz"))

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "down"}
    assert elapsed < HANG_BOUND


@pytest.fixture
def database_at(monkeypatch):
    """Point new connections to the database (the probe's) at another PostgreSQL port;
    the test's own connection stays where it is."""

    def point(port: int) -> None:
        monkeypatch.setitem(
            connections.settings,
            "default",
            {
                **connections.settings["default"],
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "NAME": "rehab",
                "USER": "rehab",
                # Longer than HANG_BOUND: a probe that waited for the connection
                # instead of its own deadline would fail the bound.
                "OPTIONS": {"connect_timeout": 10},
            },
        )

    return point


@pytest.mark.django_db
def test_readyz_is_503_by_its_deadline_when_the_database_hangs(
    api_client, database_at, hung_server
):
    database_at(hung_server.port)

    response, elapsed = timed(lambda: api_client.get("/readyz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
    assert elapsed < HANG_BOUND


@pytest.mark.django_db
def test_readyz_is_503_at_once_when_the_database_refuses(api_client, database_at):
    database_at(NOTHING_LISTENS)

    response, elapsed = timed(lambda: api_client.get("/readyz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
    assert elapsed < HANG_BOUND


@pytest.mark.django_db
def test_healthz_stays_200_while_database_and_broker_hang(
    api_client, database_at, celery_broker, hung_server
):
    database_at(hung_server.port)
    celery_broker(hung_server.url())

    response, elapsed = timed(lambda: api_client.get("/healthz"))

    assert response.status_code == 200
    assert elapsed < HANG_BOUND


@pytest.mark.django_db
def test_readyz_recovers_as_soon_as_the_broker_answers_again(
    api_client, celery_broker, hung_server, settings
):
    celery_broker(hung_server.url())
    assert api_client.get("/readyz").status_code == 503

    celery_broker(settings.CELERY_BROKER_URL)

    assert api_client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_a_database_error_in_an_api_view_is_a_503_envelope_with_retry_after(monkeypatch):
    from django.db import OperationalError
    from rest_framework.test import APIClient

    api_client = APIClient(raise_request_exception=False)  # 5xx are reported, as in production
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    response = api_client.get("/api/v1/conditions/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["errors"][0]["code"] == "service_unavailable"
    assert "closed" not in response.content.decode()


def test_production_bounds_every_wait_on_redis_and_postgresql():
    """What the fixes above rest on, read from the production settings themselves."""
    import json
    import subprocess
    import sys

    from tests.workers import ROOT

    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'broker': s.CELERY_BROKER_TRANSPORT_OPTIONS,"
        "'backend': [s.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT, s.CELERY_REDIS_SOCKET_TIMEOUT],"
        "'cache': s.CACHES['default']['OPTIONS'],"
        "'database': s.DATABASES['default']['OPTIONS']}))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": "x" * 50,
        "OTP_SEED_KEYS": "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",  # any Fernet key (32 bytes, base64)
        "ALLOWED_HOSTS": "api.example.org",
        "DATABASE_URL": "postgres://rehab@db:5432/rehab",
        "REDIS_URL": "redis://redis:6379/0",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert 0 < found["broker"]["socket_connect_timeout"] <= 2
    assert 0 < found["broker"]["socket_timeout"] <= 5
    assert all(0 < seconds <= 5 for seconds in found["backend"])
    assert 0 < found["cache"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    assert 0 < found["cache"]["SOCKET_TIMEOUT"] <= 1
    assert 0 < found["database"]["connect_timeout"] <= 2
