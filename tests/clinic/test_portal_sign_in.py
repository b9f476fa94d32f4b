"""Signing in to the portal: the API's accounts and lockouts, the second factor enrolled at
the first sign-in, recovery codes, refusals, and the security headers."""

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts import second_factor
from apps.accounts.models import AuthenticatorDevice, RecoveryCode, recovery_code_hash
from tests.accounts.factories import PASSWORD
from tests.second_factor import code_of

from .conftest import portal_client_for, totp_device_for

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/clinic/sign-in/", {"email": email, "password": password, **extra})


def test_a_physios_first_sign_in_enrols_a_second_factor(physio):
    client = Client()
    response = sign_in(client, "PHYSIO@example.org", next="/clinic/invites/")
    assert response.status_code == 302
    assert response["Location"] == "/clinic/two-factor/setup/?next=%2Fclinic%2Finvites%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert '<svg role="img" aria-label="QR code to add this account' in body
    device = AuthenticatorDevice.objects.get(user=physio, confirmed=False)
    assert client.get("/clinic/two-factor/setup/").context["secret"]  # the same device again
    assert AuthenticatorDevice.objects.filter(user=physio).count() == 1

    assert client.get("/clinic/").status_code == 302  # a password alone reaches nothing
    done = client.post(
        "/clinic/two-factor/setup/", {"code": code_of(device), "next": "/clinic/invites/"}
    )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == settings.PORTAL_RECOVERY_CODES
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/clinic/invites/").status_code == 200


def test_a_wrong_code_confirms_nothing_and_the_device_is_throttled(physio):
    client = Client()
    sign_in(client, physio.email)
    client.get("/clinic/two-factor/setup/")
    device = AuthenticatorDevice.objects.get(user=physio)
    wrong = client.post(
        "/clinic/two-factor/setup/", {"code": "000000" if code_of(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    # Straight after a wrong code even the right one is refused unchecked: wait a second.
    too_soon = client.post("/clinic/two-factor/setup/", {"code": code_of(device)})
    assert too_soon.status_code == 429
    assert "Too many wrong codes. Wait 1 second," in too_soon.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not RecoveryCode.objects.exists()


def test_a_recovery_code_signs_in_once(physio):
    totp_device_for(physio)
    codes = second_factor.recovery_codes_replace(user=physio)
    first = Client()
    sign_in(first, physio.email)
    assert first.post("/clinic/two-factor/", {"code": codes[0].upper()}).status_code == 302
    assert first.get("/clinic/").status_code == 200
    assert not RecoveryCode.objects.filter(code_hash=recovery_code_hash(codes[0])).exists()

    second = Client()
    sign_in(second, physio.email)
    assert second.post("/clinic/two-factor/", {"code": codes[0]}).status_code == 400
    assert second.get("/clinic/").status_code == 302


def test_a_wrong_password_is_a_400_and_signs_nobody_in(physio):
    client = Client()
    response = sign_in(client, physio.email, "not-the-password")
    assert response.status_code == 400
    assert "The email or the password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_the_apis_and_the_portal_answers_it_in_html(physio, api_client):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, physio.email, "wrong").status_code == 400
    reached = sign_in(client, physio.email, "wrong")
    assert reached.status_code == 429
    assert reached["Content-Type"].startswith("text/html")
    assert "Too many failed sign-ins" in reached.content.decode()
    # Now locked for the right password too, in the portal and in the API alike.
    assert sign_in(client, physio.email).status_code == 429
    token = api_client.post("/api/v1/auth/token/", {"email": physio.email, "password": PASSWORD})
    assert token.status_code == 429


@pytest.mark.parametrize("role", ["patient", "editor"])
def test_patients_and_editors_are_refused_at_sign_in(role, patient, editor):
    user = patient if role == "patient" else editor
    client = Client()
    response = sign_in(client, user.email)
    assert response.status_code == 403
    assert "The clinic portal is for physiotherapists" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_outside_next_is_ignored(physio):
    client = portal_client_for(physio)
    response = client.get("/clinic/sign-in/", {"next": "https://evil.example/"})
    assert response["Location"] == "/clinic/"


def test_signing_out_ends_the_session(physio):
    client = portal_client_for(physio)
    assert client.post("/clinic/sign-out/").status_code == 302
    assert client.get("/clinic/").status_code == 302


def test_sessions_end_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request moves the end forward


def test_portal_pages_carry_a_strict_content_security_policy(physio):
    response = portal_client_for(physio).get("/clinic/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    body = response.content.decode()
    assert "<script>" not in body
    assert " style=" not in body
    assert "/static/django_htmx/htmx-2.min.js" in body  # htmx from our own origin


def test_every_portal_form_has_a_csrf_token(physio):
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD}).status_code
        == 403
    )
