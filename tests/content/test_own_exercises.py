"""A physiotherapist's own exercises: `POST exercises/`, who reads them on every read path,
their media, and plans (docs/decisions/own-exercises-visibility.md).

The author and the patients they care for see it; another physio, another patient, an
editor and anonymous callers never do (404 for the detail, absent from every list)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts.services import care_link_create, care_link_end
from apps.content.models import Exercise, ExerciseMedia
from tests.conftest import client_for
from tests.factories import EditorFactory, ExerciseFactory, PatientFactory, PhysioFactory
from tests.media import picture
from tests.second_factor import admin_sign_in

OWN = {
    "name": "Towel heel slide",
    "summary": "Bend the knee by sliding the heel on a towel.",
    "instructions": "Lie on your back.\nSlide the heel towards you.\nSlide it back.",
    "default_sets": 2,
    "default_reps": 10,
    "default_hold_seconds": None,
    "cautions": "Stop if the knee locks.",
}


@pytest.fixture
def world(db):
    author = PhysioFactory(email="author@example.org")
    patient = PatientFactory(email="patient@example.org")
    care_link_create(physio=author, patient=patient)
    ExerciseFactory(slug="library-squat", name="Library squat")
    created = client_for(author).post("/api/v1/exercises/", OWN, format="json")
    assert created.status_code == 201, created.content
    return {
        "author": author,
        "patient": patient,
        "slug": created.json()["slug"],
        "body": created.json(),
        "other_physio": PhysioFactory(email="other-physio@example.org"),
        "other_patient": PatientFactory(email="other-patient@example.org"),
        "editor": EditorFactory(email="editor@example.org"),
    }


SEES = ["author", "patient"]
NEVER = ["other_physio", "other_patient", "editor", "anonymous"]


def client_of(world, who):
    from rest_framework.test import APIClient

    return APIClient() if who == "anonymous" else client_for(world[who])


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_a_physio_writes_an_exercise_of_their_own(world):
    body = world["body"]
    assert body["name"] == "Towel heel slide"
    assert body["instructions"] == [
        "Lie on your back.",
        "Slide the heel towards you.",
        "Slide it back.",
    ]
    assert body["cautions"] == ["Stop if the knee locks."]
    assert body["source"]["code"] == "clinician"
    assert body["target_area"] is None
    assert body["media"] == []
    exercise = Exercise.objects.get(slug=body["slug"])
    assert exercise.owner == world["author"]
    assert body["slug"].startswith("towel-heel-slide-")


@pytest.mark.parametrize("who", SEES + NEVER)
def test_every_read_path_shows_it_only_to_the_author_and_their_patients(world, who):
    client = client_of(world, who)
    slug = world["slug"]
    sees = who in SEES
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()

    detail = client.get(f"/api/v1/exercises/{slug}/")
    assert detail.status_code == (200 if sees else 404)
    assert (slug in slugs(client.get("/api/v1/exercises/"))) is sees
    assert (slug in slugs(client.get("/api/v1/exercises/", {"updated_since": since}))) is sees
    assert (slug in slugs(client.get("/api/v1/exercises/", {"search": "towel"}))) is sees
    listed = client.get("/api/v1/exercises/", {"updated_since": since}).json()
    assert slug not in listed["withdrawn"]
    # The library is everyone's.
    assert "library-squat" in slugs(client.get("/api/v1/exercises/"))


def test_a_bad_token_reads_as_anonymous_not_401(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(f"/api/v1/exercises/{world['slug']}/").status_code == 404
    assert client.get("/api/v1/exercises/").status_code == 200


def test_lists_vary_by_token_so_no_cache_mixes_them(world):
    author = client_of(world, "author").get("/api/v1/exercises/")
    anonymous = client_of(world, "anonymous").get("/api/v1/exercises/")
    assert "Authorization" in author["Vary"]
    assert author["ETag"] != anonymous["ETag"]


def test_a_patient_keeps_it_in_their_plan_after_the_link_ends(world):
    author, patient = world["author"], world["patient"]
    today = timezone.now().date()
    plan = client_for(author).post(
        "/api/v1/plans/",
        {
            "patient": str(patient.id),
            "title": "Knee",
            "start_date": str(today),
            "end_date": str(today + dt.timedelta(days=20)),
            "items": [
                {"exercise": world["slug"], "sets": 2, "days_of_week": [0, 3], "max_pain": 3}
            ],
        },
        format="json",
    )
    assert plan.status_code == 201, plan.content
    link = patient.physio_links.get()
    care_link_end(link=link, by=patient)

    client = client_for(patient)
    assert client.get(f"/api/v1/exercises/{world['slug']}/").status_code == 200
    items = client.get(f"/api/v1/plans/{plan.json()['id']}/").json()["items"]
    assert items[0]["exercise"]["slug"] == world["slug"]


def test_another_physio_cannot_prescribe_it_or_template_it(world):
    other = world["other_physio"]
    patient = PatientFactory(email="theirs@example.org")
    care_link_create(physio=other, patient=patient)
    today = timezone.now().date()
    item = {"exercise": world["slug"], "sets": 2, "days_of_week": [0], "max_pain": 3}
    response = client_for(other).post(
        "/api/v1/plans/",
        {
            "patient": str(patient.id),
            "title": "Knee",
            "start_date": str(today),
            "end_date": str(today + dt.timedelta(days=20)),
            "items": [item],
        },
        format="json",
    )
    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [
        ("does_not_exist", "items.0.exercise")
    ]
    assert not patient.exercise_plans.exists()
    response = client_for(other).post(
        "/api/v1/plan-templates/", {"title": "Mine", "items": [item]}, format="json"
    )
    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [
        ("does_not_exist", "items.0.exercise")
    ]


def test_only_the_author_uploads_its_media(world, media_store):
    slug = world["slug"]

    def send(who):
        return client_of(world, who).post(
            f"/api/v1/exercises/{slug}/media/",
            {
                "file": SimpleUploadedFile("a.jpg", picture((50, 40)), content_type="image/jpeg"),
                "alt_text": "A towel under the heel.",
            },
            format="multipart",
        )

    expected = {
        "patient": 403,
        "other_physio": 404,
        "other_patient": 404,
        "editor": 404,
        "anonymous": 401,
    }
    for who, status in expected.items():
        assert send(who).status_code == status, who
        assert ExerciseMedia.objects.count() == 0
        assert media_store.names() == []
    created = send("author")
    assert created.status_code == 201
    media_id = created.json()["id"]
    for who, status in expected.items():
        response = client_of(world, who).delete(f"/api/v1/exercises/{slug}/media/{media_id}/")
        assert response.status_code == status, who
        assert ExerciseMedia.objects.count() == 1


def test_a_physio_cannot_change_the_librarys_media(world, media_store):
    response = client_for(world["author"]).post(
        "/api/v1/exercises/library-squat/media/",
        {
            "file": SimpleUploadedFile("a.jpg", picture((50, 40)), content_type="image/jpeg"),
            "alt_text": "A squat.",
        },
        format="multipart",
    )
    assert response.status_code == 403
    assert media_store.names() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("patient", 403), ("editor", 403), ("anonymous", 401), ("other_physio", 201)],
)
def test_only_physios_write_exercises(world, who, status):
    before = Exercise.objects.count()
    response = client_of(world, who).post("/api/v1/exercises/", OWN, format="json")
    assert response.status_code == status
    assert Exercise.objects.count() == before + (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"name": ""}, [("blank", "name")], id="blank_name"),
        pytest.param({"default_sets": 11}, [("max_value", "default_sets")], id="too_many_sets"),
        pytest.param({"default_sets": "2"}, [("invalid", "default_sets")], id="string_sets"),
        pytest.param(
            {"default_reps": None, "default_hold_seconds": None},
            [("required", "default_reps")],
            id="neither_reps_nor_hold",
        ),
        pytest.param({"slug": "mine"}, [("unknown_field", "slug")], id="slug_not_accepted"),
        pytest.param({"owner": 1}, [("unknown_field", "owner")], id="owner_not_accepted"),
        pytest.param({"target_area": "elbow"}, [("invalid_choice", "target_area")], id="bad_area"),
    ],
)
def test_bad_own_exercises_are_refused(world, change, expected):
    before = Exercise.objects.count()
    response = client_for(world["author"]).post(
        "/api/v1/exercises/", {**OWN, **change}, format="json"
    )
    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == expected
    assert Exercise.objects.count() == before


def test_the_admin_lists_the_library_only(world):
    from django.test import Client

    client = Client()
    admin_sign_in(client, world["editor"])
    page = client.get("/admin/content/exercise/")
    assert page.status_code == 200
    assert b"Library squat" in page.content
    assert b"Towel heel slide" not in page.content
    own = Exercise.objects.get(slug=world["slug"])
    assert client.get(f"/admin/content/exercise/{own.pk}/change/").status_code in (302, 404)


def test_the_fhir_bundle_and_exports_carry_it_only_to_those_who_read_the_plan(world):
    author, patient = world["author"], world["patient"]
    today = timezone.now().date()
    created = client_for(author).post(
        "/api/v1/plans/",
        {
            "patient": str(patient.id),
            "title": "Knee",
            "start_date": str(today),
            "end_date": str(today + dt.timedelta(days=20)),
            "items": [{"exercise": world["slug"], "sets": 2, "days_of_week": [0], "max_pain": 3}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    slug, name = world["slug"], OWN["name"]

    assert slug in client_for(patient).get("/api/v1/me/export/").content.decode()
    fhir = client_for(author).get(f"/api/v1/patients/{patient.id}/fhir/")
    assert fhir.status_code == 200
    assert name in fhir.content.decode()
    assert (
        client_of(world, "other_physio").get(f"/api/v1/patients/{patient.id}/fhir/").status_code
        == 404
    )
    other_export = client_of(world, "other_patient").get("/api/v1/me/export/").content.decode()
    assert slug not in other_export
    assert name not in other_export
    for who in NEVER:
        plans = client_of(world, who).get("/api/v1/plans/")
        assert slug not in plans.content.decode()
        handout = client_of(world, who).get(f"/api/v1/plans/{created.json()['id']}/handout/")
        assert handout.status_code in (401, 403, 404)
