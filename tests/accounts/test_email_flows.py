"""The e-mails accounts send, read as a real SMTP server on loopback receives them:
verification at registration, password reset, care-team invites; their tokens and links,
their two parts and their language."""

import datetime as dt

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import AccountToken, CareTeamInvite, TokenPurpose, User
from apps.accounts.services import ResetVia, password_reset_request
from backend.celery import app
from backend.queue import hand_off
from tests.conftest import client_for
from tests.factories import PatientFactory, PhysioFactory
from tests.factories.accounts import PASSWORD
from tests.mail import queued_mail_tasks

APP = "https://app.example.org/app"
PORTAL = "https://clinic.example.org/clinic"
REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify-email/"
RESEND = "/api/v1/auth/verify-email/resend/"
INVITES = "/api/v1/care-team/invites/"
RESET = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"
NEW_PASSWORD = "Another-long-passphrase-2027"


@pytest.fixture(autouse=True)
def _links(settings):
    settings.APP_LINK_BASE = APP
    settings.PORTAL_LINK_BASE = PORTAL


def register(client: APIClient, **changes) -> dict:
    body = {
        "email": "new.patient@example.org",
        "password": "knee-rehab-Journey-7",
        "timezone": "Europe/Madrid",
        **changes,
    }
    response = client.post(REGISTER, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def codes(response) -> list[tuple[str | None, str]]:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def login(email: str, password: str) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh_status(refresh: str) -> int:
    return (
        APIClient()
        .post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")
        .status_code
    )


def me_status(access: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/").status_code


# --- Registration and verification ------------------------------------------------------------


def test_registration_answers_a_working_token_pair_and_e_mails_a_verification_link(mail):
    body = register(APIClient())

    assert body["email_verified"] is False
    assert body["language"] == "en"
    assert me_status(body["access"]) == 200
    assert refresh_status(body["refresh"]) == 200
    [message] = mail.deliver()
    assert message.envelope_to == ["new.patient@example.org"]
    assert message.subject == "Confirm your e-mail address"
    assert message.language == "en"
    assert '<html lang="en">' in message.html
    [link] = set(message.links())
    assert link.startswith(f"{APP}/verify-email?token=")
    assert link in message.html
    token = message.token()
    # Only a keyed hash is stored: the token itself is nowhere in the table.
    row = AccountToken.objects.get(purpose=TokenPurpose.VERIFY_EMAIL)
    assert token not in row.token_hash
    assert len(row.token_hash) == 64

    response = APIClient().post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 204
    me = client_for(User.objects.get()).get("/api/v1/me/").json()
    assert me["email_verified"] is True
    again = APIClient().post(VERIFY, {"token": token}, format="json")
    assert again.status_code == 400
    assert codes(again) == [("token", "invalid_token")]


def test_the_verification_e_mail_is_rendered_in_the_language_chosen_at_registration(mail):
    body = register(APIClient(), language="es", display_name="Lucía")

    assert body["language"] == "es"
    [message] = mail.deliver()
    assert message.language == "es"
    assert '<html lang="es">' in message.html
    assert "Lucía" in message.text


def test_without_a_language_registration_takes_the_best_match_of_accept_language(mail):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")

    assert register(client)["language"] == "es"
    [message] = mail.deliver()
    assert message.language == "es"


def test_an_unsupported_accept_language_falls_back_to_english(mail):
    assert register(APIClient(HTTP_ACCEPT_LANGUAGE="de-DE"))["language"] == "en"


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("x" * 43, "forged"),
        ("", "blank"),
        ("y" * 129, "too long"),
    ],
)
def test_a_forged_or_malformed_verification_token_is_refused(mail, token, why):
    register(APIClient())

    response = APIClient().post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400, why
    assert codes(response)[0][0] == "token"
    assert User.objects.get().email_verified_at is None


def test_an_expired_verification_token_is_refused(mail, frozen_now, time_machine):
    register(APIClient())
    token = mail.deliver()[0].token()
    time_machine.shift(dt.timedelta(hours=48, seconds=1))

    response = APIClient().post(VERIFY, {"token": token}, format="json")

    assert codes(response) == [("token", "invalid_token")]
    assert User.objects.get().email_verified_at is None


