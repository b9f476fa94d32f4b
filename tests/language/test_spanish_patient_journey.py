"""Issue 24's "done when", end to end: a patient who reads Spanish (chosen with PATCH me/)
gets the red-flag answer, the reminder push, the e-mail and the plan handout in Spanish,
through the real API, the real dispatcher, the local FCM stand-in and a real SMTP server
on loopback; an English patient who logs the same gets the same level and codes.

What the Spanish patient reads is gathered in `read` and compared with the Spanish texts
in one go, so that with the language ignored every line of the difference shows.
"""

from __future__ import annotations

import io

import pytest
import yaml
from pypdf import PdfReader
from rest_framework.test import APIClient

from apps.accounts.services import care_link_create
from apps.content.services import FIXTURE_DIR, red_flag_translations_load
from apps.content.vocabulary import DISCLAIMER, RedFlagCode
from apps.notifications.delivery import push_deliver
from apps.notifications.dispatch import reminders_dispatch_due
from apps.notifications.models import DeliveryStatus, PushDelivery, Reminder
from apps.symptoms.triage import flag_for
from tests.bodies import plan_body, symptom_log_body
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.notifications.push_servers import fcm_stand_in, running_provider

pytestmark = pytest.mark.usefixtures("frozen_now")

SPANISH_FLAGS = {
    flag["code"]: flag
    for flag in yaml.safe_load((FIXTURE_DIR / "red_flags.es.yaml").read_text(encoding="utf-8"))[
        "flags"
    ]
}
DVT_LOG = {
    "locations": ["calf"],
    "side": "left",
    "pain_score": 6,
    "redness": True,
    "tenderness": True,
    "note": "Pantorrilla roja y dolorida.",
}
TOKEN = "dGVzdC1lcy1wYXRpZW50:APA91b-spanish-patient"
PLAN_TITLE = "Rodilla izquierda"
SPANISH_DISCLAIMER = (
    "Esta aplicación ofrece educación general y apoyo para el autocuidado. No diagnostica y "
    "no sustituye a un profesional sanitario."
)
# Phrases of the handout's fixed texts (apps/interop/locale) and of the reset e-mail's
# plain-text part (apps/accounts/locale), as the Spanish catalogues word them.
HANDOUT_PHRASES = (
    "Su plan de ejercicios",
    "Cómo hacerlo",
    "3 series",
    "mantener 30 segundos",
    "2 veces al día",
    "Todos los días",
    "Límite de dolor",
    "Durante un ejercicio se acepta un dolor de hasta 3 sobre 10.",
    SPANISH_DISCLAIMER,
)
RESET_PHRASES = (
    "Alguien ha pedido restablecer la contraseña de la cuenta con esta dirección de correo. "
    "Para elegir una contraseña nueva, abra este enlace:",
    "El enlace sirve una sola vez, durante 60 minutos.",
    "Si no lo ha pedido usted, puede ignorar este correo: su contraseña no cambia.",
)
# What the patient logged, was told and was prescribed: none of it belongs in an e-mail.
# ("calf" alone would not do: the service's name, "Knee & calf care", signs every e-mail.)
HEALTH_WORDS = (
    "pantorrilla",
    "roja",
    "coágulo",
    "blood clot",
    "urgent",
    "dolor",
    "pain",
    "ejercicio",
    PLAN_TITLE.lower(),
)


@pytest.fixture
def fcm(tmp_path, settings):
    with running_provider() as server, fcm_stand_in(server, tmp_path, settings) as setup:
        yield setup


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap where the page width says


def post_log(client: APIClient) -> tuple[dict, str]:
    response = client.post("/api/v1/symptom-logs/", symptom_log_body(**DVT_LOG), format="json")
    assert response.status_code == 201, response.content
    return response.json()["triage"], response["Content-Language"]


def codes_of(triage: dict) -> dict:
    """What must not depend on the language: the level, the codes and their sources."""
    return {
        "level": triage["level"],
        "flags": [(flag["code"], flag["source"]["code"]) for flag in triage["flags"]],
    }


