"""No cache keeps personal data: every answer to a signed-in caller, and to any write,
says `Cache-Control: no-store`; public content read by nobody in particular stays
cacheable (backend/private_answers.py, docs/decisions/no-store-on-personal-answers.md)."""

import pytest
from django.test import Client
from django.urls import URLPattern
from rest_framework.test import APIClient

from apps.clinic.portal import urls as portal_urls
from tests.api.test_seeded_sweep import SCHEMA_URL, urls_for
from tests.clinic.conftest import portal_client_for
from tests.conftest import client_for
from tests.second_factor import admin_sign_in
from tests.seed import Seeded, seed_state


@pytest.fixture
def seeded(db) -> Seeded:
    return seed_state()


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("role", ["patient", "physio"])
def test_every_get_operation_answers_no_store_to_a_signed_in_caller(role, seeded):
    client = client_for(getattr(seeded, role))
    client.raise_request_exception = False
    paths = client.get(SCHEMA_URL).json()["paths"]

    cached: list[str] = []
    statuses: dict[int, int] = {}
    for path, operations in paths.items():
        # Public content (conditions, protocols) reads no credentials: the same for anyone.
        if "get" not in operations or operations["get"].get("security") == [{}]:
            continue
        for url in urls_for(path, seeded):
            response = client.get(url, HTTP_ACCEPT="application/json")
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if not no_store(response):
                cached.append(f"{url} {response.status_code} {response.get('Cache-Control')}")

    assert cached == []
    assert statuses.get(200, 0) >= 25, statuses  # records were read, not only refusals


def test_a_304_is_no_store_too_and_etags_still_work(patient_client):
    first = patient_client.get("/api/v1/me/")
    assert no_store(first)
    assert first.headers["ETag"]

    again = patient_client.get("/api/v1/me/", HTTP_IF_NONE_MATCH=first.headers["ETag"])

    assert again.status_code == 304
    assert no_store(again)


def _portal_urls(seeded: Seeded) -> list[str]:
    """Every portal page a GET may ask for with only the patient in its path (signing out
    is a POST; the other paths act on one record and are POSTs)."""
    patient_id = seeded.path_values["patient_id"][0]
    found = []
    for pattern in portal_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("sign-out") or route.count("<") > 1:
            continue
        found.append("/clinic/" + route.replace("<uuid:patient_id>", patient_id))
    return found


def test_every_portal_page_of_a_signed_in_physio_is_no_store(seeded):
    portal = portal_client_for(seeded.physio)
    report = "/clinic/patients/{}/episodes/{}/report.pdf".format(
        seeded.path_values["patient_id"][0], seeded.path_values["episode_id"][1]
    )

    answers = {url: portal.get(url) for url in [*_portal_urls(seeded), report]}

    assert [url for url, answer in answers.items() if answer.status_code >= 500] == []
    assert [url for url, answer in answers.items() if not no_store(answer)] == []
    assert sum(answer.status_code == 200 for answer in answers.values()) >= 10


def test_the_admin_is_no_store_for_an_editor(editor):
    client = admin_sign_in(Client(), editor)

    answer = client.get("/admin/")
    assert answer.status_code == 200
    assert no_store(answer)


def test_a_token_answer_is_no_store(patient):
    patient.set_password("a-long-password-1")
    patient.save()

    answer = APIClient().post(
        "/api/v1/auth/token/",
        {"email": patient.email, "password": "a-long-password-1"},
        format="json",
    )

    assert answer.status_code == 200
    assert no_store(answer)


@pytest.mark.parametrize(
    "url", ["/api/v1/conditions/", "/api/v1/protocols/", "/api/v1/exercises/", "/api/schema/"]
)
def test_public_reads_by_nobody_in_particular_stay_cacheable(db, url):
    answer = APIClient().get(url)

    assert answer.status_code == 200
    assert not no_store(answer)


def test_exercises_read_with_a_token_are_no_store_and_with_a_dead_one_cacheable(patient):
    with_token = client_for(patient).get("/api/v1/exercises/")
    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert no_store(with_token)
    assert not no_store(stale.get("/api/v1/exercises/"))


def test_a_view_that_sets_its_own_cache_control_keeps_it(seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "private-answers-probe.txt").write_text("x")
    answer = portal_client_for(seeded.physio).get("/media/private-answers-probe.txt")

    assert answer["Cache-Control"] == "public, max-age=31536000, immutable"