def test_a_verification_token_is_not_a_reset_token(mail):
    register(APIClient())
    token = mail.deliver()[0].token()

    response = APIClient().post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert codes(response) == [("token", "invalid_token")]


def test_a_signed_in_account_asks_for_the_verification_e_mail_again(mail):
    patient = PatientFactory(email="later@example.org", language="es", display_name="Lucía")
    client = client_for(patient)

    response = client.post(RESEND, format="json")

    assert response.status_code == 202
    assert "on its way" in response.json()["detail"]
    [message] = mail.deliver()
    assert message.envelope_to == ["later@example.org"]
    assert message.language == "es"
    assert "Lucía" in message.text
    [link] = set(message.links())
    assert link.startswith(f"{APP}/verify-email?token=")
    assert APIClient().post(VERIFY, {"token": message.token()}, format="json").status_code == 204
    patient.refresh_from_db()
    assert patient.email_verified


def test_an_earlier_verification_link_still_works_after_a_resend(mail):
    body = register(APIClient())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert client.post(RESEND).status_code == 202

    first, second = mail.deliver()

    assert first.token() != second.token()
    assert APIClient().post(VERIFY, {"token": first.token()}, format="json").status_code == 204
    assert User.objects.get().email_verified


def test_a_verified_address_gets_no_e_mail_on_resend(mail):
    patient = PatientFactory(email="done@example.org")
    patient.email_verified_at = patient.date_joined
    patient.save(update_fields=["email_verified_at"])

    response = client_for(patient).post(RESEND)

    assert response.status_code == 202
    assert "already confirmed" in response.json()["detail"]
    assert mail.deliver() == []
    assert AccountToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"email": "someone.else@example.org"}, "email", "unknown_field"),
        ([], None, "invalid"),
    ],
)
def test_a_resend_with_a_body_is_a_400_and_sends_nothing(mail, body, attr, code):
    patient = PatientFactory(email="later@example.org")

    response = client_for(patient).post(RESEND, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)
    assert mail.deliver() == []
    assert AccountToken.objects.count() == 0


def test_a_resend_needs_a_signed_in_account(mail):
    response = APIClient().post(RESEND, format="json")

    assert response.status_code == 401
    assert mail.deliver() == []


def test_resends_are_throttled_per_account(mail, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "verify_email_resend", "2/hour")
    patient, other = PatientFactory(), PatientFactory()

    answers = [client_for(patient).post(RESEND).status_code for _ in range(3)]

    assert answers == [202, 202, 429]
    assert client_for(other).post(RESEND).status_code == 202
    assert len(mail.deliver()) == 3
    assert AccountToken.objects.filter(user=patient).count() == 2


# --- Password reset ---------------------------------------------------------------------------


def test_the_reset_answer_is_byte_identical_for_a_known_and_an_unknown_address(mail):
    PatientFactory(email="known@example.org")

    known = APIClient().post(RESET, {"email": "known@example.org"}, format="json")
    unknown = APIClient().post(RESET, {"email": "nobody@example.org"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert sorted(known.items()) == sorted(unknown.items())  # headers too
    # The request only asked: both left one task for the worker and no row.
    hand_off.drain(timeout=15)
    tasks = queued_mail_tasks()
    assert [(name, args) for name, args, _ in tasks] == [
        ("apps.accounts.tasks.send_password_reset", ["known@example.org", "app"]),
        ("apps.accounts.tasks.send_password_reset", ["nobody@example.org", "app"]),
    ]
    assert AccountToken.objects.count() == 0
    app.loader.import_default_modules()
    for name, args, kwargs in tasks:
        app.tasks[name].apply(args=args, kwargs=kwargs).get()
    [message] = mail.deliver()
    assert message.envelope_to == ["known@example.org"]


def test_a_reset_link_sets_a_new_password_once_and_signs_the_account_out_everywhere(mail):
    patient = PatientFactory(email="known@example.org")
    first, second = login(patient.email, PASSWORD), login(patient.email, PASSWORD)

    APIClient().post(RESET, {"email": "Known@Example.org"}, format="json")
    [message] = mail.deliver()
    assert message.subject == "Choose a new password"
    assert message.language == "en"
    [link] = set(message.links())
    assert link.startswith(f"{APP}/reset-password?token=")
    token = message.token()

    response = APIClient().post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204
    for pair in (first, second):
        assert refresh_status(pair["refresh"]) == 401
        assert me_status(pair["access"]) == 401
    fresh = login(patient.email, NEW_PASSWORD)
    assert refresh_status(fresh["refresh"]) == 200
    again = APIClient().post(
        CONFIRM, {"token": token, "password": "Yet-another-one-2028"}, format="json"
    )
    assert codes(again) == [("token", "invalid_token")]
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)
    assert patient.email_verified  # the link reached the inbox


def test_a_reset_e_mail_is_in_the_accounts_language(mail):
    PatientFactory(email="es@example.org", language="es")

    APIClient().post(RESET, {"email": "es@example.org"}, format="json")

    [message] = mail.deliver()
    assert message.language == "es"
    assert '<html lang="es">' in message.html


def test_a_reset_token_expires_after_60_minutes(mail, frozen_now, time_machine):
    PatientFactory(email="known@example.org")
    APIClient().post(RESET, {"email": "known@example.org"}, format="json")
    token = mail.deliver()[0].token()
    row = AccountToken.objects.get(purpose=TokenPurpose.PASSWORD_RESET)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=60)
    time_machine.shift(dt.timedelta(minutes=60, seconds=1))

    response = APIClient().post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert codes(response) == [("token", "invalid_token")]
    assert User.objects.get().check_password(PASSWORD)