def test_a_spanish_patients_red_flag_reminder_e_mail_and_handout_are_in_spanish(
    mail, fcm, physio, exercise, other_exercise, time_machine
):
    red_flag_translations_load()  # reviewed, as `bootstrap` seeds them
    patient = PatientFactory(email="lucia@example.org", display_name="Lucía", language="en")
    client = client_for(patient)
    read: dict[str, object] = {}

    # The patient chooses Spanish in the app.
    chosen = client.patch("/api/v1/me/", {"language": "es"}, format="json")
    assert chosen.status_code == 200, chosen.content
    read["me/ language"] = chosen.json()["language"]
    device = client.post("/api/v1/devices/", {"platform": "android", "token": TOKEN}, format="json")
    assert device.status_code == 201, device.content

    # A physio links up and prescribes a plan (with its reminders).
    care_link_create(physio=physio, patient=patient)
    created = client_for(physio).post(
        "/api/v1/plans/", plan_body(patient, title=PLAN_TITLE), format="json"
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]

    # A possible blood clot: the reviewed Spanish title and advice, in a Spanish answer.
    spanish_triage, read["log Content-Language"] = post_log(client)
    [flag] = spanish_triage["flags"]
    read["flag title"] = flag["title"]
    read["flag advice"] = flag["advice"]
    read["disclaimer starts"] = spanish_triage["disclaimer"][: len(SPANISH_DISCLAIMER)]
    assert codes_of(spanish_triage) == {
        "level": "urgent",
        "flags": [(RedFlagCode.POSSIBLE_DVT, flag_for(RedFlagCode.POSSIBLE_DVT).source)],
    }

    # The red flag tells the patient in the answer itself; it puts nothing in the
    # patient's inbox and pushes nothing to the patient's phone (their physio is alerted).
    alerted = client_for(physio).get("/api/v1/notifications/").json()["results"]
    assert [note["kind"] for note in alerted] == ["alert"]
    assert client.get("/api/v1/notifications/").json()["results"] == []
    assert not PushDelivery.objects.filter(device__user=patient).exists()

    # The plan's first reminder falls due and is dispatched for real.
    reminder = Reminder.objects.filter(user=patient, source=f"plan:{plan_id}").earliest("due_at")
    time_machine.move_to(reminder.due_at)
    assert reminders_dispatch_due() >= 1
    to_patient = PushDelivery.objects.filter(device__user=patient, status=DeliveryStatus.PENDING)
    assert to_patient.count() >= 1
    for delivery_id in to_patient.values_list("pk", flat=True):
        assert push_deliver(delivery_id=delivery_id) == "sent"
    pushed = [
        sent.json()["message"]
        for sent in fcm.server.sent("/v1/projects")
        if sent.json()["message"]["token"] == TOKEN
    ]
    [plan_push] = [message for message in pushed if message["data"]["route"] == "app://today"]
    read["push title"] = plan_push["notification"]["title"]
    read["push body"] = plan_push["notification"]["body"]
    client = client_for(patient)  # hours later: the earlier access token has expired
    inbox = client.get("/api/v1/notifications/")
    read["inbox Content-Language"] = inbox["Content-Language"]
    read["inbox titles"] = sorted({note["title"] for note in inbox.json()["results"]})

    # The plan handout prints in Spanish.
    handout = client.get(f"/api/v1/plans/{plan_id}/handout/")
    assert handout.status_code == 200, handout.content
    assert handout["Content-Type"] == "application/pdf"
    read["handout Content-Language"] = handout["Content-Language"]
    read["handout /Lang"] = str(PdfReader(io.BytesIO(handout.content)).trailer["/Root"]["/Lang"])
    text = pdf_text(handout.content)
    read["handout phrases missing"] = [phrase for phrase in HANDOUT_PHRASES if phrase not in text]
    read["handout English left"] = [
        english for english in ("Your exercise plan", "Pain limit", "Every day") if english in text
    ]

    # A password reset e-mail reaches the loopback SMTP server in Spanish.
    reset = APIClient().post(
        "/api/v1/auth/password-reset/", {"email": patient.email}, format="json"
    )
    assert reset.status_code == 202, reset.content
    [message] = mail.deliver()
    assert message.envelope_to == [patient.email]
    read["e-mail Content-Language"] = message.language
    read["e-mail subject"] = message.subject
    plain = " ".join(message.text.split())
    read["e-mail greeting"] = plain.split(" ", 2)[:2]
    read["e-mail phrases missing"] = [phrase for phrase in RESET_PHRASES if phrase not in plain]
    for part in (message.subject, message.text, message.html):
        for word in HEALTH_WORDS:
            assert word not in part.lower(), word

    assert read == {
        "me/ language": "es",
        "log Content-Language": "es",
        "flag title": "Posible coágulo de sangre",
        "flag advice": SPANISH_FLAGS[RedFlagCode.POSSIBLE_DVT]["advice"],
        "disclaimer starts": SPANISH_DISCLAIMER,
        "push title": "Es hora de sus ejercicios",
        "push body": f"Su plan «{PLAN_TITLE}» tiene ejercicios para hoy.",
        "inbox Content-Language": "es",
        "inbox titles": ["Es hora de sus ejercicios"],
        "handout Content-Language": "es",
        "handout /Lang": "es",
        "handout phrases missing": [],
        "handout English left": [],
        "e-mail Content-Language": "es",
        "e-mail subject": "Elija una contraseña nueva",
        "e-mail greeting": ["Hola,", "Lucía:"],
        "e-mail phrases missing": [],
    }
    # The fixture's advice is the Spanish text, not a copy of the English.
    assert SPANISH_FLAGS[RedFlagCode.POSSIBLE_DVT]["advice"].startswith(
        "El dolor o la hinchazón en la pantorrilla"
    )

    # The same log from a patient who reads English: the same level, codes and sources,
    # in English words.
    english_triage, english_language = post_log(client_for(PatientFactory(language="en")))
    assert english_language == "en"
    assert codes_of(english_triage) == codes_of(spanish_triage)
    [english_flag] = english_triage["flags"]
    assert (english_flag["title"], english_flag["advice"]) == (
        flag_for(RedFlagCode.POSSIBLE_DVT).title,
        flag_for(RedFlagCode.POSSIBLE_DVT).advice,
    )
    assert english_triage["disclaimer"] == DISCLAIMER
