"""Reminder and push texts reach each person in their own language, chosen when the text is
sent or read, not when the row was made (apps/notifications/texts.py): a reminder planned
while the patient read English goes out in Spanish once they read Spanish. Sent for real to
the local FCM stand-in (tests/notifications/push_servers.py); what a push carries besides
its words (kind, route, priority, collapse key) never depends on the language."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.accounts.services import care_link_create
from apps.notifications.delivery import push_deliver
from apps.notifications.dispatch import reminders_dispatch_due
from apps.notifications.models import PushDelivery, Reminder
from apps.notifications.texts import rendered
from tests.bodies import symptom_log_body
from tests.conftest import client_for
from tests.factories import DeviceFactory, PatientFactory, PhysioFactory
from tests.notifications.push_servers import fcm_stand_in, running_provider

pytestmark = pytest.mark.usefixtures("frozen_now")

CHECKIN = {
    "en": ("How is your knee today?", "Take a moment to log your pain and symptoms."),
    "es": ("¿Cómo está hoy su rodilla?", "Dedique un momento a registrar su dolor y sus síntomas."),
}


@pytest.fixture
def fcm(tmp_path, settings):
    with running_provider() as server, fcm_stand_in(server, tmp_path, settings) as setup:
        yield setup


def pushed(fcm, token: str) -> list[dict]:
    """The FCM messages the stand-in received for one device token."""
    return [
        sent.json()["message"]
        for sent in fcm.server.sent("/v1/projects")
        if sent.json()["message"]["token"] == token
    ]


def deliver_all() -> None:
    for delivery_id in PushDelivery.objects.values_list("pk", flat=True):
        assert push_deliver(delivery_id=delivery_id) == "sent"


def without_words(message: dict) -> dict:
    """A push with its title and body taken out and its per-row ids blanked: what must
    be the same in every language."""
    data = {key: value for key, value in message["data"].items() if not key.endswith("_id")}
    return {
        "data": data,
        "android": {**message["android"], "notification": None},
        "priority": message["apns"]["headers"]["apns-priority"],
        "collapse": message["apns"]["headers"].get("apns-collapse-id", "").split("-")[:2],
    }


# --- Rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "params", "expected"),
    [
        pytest.param("es", CHECKIN["en"][0], None, CHECKIN["es"][0], id="known_text_in_spanish"),
        pytest.param("en", CHECKIN["en"][0], None, CHECKIN["en"][0], id="known_text_in_english"),
        pytest.param(
            "es",
            "Your plan “%(plan)s” has exercises due today.",
            {"plan": "Rodilla 😀 Ωμέγα"},
            "Su plan «Rodilla 😀 Ωμέγα» tiene ejercicios para hoy.",
            id="values_go_in_untranslated",
        ),
        pytest.param(
            "es",
            "Your plan “Calf” has exercises due today.",
            None,
            "Your plan “Calf” has exercises due today.",
            id="a_row_from_before_stays_as_stored",
        ),
        pytest.param(
            "es",
            "Your plan “%(plan)s” has exercises due today.",
            {"other": "x"},
            "Your plan “%(plan)s” has exercises due today.",
            id="values_that_do_not_fit_never_fail",
        ),
        pytest.param("es", "", None, "", id="empty_stays_empty_not_the_catalogue_header"),
    ],
)
def test_a_text_is_rendered_in_the_active_language(language, text, params, expected):
    with translation.override(language):
        assert rendered(text, params) == expected


# --- Reminders: dispatched, pushed and read --------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_made_in_english_goes_out_in_the_language_the_patient_reads_now(
    fcm, time_machine
):
    from apps.notifications.reminders import checkin_reminders_sync

    ana = PatientFactory(email="ana@example.org", language="en")
    ben = PatientFactory(email="ben@example.org", language="en")
    for patient, token in ((ana, "token-ana"), (ben, "token-ben")):
        DeviceFactory(user=patient, token=token)
        checkin_reminders_sync(user=patient)
    # Planned in English; Ana switches to Spanish before it is due.
    ana.language = "es"
    ana.save(update_fields=["language"])
    due = Reminder.objects.order_by("due_at").values_list("due_at", flat=True).first()
    time_machine.move_to(due)

    assert reminders_dispatch_due() == 2
    deliver_all()

    [to_ana] = pushed(fcm, "token-ana")
    [to_ben] = pushed(fcm, "token-ben")
    assert (to_ana["notification"]["title"], to_ana["notification"]["body"]) == CHECKIN["es"]
    assert (to_ben["notification"]["title"], to_ben["notification"]["body"]) == CHECKIN["en"]
    assert without_words(to_ana) == without_words(to_ben)
    assert to_ana["data"]["route"] == "app://log"
    assert to_ana["android"]["priority"] == "NORMAL"
    # The inbox and the reminder list read the same row in the reader's language.
    for patient, (title, body) in ((ana, CHECKIN["es"]), (ben, CHECKIN["en"])):
        client = client_for(patient)
        [note] = client.get("/api/v1/notifications/").json()["results"]
        assert (note["title"], note["body"]) == (title, body)
        sent = client.get("/api/v1/reminders/?status=sent").json()
        rows = sent["results"] if isinstance(sent, dict) else sent
        assert {row["title"] for row in rows} == {title}


@pytest.mark.django_db
def test_a_plan_reminder_keeps_the_plan_title_as_written(fcm, make_plan, patient, time_machine):
    plan = make_plan(title="Rodilla izquierda — Ωμέγα")
    patient.language = "es"
    patient.save(update_fields=["language"])
    DeviceFactory(user=patient, token="token-plan")
    reminder = Reminder.objects.filter(source=f"plan:{plan.id}").order_by("due_at").first()
    time_machine.move_to(reminder.due_at)

    reminders_dispatch_due()
    deliver_all()

    [message] = pushed(fcm, "token-plan")
    assert message["notification"] == {
        "title": "Es hora de sus ejercicios",
        "body": "Su plan «Rodilla izquierda — Ωμέγα» tiene ejercicios para hoy.",
    }
    assert message["data"]["route"] == "app://today"


# --- The red-flag push: urgent in every language ---------------------------------------------


@pytest.mark.django_db
def test_a_red_flag_push_reaches_each_physio_in_their_language_and_as_urgent(fcm, patient):
    lucia = PhysioFactory(email="lucia@example.org", language="es")
    tom = PhysioFactory(email="tom@example.org", language="en")
    for physio, token in ((lucia, "token-lucia"), (tom, "token-tom")):
        care_link_create(physio=physio, patient=patient)
        DeviceFactory(user=physio, token=token)

    response = client_for(patient).post(
        "/api/v1/symptom-logs/",
        symptom_log_body(locations=["calf"], redness=True),
        format="json",
    )
    assert response.status_code == 201, response.content
    level = response.json()["triage"]["level"]
    assert level == "urgent"
    deliver_all()

    [to_lucia] = pushed(fcm, "token-lucia")
    [to_tom] = pushed(fcm, "token-tom")
    assert to_lucia["notification"] == {
        "title": "Urgente: señal de alarma registrada",
        "body": "Abra la aplicación para revisar la alerta de este paciente.",
    }
    assert to_tom["notification"] == {
        "title": "Urgent: Red flag reported",
        "body": "Open the app to review this patient's alert.",
    }
    assert without_words(to_lucia) == without_words(to_tom)
    assert to_lucia["android"]["priority"] == "HIGH"
    assert to_lucia["apns"]["headers"]["apns-priority"] == "10"
    assert to_lucia["data"]["route"].startswith(f"app://patients/{patient.id}/alerts/")
    # Still no clinical detail on a lock screen, in any language.
    for message in (to_lucia, to_tom):
        assert "calf" not in str(message).lower()
        assert "pantorrilla" not in str(message).lower()


def test_worsening_advice_stays_in_english_until_a_reviewed_translation_exists():
    """Safety advice ("... an urgent care service today") reaches a patient in another
    language only once a clinician has reviewed the translation; it has none yet, so a
    Spanish reader gets the English advice under a Spanish title."""
    from apps.alerts.services import WORSENING_ADVICE_TITLE
    from apps.alerts.worsening import PATIENT_ADVICE

    with translation.override("es"):
        assert rendered(PATIENT_ADVICE) == PATIENT_ADVICE
        assert rendered(WORSENING_ADVICE_TITLE) == "Parece que sus síntomas están empeorando"