def test_a_refused_password_leaves_the_reset_link_usable(mail):
    PatientFactory(email="known@example.org")
    APIClient().post(RESET, {"email": "known@example.org"}, format="json")
    token = mail.deliver()[0].token()

    weak = APIClient().post(CONFIRM, {"token": token, "password": "12345678"}, format="json")

    assert weak.status_code == 400
    assert {attr for attr, _ in codes(weak)} == {"password"}
    assert User.objects.get().check_password(PASSWORD)
    good = APIClient().post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")
    assert good.status_code == 204


def test_a_newer_password_makes_older_reset_links_stop_working(mail):
    PatientFactory(email="known@example.org")
    for _ in range(2):
        APIClient().post(RESET, {"email": "known@example.org"}, format="json")
    older, newer = (message.token() for message in mail.deliver())

    assert APIClient().post(CONFIRM, {"token": newer, "password": NEW_PASSWORD}).status_code == 204
    response = APIClient().post(CONFIRM, {"token": older, "password": "Yet-another-one-2028"})

    assert codes(response) == [("token", "invalid_token")]


def test_a_deactivated_account_gets_no_reset_e_mail(mail):
    PatientFactory(email="gone@example.org", is_active=False)

    response = APIClient().post(RESET, {"email": "gone@example.org"}, format="json")

    assert response.status_code == 202
    assert mail.deliver() == []


def test_a_portal_reset_links_to_the_portal(mail):
    PhysioFactory(email="physio@example.org")
    password_reset_request(email="physio@example.org", via=ResetVia.PORTAL)

    [message] = mail.deliver()
    [link] = set(message.links())
    assert link.startswith(f"{PORTAL}/password-reset/confirm/?token=")


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"token": 12345, "password": NEW_PASSWORD}, "token", "invalid"),
        ({"password": NEW_PASSWORD}, "token", "required"),
        ({"token": "abc"}, "password", "required"),
        (
            {"token": "abc", "password": NEW_PASSWORD, "email": "x@example.org"},
            "email",
            "unknown_field",
        ),
    ],
)
def test_bad_confirm_input_is_a_400_naming_the_field(mail, body, attr, code):
    response = APIClient().post(CONFIRM, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"email": "not-an-address"}, "email", "invalid"),
        ({}, "email", "required"),
        ({"email": "a@example.org", "role": "physio"}, "role", "unknown_field"),
    ],
)
def test_bad_reset_input_is_a_400_and_queues_nothing(mail, body, attr, code):
    response = APIClient().post(RESET, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)
    assert mail.deliver() == []


def test_reset_requests_are_throttled_per_e_mail_address_known_or_not(mail, monkeypatch):
    PatientFactory(email="known@example.org")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "password_reset_email", "2/hour")

    for address in ("known@example.org", "nobody@example.org"):
        answers = [
            APIClient().post(RESET, {"email": address.upper()}, format="json").status_code
            for _ in range(3)
        ]
        assert answers == [202, 202, 429], address
    assert APIClient().post(RESET, {"email": "third@example.org"}).status_code == 202
    assert len(mail.deliver()) == 2  # the known address, twice


