"""Load guidance on the patient's overview: the model's suggestion per item in plain words
with its numbers, and "Apply" through the guidance service (one step, once)."""

import uuid

import pytest

from apps.accounts.models import PatientAccessAudit
from apps.notifications.models import Notification
from apps.plans.models import PlanEvent, PlanItem
from tests.accounts.factories import PatientFactory, PhysioFactory
from tests.guidance.conftest import add_mornings, add_sessions

from .conftest import portal_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def plan(make_plan):
    """The stretch (3 sets, 30 s hold, max pain 3) and quad sets (2 × 10, max pain 4)."""
    return make_plan()


@pytest.fixture
def quads(plan):
    return plan.items.get(exercise__slug="quad-sets")


@pytest.fixture
def stretch(plan):
    return plan.items.get(exercise__slug="wall-calf-stretch")


def apply_url(patient, item) -> str:
    return f"/clinic/patients/{patient.pk}/guidance/{item.pk}/apply/"


def dosage(item) -> tuple:
    item = PlanItem.objects.get(pk=item.pk)
    return (item.sets, item.reps, item.hold_seconds, item.dosage_version)


def test_the_overview_shows_each_items_suggestion_in_plain_words(portal, patient, quads, stretch):
    add_sessions(quads)  # four easy sessions as prescribed
    add_sessions(stretch, days=(2,), pain_during=6)  # one too painful
    add_mornings(patient)
    page = portal.get(f"/clinic/patients/{patient.pk}/")
    assert page.status_code == 200
    entries = {entry["exercise"]["slug"]: entry for entry in page.context["guidance"]}
    assert entries["quad-sets"]["suggestion"] == "progress"
    assert entries["quad-sets"]["next"] == "3 sets × 10 reps"
    assert entries["wall-calf-stretch"]["suggestion"] == "reduce"
    assert entries["wall-calf-stretch"]["next"] == "3 sets, hold 25 s"
    body = page.content.decode()
    assert "These suggestions are advice from the pain-monitoring model" in body
    assert "you decide" in body
    assert "Pain during a session went above 5 out of 10." in body
    assert "Sessions done as prescribed, with little pain and no worse mornings." in body
    assert "<dt>Sessions in the last 7 days</dt><dd>4</dd>" in body
    assert "<dt>Highest pain during (limit)</dt><dd>6 (3)</dd>" in body
    assert "Apply: 3 sets × 10 reps" in body
    assert "Apply: 3 sets, hold 25 s" in body
    assert "{#" not in body  # no template comment leaks into the page


def test_hold_and_insufficient_data_offer_no_apply(portal, patient, quads, stretch):
    add_sessions(quads, pain_during=4)  # tolerated but not easy: hold
    add_mornings(patient)
    page = portal.get(f"/clinic/patients/{patient.pk}/")
    entries = {entry["exercise"]["slug"]: entry for entry in page.context["guidance"]}
    assert entries["quad-sets"]["suggestion"] == "hold"
    assert entries["wall-calf-stretch"]["suggestion"] == "insufficient_data"
    assert not entries["quad-sets"]["applicable"]
    body = page.content.decode()
    assert "Pain during a session was 3 to 5 out of 10." in body
    assert "Fewer than 3 sessions logged in the last 7 days." in body
    assert "Apply:" not in body


def test_applying_takes_one_step_in_place_and_a_second_click_is_refused(
    portal, physio, patient, quads
):
    add_sessions(quads)
    add_mornings(patient)
    assert dosage(quads) == (2, 10, None, 1)
    form = {"expected_suggestion": "progress", "dosage_version": "1"}

    response = portal.post(apply_url(patient, quads), form, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<li class="guidance suggestion-')
    assert "Applied (progress). The dosage is now <strong>3 sets × 10 reps</strong>" in body
    assert dosage(quads) == (3, 10, None, 2)
    event = PlanEvent.objects.filter(action="dosage_changed").get()
    assert event.actor == physio
    assert Notification.objects.filter(user=patient).count() == 1
    assert PatientAccessAudit.objects.filter(
        physio=physio, patient=patient, what="portal.guidance"
    ).exists()

    again = portal.post(apply_url(patient, quads), form, headers=HTMX)
    assert again.status_code == 409
    assert "The dosage changed since this guidance was read." in again.content.decode()
    assert dosage(quads) == (3, 10, None, 2)
    assert PlanEvent.objects.filter(action="dosage_changed").count() == 1


def test_reduce_is_applied_and_without_htmx_the_page_says_so(portal, patient, stretch):
    add_sessions(stretch, days=(2,), pain_during=6)
    add_mornings(patient)
    response = portal.post(
        apply_url(patient, stretch), {"expected_suggestion": "reduce", "dosage_version": "1"}
    )
    assert response.status_code == 302
    assert dosage(stretch) == (3, None, 25, 2)
    page = portal.get(response["Location"]).content.decode()
    assert "Applied: reduce." in page


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"expected_suggestion": "progress"}, 400, "This form is out of date"),
        ({"expected_suggestion": "sideways", "dosage_version": "1"}, 400, "out of date"),
        (
            {"expected_suggestion": "reduce", "dosage_version": "1"},
            409,
            "The suggestion is now progress.",
        ),
        (
            {"expected_suggestion": "progress", "dosage_version": "7"},
            409,
            "The dosage changed since this guidance was read.",
        ),
    ],
)
def test_a_stale_or_bad_apply_changes_nothing(portal, patient, quads, form, status, message):
    add_sessions(quads)
    add_mornings(patient)
    response = portal.post(apply_url(patient, quads), form, headers=HTMX)
    assert response.status_code == status
    assert message in response.content.decode()
    assert dosage(quads) == (2, 10, None, 1)
    assert not PlanEvent.objects.filter(action="dosage_changed").exists()
    assert not Notification.objects.exists()


def test_a_hold_cannot_be_applied(portal, patient, quads):
    add_sessions(quads, pain_during=4)
    add_mornings(patient)
    response = portal.post(
        apply_url(patient, quads),
        {"expected_suggestion": "hold", "dosage_version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "The suggestion is &quot;hold&quot;: there is no dosage step to apply." in (
        response.content.decode()
    )
    assert dosage(quads) == (2, 10, None, 1)


def test_an_item_of_another_plan_or_patient_is_a_404(portal, physio, patient, quads):
    stranger = PatientFactory(email="stranger@example.org")
    other_physio = PhysioFactory(email="other@example.org")
    form = {"expected_suggestion": "progress", "dosage_version": "1"}
    assert (
        portal.post(
            f"/clinic/patients/{patient.pk}/guidance/{uuid.uuid4()}/apply/", form
        ).status_code
        == 404
    )
    assert portal.post(apply_url(stranger, quads), form).status_code == 404
    assert portal_client_for(other_physio).post(apply_url(patient, quads), form).status_code == 404
    assert dosage(quads) == (2, 10, None, 1)
