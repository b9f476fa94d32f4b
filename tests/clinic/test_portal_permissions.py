"""Every portal page for every kind of visitor: anonymous (sent to sign in), a patient and an
editor (refused), a physio without a second factor (sent to enrol, sees no patient page), a
physio with one (served), another physio's patient and a formerly linked patient (404)."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create, care_link_end
from apps.alerts.models import Alert
from apps.episodes.models import Episode
from tests.accounts.factories import PatientFactory, PhysioFactory
from tests.factories.clinics import the_test_clinic

from .conftest import portal_client_for, totp_device_for

pytestmark = pytest.mark.django_db

SIGN_IN = "/clinic/sign-in/"


@pytest.fixture
def world(physio, patient, linked, exercise, make_plan):
    alert = Alert.objects.create(
        patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"]
    )
    plan = make_plan()  # opens the pair's episode of care
    return {"patient": patient, "alert": alert, "exercise": exercise, "episode": plan.episode}


# (method, url, data, status for the patient's own physio) of every portal page and action.
def pages_with_status(
    patient_id, alert_id, exercise_slug, episode_id
) -> list[tuple[str, str, dict, int]]:
    base = f"/clinic/patients/{patient_id}"
    episode = f"{base}/episodes/{episode_id}"
    return [
        ("get", "/clinic/", {}, 200),
        ("get", "/clinic/?sort=-latest_pain&q=example&alerts=on", {}, 200),
        ("get", "/clinic/invites/", {}, 200),
        ("post", "/clinic/invites/", {}, 201),
        ("post", "/clinic/invites/", {"email": "not-an-address"}, 400),
        ("get", "/clinic/account/", {}, 200),
        ("post", "/clinic/account/", {"current_password": ""}, 400),
        ("get", "/clinic/exercises/?q=calf", {}, 200),
        ("get", f"/clinic/plan-item/?exercise={exercise_slug}", {}, 200),
        ("get", f"{base}/", {}, 200),
        ("get", f"{base}/diary/?level=urgent&page=1", {}, 200),
        ("get", f"{base}/plan/", {}, 200),
        ("post", f"{base}/plan/preview/", {"title": "x"}, 200),
        ("post", f"{base}/plan/", {"title": ""}, 400),  # an empty title: the form says so
        ("get", f"{base}/unlink/", {}, 200),
        ("post", f"{base}/unlink/", {}, 400),  # not confirmed: the link stays
        ("get", f"{base}/outcomes/", {}, 200),
        ("post", f"{base}/outcomes/", {"instrument": "nope", "every_days": "7"}, 400),
        ("post", f"{base}/outcomes/schedules/{uuid.uuid4()}/end/", {}, 404),
        ("get", f"{base}/messages/", {}, 200),
        ("post", f"{base}/messages/", {"client_id": str(uuid.uuid4()), "body": "Hello"}, 302),
        ("post", f"{base}/messages/read/", {"up_to": str(uuid.uuid4())}, 400),
        ("post", f"{base}/guidance/{uuid.uuid4()}/apply/", {"expected_suggestion": "x"}, 404),
        ("get", f"{base}/episode/", {}, 200),
        ("post", f"{base}/episode/open/", {"title": ""}, 400),
        ("post", f"{episode}/goals/", {"description": ""}, 400),
        ("get", f"{episode}/report.pdf", {}, 200),
        ("post", f"{episode}/discharge/", {"note": "Not confirmed"}, 400),
        # Without htmx, the actions go back to the patient's page.
        ("post", f"{base}/alerts/{alert_id}/acknowledge/", {}, 302),
        ("post", f"{base}/alerts/{alert_id}/resolve/", {}, 302),
        ("post", f"{base}/plan/archive/", {}, 302),
    ]


def pages(patient_id, alert_id, exercise_slug, episode_id) -> list[tuple[str, str, dict]]:
    return [row[:3] for row in pages_with_status(patient_id, alert_id, exercise_slug, episode_id)]


PATIENT_PAGES = "/clinic/patients/"


def request(client: Client, method: str, url: str, data: dict):
    return client.get(url) if method == "get" else client.post(url, data)


def all_pages(world):
    return pages(
        world["patient"].pk, world["alert"].pk, world["exercise"].slug, world["episode"].pk
    )


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(world):
    client = Client()
    for method, url, data in all_pages(world):
        response = request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{SIGN_IN}?next="), url


def test_an_anonymous_htmx_request_is_redirected_in_the_whole_window(world):
    response = Client().get("/clinic/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == SIGN_IN


@pytest.mark.parametrize("role", ["patient", "editor"])
def test_patients_and_editors_are_refused_everywhere(world, role, editor):
    user = world["patient"] if role == "patient" else editor
    client = portal_client_for(user)
    for method, url, data in all_pages(world):
        response = request(client, method, url, data)
        assert response.status_code == 403, url
        assert b"The clinic portal is for physiotherapists" in response.content
    assert Alert.objects.get().status == "open"
    assert not PatientAccessAudit.objects.exists()


def test_a_physio_without_a_second_factor_is_sent_to_enrol_and_reaches_no_patient_page(
    world, physio
):
    client = portal_client_for(physio, verified=False)
    for method, url, data in all_pages(world):
        response = request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/clinic/two-factor/setup/?next="), url
    assert Alert.objects.get().status == "open"
    assert not PatientAccessAudit.objects.exists()


def test_a_physio_with_a_device_who_has_not_entered_a_code_is_asked_for_one(world, physio):
    totp_device_for(physio)
    client = portal_client_for(physio, verified=False)
    for method, url, data in all_pages(world):
        response = request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/clinic/two-factor/?next="), url
    assert not PatientAccessAudit.objects.exists()


def test_a_physio_with_a_second_factor_is_served_every_page(world, portal):
    patient = world["patient"]
    for method, url, data, status in pages_with_status(
        patient.pk, world["alert"].pk, world["exercise"].slug, world["episode"].pk
    ):
        response = request(portal, method, url, data)
        assert response.status_code == status, url
    assert Alert.objects.get().status == "resolved"
    assert patient.exercise_plans.get().status == "archived"
    world["episode"].refresh_from_db()
    assert (world["episode"].status, world["episode"].goals.count()) == ("active", 0)


@pytest.mark.parametrize("whose", ["another physio's", "formerly linked"])
def test_a_patient_not_linked_now_is_a_404_on_every_patient_page(world, physio, linked, whose):
    if whose == "another physio's":
        stranger = PatientFactory(email="stranger@example.org")
        care_link_create(physio=PhysioFactory(email="someone-else@example.org"), patient=stranger)
        alert = Alert.objects.create(
            patient=stranger, kind="red_flag", level="urgent", codes=["possible_dvt"]
        )
        episode = Episode.objects.create(
            clinic=the_test_clinic(),
            patient=stranger,
            physio=stranger.physio_links.get().physio,
            title="Theirs",
            started_on=timezone.localdate(),
        )
        target = {
            "patient": stranger,
            "alert": alert,
            "exercise": world["exercise"],
            "episode": episode,
        }
    else:
        care_link_end(link=linked, by=physio)
        target = world
    client = portal_client_for(physio)
    for method, url, data in all_pages(target):
        if not url.startswith(PATIENT_PAGES):
            continue
        response = request(client, method, url, data)
        assert response.status_code == 404, url
    assert Alert.objects.filter(status="open").count() == Alert.objects.count()
    assert not Episode.objects.exclude(status="active").exists()
    assert not PatientAccessAudit.objects.filter(patient=target["patient"]).exists()


def test_an_alert_of_another_patient_is_a_404_even_under_a_linked_patient(world, physio):
    stranger = PatientFactory(email="stranger@example.org")
    alert = Alert.objects.create(
        patient=stranger, kind="red_flag", level="urgent", codes=["possible_dvt"]
    )
    client = portal_client_for(physio)
    response = client.post(f"/clinic/patients/{world['patient'].pk}/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == "open"


def test_every_patient_page_a_physio_opens_is_audited(world, portal, physio):
    patient = world["patient"]
    portal.get("/clinic/")
    portal.get(f"/clinic/patients/{patient.pk}/")
    portal.get(f"/clinic/patients/{patient.pk}/plan/")
    portal.get(f"/clinic/patients/{patient.pk}/diary/")
    portal.get(f"/clinic/patients/{patient.pk}/unlink/")
    portal.get(f"/clinic/patients/{patient.pk}/episode/")
    portal.get(f"/clinic/patients/{patient.pk}/episodes/{world['episode'].pk}/report.pdf")
    assert sorted(
        PatientAccessAudit.objects.filter(physio=physio, patient=patient).values_list(
            "what", flat=True
        )
    ) == [
        "portal.caseload",
        "portal.diary",
        "portal.episode",
        "portal.episode-report",
        "portal.patient",
        "portal.plan",
        "portal.unlink",
    ]
