"""The portal in the physio's language: `language` (the same field as the API's
me.language) once signed in, Accept-Language before; a switch on the account page; `<html
lang>`, dates and numbers in that language; red-flag names in Spanish only where an editor
reviewed them."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from apps.accounts import second_factor
from apps.accounts.models import AuthenticatorDevice, User
from apps.alerts.services import alert_acknowledge
from apps.clinic.templatetags.clinic_portal import percent, signed
from apps.content.models import RedFlagTranslation
from tests.accounts.factories import PASSWORD
from tests.bodies import symptom_log_body
from tests.conftest import client_for
from tests.factories import (
    AlertFactory,
    InstrumentVersionFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
    PatientFactory,
    PhysioFactory,
)
from tests.second_factor import authenticator_for, code_of

from .conftest import portal_client_for
from .test_dashboard import add_log
from .test_portal_pages import plan_form

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match, "no <html lang>"
    return match.group(1)


@pytest.fixture
def spanish_physio(db):
    return PhysioFactory(language="es")


@pytest.fixture
def spanish(spanish_physio) -> Client:
    return portal_client_for(spanish_physio)


@pytest.fixture
def spanish_patient(spanish_physio):
    from apps.accounts.services import care_link_create

    patient = PatientFactory(display_name="Lucía Pérez", timezone="Europe/Madrid")
    care_link_create(physio=spanish_physio, patient=patient)
    return patient


# --- Before sign-in: Accept-Language -------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang", "heading"),
    [
        pytest.param("es-ES,es;q=0.9,en;q=0.5", "es", "Iniciar sesión", id="spanish_with_region"),
        pytest.param("en-GB,en;q=0.8", "en", "Sign in", id="english"),
        pytest.param("fr;q=1.0, es;q=0.4", "es", "Iniciar sesión", id="unsupported_then_spanish"),
        pytest.param("", "en", "Sign in", id="no_header"),
    ],
)
def test_the_sign_in_page_follows_accept_language(header, lang, heading):
    response = Client(headers={"Accept-Language": header}).get("/clinic/sign-in/")
    assert response.status_code == 200
    assert html_lang(response) == lang
    assert response["Content-Language"] == lang
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert "Accept-Language" in response["Vary"]


def test_a_wrong_password_is_said_in_spanish_before_sign_in(spanish_physio):
    response = Client(headers={"Accept-Language": "es"}).post(
        "/clinic/sign-in/", {"email": spanish_physio.email, "password": "not-the-password"}
    )
    body = response.content.decode()
    assert "El correo electrónico o la contraseña no son correctos." in body
    assert "Hay un problema" in body


def test_the_wait_after_a_wrong_code_is_said_in_spanish(spanish_physio):
    client = Client(headers={"Accept-Language": "es"})
    client.post("/clinic/sign-in/", {"email": spanish_physio.email, "password": PASSWORD})
    client.get("/clinic/two-factor/setup/")
    device = AuthenticatorDevice.objects.get(user=spanish_physio)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    assert client.post("/clinic/two-factor/setup/", {"code": wrong}).status_code == 400

    too_soon = client.post("/clinic/two-factor/setup/", {"code": code_of(device)})

    assert too_soon.status_code == 429
    body = too_soon.content.decode()
    assert "Demasiados códigos incorrectos. Espere 1 segundo y escriba" in body
    assert "Too many" not in body


@pytest.mark.parametrize(
    ("language", "seconds", "said"),
    [
        ("en", 1, "Too many wrong codes. Wait 1 second, then type the newest code."),
        ("en", 4, "Too many wrong codes. Wait 4 seconds, then type the newest code."),
        ("es", 4, "Demasiados códigos incorrectos. Espere 4 segundos y escriba el código más"),
    ],
)
def test_the_wait_is_said_with_its_plural(language, seconds, said):
    with translation.override(language):
        message = second_factor.refused_message(second_factor.Refused(seconds), "wrong")
    assert message.startswith(said)


# --- Signed in: the physio's own language wins over the header ------------------------------


def test_a_spanish_physio_gets_spanish_pages_whatever_the_browser_asks(spanish, spanish_patient):
    caseload = spanish.get("/clinic/", headers={"Accept-Language": "en"})
    body = caseload.content.decode()
    assert html_lang(caseload) == "es"
    assert caseload["Content-Language"] == "es"
    assert "<h1>Mis pacientes</h1>" in body
    assert "1 paciente en tratamiento." in body
    assert "Ordenar por" in body
    assert "Alertas por resolver" in body
    assert "Pendiente de usted" in body
    assert "Este portal apoya el juicio clínico" in body
    assert "Caseload" not in body


def test_an_english_physio_keeps_english_pages_whatever_the_browser_asks(portal, physio):
    response = portal.get("/clinic/", headers={"Accept-Language": "es"})
    assert html_lang(response) == "en"
    assert "<h1>Caseload</h1>" in response.content.decode()


def test_the_patient_page_is_in_spanish_with_spanish_numbers(spanish, spanish_patient):
    add_log(spanish_patient, days_ago=8, pain=3)
    add_log(spanish_patient, days_ago=0.1, pain=5)
    response = spanish.get(f"/clinic/patients/{spanish_patient.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert html_lang(response) == "es"
    for text in (
        "Último dolor",
        "Cambio del dolor, 7 días",
        "No hay alertas abiertas ni vistas.",
        "Dolor diario, últimos 28 días",
        "Equipo asistencial",
        "Diario de síntomas",
    ):
        assert text in body, text


def test_the_plan_builder_and_its_week_are_in_spanish(
    spanish, spanish_physio, spanish_patient, exercise, other_exercise
):
    url = f"/clinic/patients/{spanish_patient.pk}/plan/"
    saved = spanish.post(url, plan_form())
    assert saved.status_code == 302
    body = spanish.get(saved["Location"]).content.decode()
    for text in (
        "El plan se ha guardado.",
        "Biblioteca de ejercicios",
        "Horas de recordatorio",
        "Recordatorios a las 08:00, 18:30",
        "Guardar los cambios",
        "Series",
        "Límite de dolor (0–10)",
    ):
        assert text in body, text
    # Week days and months by Django's own Spanish catalogue.
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ ", body)


def test_form_errors_come_back_in_spanish(spanish, spanish_patient, exercise, other_exercise):
    response = spanish.post(
        f"/clinic/patients/{spanish_patient.pk}/plan/", plan_form(reminder_times="25:00")
    )
    assert response.status_code == 400
    assert "Use horas en formato de 24 horas, como «08:30» (25:00)." in response.content.decode()


def test_the_diary_is_in_spanish_with_spanish_dates(spanish, spanish_patient):
    log = add_log(spanish_patient, days_ago=1, pain=4, note="Me duele al bajar escaleras")
    response = spanish.get(f"/clinic/patients/{spanish_patient.pk}/diary/")
    body = response.content.decode()
    assert "1 registro." in body
    assert "Nota del paciente:" in body
    assert log.note in body
    # The weekday and the month by Django's own Spanish catalogue ("mar 9 Mar 2026").
    assert re.search(r"(lun|mar|mié|jue|vie|sáb|dom) \d+ [A-Z][a-zé]{2} \d{4}, \d\d:\d\d", body)


def test_a_red_flag_in_the_diary_is_spanish_only_once_reviewed(spanish, spanish_patient):
    add_log(
        spanish_patient, days_ago=1, pain=7, triage_level="urgent", triage_codes=["possible_dvt"]
    )
    RedFlagTranslation.objects.update_or_create(
        code="possible_dvt",
        language="es",
        defaults={
            "title": "Posible coágulo (TVP)",
            "advice": "Busque atención hoy.",
            "reviewed_by": "",
            "reviewed_at": None,
        },
    )
    url = f"/clinic/patients/{spanish_patient.pk}/diary/"
    unreviewed = spanish.get(url).content.decode()
    assert "Possible blood clot (DVT)" in unreviewed
    assert "Posible coágulo (TVP)" not in unreviewed

    RedFlagTranslation.objects.filter(code="possible_dvt", language="es").update(
        reviewed_by="editor@example.org", reviewed_at=timezone.now()
    )
    reviewed = spanish.get(url).content.decode()
    assert "Posible coágulo (TVP)" in reviewed
    assert "Possible blood clot (DVT)" not in reviewed


def test_the_invites_and_account_pages_are_in_spanish(spanish):
    invites = spanish.get("/clinic/invites/").content.decode()
    assert "<h1>Invitar a un paciente</h1>" in invites
    assert "Crear una invitación" in invites
    account = spanish.get("/clinic/account/").content.decode()
    assert "<h1>Su cuenta</h1>" in account
    assert "Cambiar su contraseña" in account
    assert '<option value="es" selected>Español</option>' in account


def test_the_second_factor_pages_are_in_spanish(spanish_physio):
    client = portal_client_for(spanish_physio, verified=False)
    setup = client.get("/clinic/two-factor/setup/")
    assert html_lang(setup) == "es"
    assert "Configure su segundo factor" in setup.content.decode()
    assert "Código de la aplicación" in setup.content.decode()
    authenticator_for(spanish_physio)
    response = client.get("/clinic/two-factor/")
    body = response.content.decode()
    assert html_lang(response) == "es"
    assert "Introduzca su código" in body
    assert "Continuar" in body


@pytest.mark.parametrize(
    ("language", "change", "adherence"),
    [
        pytest.param("en", "+1.5", "42 %", id="english"),
        pytest.param("es", "+1,5", "42 %", id="spanish"),
    ],
)
def test_figures_use_the_languages_decimal_mark(language, change, adherence):
    with translation.override(language):
        assert signed(1.5) == change
        assert signed(-2.0) == "−2"
        assert percent(0.42) == adherence


# --- The switch on the account page ----------------------------------------------------------


def test_the_switch_stores_the_language_and_the_next_page_is_in_it(portal, physio):
    response = portal.post("/clinic/account/language/", {"language": "es"})
    assert response.status_code == 302
    assert response["Location"] == "/clinic/account/"
    physio.refresh_from_db()
    assert physio.language == "es"
    page = portal.get("/clinic/account/")
    assert html_lang(page) == "es"
    assert "El idioma se ha guardado." in page.content.decode()

    back = portal.post("/clinic/account/language/", {"language": "en"})
    assert back.status_code == 302
    assert User.objects.get(pk=physio.pk).language == "en"
    assert "The language is saved." in portal.get("/clinic/account/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"language": "fr"}, id="unsupported"),
        pytest.param({"language": ""}, id="empty"),
        pytest.param({}, id="missing"),
    ],
)
def test_the_switch_refuses_a_language_not_offered(portal, physio, data):
    response = portal.post("/clinic/account/language/", data)
    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()
    physio.refresh_from_db()
    assert physio.language == "en"


def test_the_switch_is_post_only_and_for_verified_physios(physio, patient):
    assert portal_client_for(physio).get("/clinic/account/language/").status_code == 405
    unverified = portal_client_for(physio, verified=False)
    response = unverified.post("/clinic/account/language/", {"language": "es"})
    assert response.status_code == 302
    assert "/clinic/two-factor/" in response["Location"]
    anonymous = Client().post("/clinic/account/language/", {"language": "es"})
    assert anonymous.status_code == 302
    assert "/clinic/sign-in/" in anonymous["Location"]
    physio.refresh_from_db()
    assert physio.language == "en"


def test_the_switch_does_not_touch_other_accounts(portal, physio, other_physio):
    portal.post("/clinic/account/language/", {"language": "es"})
    other_physio.refresh_from_db()
    assert other_physio.language == "en"


def test_a_date_in_the_caseload_is_in_spanish(spanish, spanish_patient, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
    add_log(spanish_patient, days_ago=1, pain=4)
    body = spanish.get("/clinic/").content.decode()
    assert re.search(r"Último registro <time [^>]+>9 Mar, \d\d:\d\d</time>", body)


# --- Texts other apps give the portal: alert kinds, statuses, signs, figures, vocabulary ------


def spanish_alerts(patient, physio):
    log = add_log(
        patient,
        days_ago=0.1,
        pain=7,
        locations=["calf"],
        side="left",
        qualities=["throbbing"],
        triggers=["walking"],
        swelling="significant",
        redness=True,
        warmth=True,
        triage_level="urgent",
        triage_codes=["possible_dvt"],
    )
    red_flag = AlertFactory(patient=patient, symptom_log=log)
    alert_acknowledge(alert=red_flag, by=physio)
    AlertFactory(
        patient=patient,
        worsening=True,
        codes=["pain_rising"],
        details={"pain_rising": {"baseline_mean": 3.1, "recent_mean": 5.4}},
    )
    return log


def test_alerts_read_in_spanish_on_the_patient_page(spanish, spanish_physio, spanish_patient):
    spanish_alerts(spanish_patient, spanish_physio)
    body = spanish.get(f"/clinic/patients/{spanish_patient.pk}/").content.decode()
    for text in (
        "Señal de alarma",  # kinds
        "Síntomas que empeoran",
        "<strong>Vista</strong>",  # status
        "<strong>Abierta</strong>",
        ": Vista por",  # the history's event
        "Hinchazón: importante",  # signs
        "Enrojecimiento",
        "Calor local",
        "Dolor en aumento",
        "<li>Dolor 7/10</li>",  # figures, with the Spanish decimal mark
        "Dolor medio 3,1 → 5,4 (los últimos 3 días frente a la semana anterior)",
    ):
        assert text in body, text
    for english in (">Red flag", "Worsening symptoms", "Acknowledged", "Redness", "Mean pain"):
        assert english not in body, english
    # The red flag's own name is safety text: English until an editor reviews its Spanish.
    assert "Possible blood clot (DVT)" in body


def test_an_english_physio_keeps_the_english_alert_texts(portal, physio, patient, linked):
    spanish_alerts(patient, physio)
    body = portal.get(f"/clinic/patients/{patient.pk}/").content.decode()
    for text in (
        "Red flag",
        "<strong>Acknowledged</strong>",
        "Swelling: significant",
        "Pain rising",
    ):
        assert text in body, text
    assert "Mean pain 3.1 → 5.4 (the last 3 days against the week before)" in body


def test_the_caseloads_today_list_names_the_alert_kind_in_spanish(
    spanish, spanish_physio, spanish_patient
):
    spanish_alerts(spanish_patient, spanish_physio)
    body = spanish.get("/clinic/").content.decode()
    assert "Señal de alarma" in body
    assert "Síntomas que empeoran" in body
    assert "Worsening symptoms" not in body


def test_the_diary_names_places_side_feel_and_triggers_in_spanish(
    spanish, spanish_physio, spanish_patient
):
    spanish_alerts(spanish_patient, spanish_physio)
    body = spanish.get(f"/clinic/patients/{spanish_patient.pk}/diary/").content.decode()
    for text in ("Pantorrilla (izquierda)", "Pulsátil", "Caminar", "Hinchazón: importante"):
        assert text in body, text
    for english in ("Calf", "Left", "Throbbing", "Walking", "Swelling"):
        assert english not in body, english


def test_the_episode_page_names_a_plans_status_in_spanish(
    spanish, spanish_patient, exercise, other_exercise
):
    assert (
        spanish.post(f"/clinic/patients/{spanish_patient.pk}/plan/", plan_form()).status_code == 302
    )
    spanish.post(f"/clinic/patients/{spanish_patient.pk}/episode/open/", {"title": "Rodilla"})
    body = spanish.get(f"/clinic/patients/{spanish_patient.pk}/episode/").content.decode()
    assert re.search(r": activo, del \d+ \w+ \d{4} al ", body)


def test_the_api_answers_carry_the_same_codes_in_spanish_and_english(physio):
    """Labels are translated for people; the values an app reads never are."""
    from apps.accounts.services import care_link_create

    answers = {}
    for language in ("en", "es"):
        patient = PatientFactory(language=language)
        care_link_create(physio=physio, patient=patient)
        client = client_for(patient)
        body = symptom_log_body(
            locations=["calf"],
            qualities=["throbbing"],
            triggers=["walking"],
            swelling="significant",
            redness=True,
            warmth=True,
            tenderness=True,
        )
        log = client.post("/api/v1/symptom-logs/", body, format="json")
        assert log.status_code == 201
        assert log["Content-Language"] == language
        alerts = client.get("/api/v1/alerts/").json()["results"]
        answers[language] = (
            {key: log.json()[key] for key in ("side", "locations", "qualities", "triggers")},
            log.json()["swelling"],
            log.json()["triage"]["level"],
            [flag["code"] for flag in log.json()["triage"]["flags"]],
            [(a["kind"], a["status"], a["level"], a["codes"]) for a in alerts],
        )
    assert answers["es"] == answers["en"]
    fields, swelling, level, codes, alerts = answers["es"]
    assert fields == {
        "side": "left",
        "locations": ["calf"],
        "qualities": ["throbbing"],
        "triggers": ["walking"],
    }
    assert (swelling, level) == ("significant", "urgent")
    assert "possible_dvt" in codes
    assert alerts == [("red_flag", "open", "urgent", codes)]


def test_the_date_pickers_hold_iso_dates_in_spanish(spanish, spanish_patient):
    """A date picker drops a value that is not ISO: the plan's dates must not be written the
    Spanish way (07/12/2026), or the form comes back saying they are required."""
    body = spanish.get(f"/clinic/patients/{spanish_patient.pk}/plan/").content.decode()
    for name in ("start_date", "end_date"):
        value = re.search(rf'name="{name}" value="([^"]*)"', body)
        assert value, name
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", value.group(1)), value.group(1)


def test_the_outcomes_page_names_schedules_and_figures_in_spanish(
    spanish, spanish_physio, spanish_patient
):
    version = InstrumentVersionFactory(title="Escala de prueba")
    schedule = OutcomeScheduleFactory(
        patient=spanish_patient,
        physio=spanish_physio,
        instrument=version.instrument,
        every_days=14,
    )
    OutcomeResponseFactory(schedule=schedule)
    body = spanish.get(f"/clinic/patients/{spanish_patient.pk}/outcomes/").content.decode()
    assert "Escala de prueba cada 14 días" in body
    assert "every 14 days" not in body
    # Not Django admin's "Modificar" for the change of a score, nor the English acronym.
    assert "<dt>Cambio</dt>" in body
    assert "<dt>DMCI</dt>" in body
