import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_answers_while_the_process_lives(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_broker(api_client):
    response = api_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(api_client, celery_broker):
    # A real connection attempt to a port where nothing listens.
    celery_broker("redis://127.0.0.1:1/0")

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_unreachable(api_client, monkeypatch):
    # Stopping the test's own database is not possible from inside the test.
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_head_and_refuse_other_methods_in_the_envelope(api_client, path):
    assert api_client.head(path).status_code == 200

    response = api_client.post(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