def test_reset_requests_are_throttled_per_client_address(mail, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "password_reset", "3/hour")
    client = APIClient(REMOTE_ADDR="203.0.113.7")

    answers = [
        client.post(RESET, {"email": f"p{n}@example.org"}, format="json").status_code
        for n in range(4)
    ]

    assert answers == [202, 202, 202, 429]
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.9")
    assert elsewhere.post(RESET, {"email": "p9@example.org"}).status_code == 202


# --- Care-team invites by e-mail ----------------------------------------------------------------


def test_an_invite_with_an_address_e_mails_the_code_and_a_link_into_the_app(mail):
    physio = PhysioFactory(email="physio@example.org", display_name="Ana Ruiz")

    response = client_for(physio).post(
        "/api/v1/care-team/invites/", {"email": "Future.Patient@example.org"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["emailed_to"] == "future.patient@example.org"
    [message] = mail.deliver()
    assert message.envelope_to == ["future.patient@example.org"]
    assert body["code"] in message.text
    assert body["code"] in message.html
    assert "Ana Ruiz" in message.text
    [link] = set(message.links())
    assert link == f"{APP}/join?token={body['code']}"
    assert message.token() == body["code"]
    assert message.language == "en"
    # The code e-mailed joins the care team.
    patient = PatientFactory(email="future.patient@example.org")
    joined = client_for(patient).post(
        "/api/v1/care-team/join/", {"code": message.token()}, format="json"
    )
    assert joined.status_code == 201


def test_an_invite_e_mail_goes_out_in_the_language_of_the_account_with_that_address(mail):
    physio = PhysioFactory(email="physio@example.org")
    PatientFactory(email="paciente@example.org", language="es")

    client_for(physio).post("/api/v1/care-team/invites/", {"email": "paciente@example.org"})

    [message] = mail.deliver()
    assert message.language == "es"


def test_an_invite_without_an_address_sends_nothing(mail):
    physio = PhysioFactory(email="physio@example.org")

    response = client_for(physio).post("/api/v1/care-team/invites/", {}, format="json")

    assert response.status_code == 201
    assert response.json()["emailed_to"] is None
    assert mail.deliver() == []


@pytest.mark.parametrize("email", ["not-an-address", 42, ""])
def test_an_invite_with_a_bad_address_is_a_400_and_stores_nothing(mail, email):
    physio = PhysioFactory(email="physio@example.org")

    response = client_for(physio).post(
        "/api/v1/care-team/invites/", {"email": email}, format="json"
    )

    assert response.status_code == 400
    assert codes(response)[0][0] == "email"
    assert CareTeamInvite.objects.count() == 0
    assert mail.deliver() == []


def test_invites_by_e_mail_are_throttled_per_physio_and_invites_without_are_not(mail, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "invite_email", "2/hour")
    physio, colleague = PhysioFactory(), PhysioFactory()
    client = client_for(physio)

    answers = [
        client.post(INVITES, {"email": f"p{n}@example.org"}, format="json").status_code
        for n in range(3)
    ]

    assert answers == [201, 201, 429]
    assert CareTeamInvite.objects.filter(physio=physio).count() == 2
    assert sorted(m.envelope_to[0] for m in mail.deliver()) == ["p0@example.org", "p1@example.org"]
    # Without an address nothing is e-mailed, and nothing is counted.
    assert client.post(INVITES, {}, format="json").status_code == 201
    assert client_for(colleague).post(INVITES, {"email": "p9@example.org"}).status_code == 201


def test_e_mails_carry_no_health_data_and_a_plain_text_part(mail):
    """Every kind of message: a text part, an HTML part, no symptom, pain or plan words."""
    physio = PhysioFactory(email="physio@example.org")
    register(APIClient())
    APIClient().post(RESET, {"email": "new.patient@example.org"}, format="json")
    client_for(physio).post("/api/v1/care-team/invites/", {"email": "someone@example.org"})

    messages = mail.deliver()

    assert len(messages) == 3
    for message in messages:
        assert message.text.strip()
        assert message.html.strip()
        words = (message.text + message.html).lower()
        for health_word in ("pain", "symptom", "alert", "exercise", "triage", "knee pain"):
            assert health_word not in words, (message.subject, health_word)
