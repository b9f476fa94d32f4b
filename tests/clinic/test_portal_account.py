"""The portal's own account pages: a forgotten password (e-mailed link back to the portal),
changing the password, signing out of all devices, and invites e-mailed from the portal."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import CareTeamInvite
from tests.factories import PASSWORD, PhysioFactory

from .conftest import portal_client_for

PORTAL = "https://clinic.example.org/clinic"
NEW_PASSWORD = "Another-long-passphrase-2027"


@pytest.fixture(autouse=True)
def _links(settings):
    settings.PORTAL_LINK_BASE = PORTAL
    settings.APP_LINK_BASE = "https://app.example.org/app"


@pytest.fixture
def physio_account(transactional_db):
    return PhysioFactory(email="physio@example.org", display_name="Ana Ruiz")


def api_refresh_token(email: str, password: str = PASSWORD) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200
    return response.json()["refresh"]


def api_access_token(email: str, password: str = PASSWORD) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200
    return response.json()["access"]


def refresh_status(token: str) -> int:
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}).status_code


def signed_in(client: Client) -> bool:
    return client.get("/clinic/").status_code == 200


def test_the_sign_in_page_offers_a_forgotten_password_link(db):
    body = Client().get("/clinic/sign-in/").content.decode()

    assert 'href="/clinic/password-reset/"' in body


def test_a_forgotten_password_is_reset_through_a_link_back_to_the_portal(mail, physio_account):
    token_before = api_refresh_token(physio_account.email)
    browser = Client()

    known = browser.post("/clinic/password-reset/", {"email": "PHYSIO@example.org"})
    unknown = Client().post("/clinic/password-reset/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    [message] = mail.deliver()
    assert message.envelope_to == ["physio@example.org"]
    [link] = set(message.links())
    assert link.startswith(f"{PORTAL}/password-reset/confirm/?token=")
    token = message.token()
    page = browser.get(f"/clinic/password-reset/confirm/?token={token}")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"

    done = browser.post(
        "/clinic/password-reset/confirm/",
        {"token": token, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert done["Location"] == "/clinic/sign-in/"
    assert "Your password was changed" in browser.get("/clinic/sign-in/").content.decode()
    physio_account.refresh_from_db()
    assert physio_account.check_password(NEW_PASSWORD)
    assert refresh_status(token_before) == 401
    again = browser.post(
        "/clinic/password-reset/confirm/",
        {
            "token": token,
            "new_password": "Yet-another-2028-x",
            "new_password_again": "Yet-another-2028-x",
        },
    )
    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()


def test_two_different_new_passwords_are_refused_and_the_link_still_works(mail, physio_account):
    Client().post("/clinic/password-reset/", {"email": physio_account.email})
    token = mail.deliver()[0].token()

    differ = Client().post(
        "/clinic/password-reset/confirm/",
        {"token": token, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "x"},
    )
    weak = Client().post(
        "/clinic/password-reset/confirm/",
        {"token": token, "new_password": "12345678", "new_password_again": "12345678"},
    )

    assert differ.status_code == weak.status_code == 400
    assert "The two passwords differ." in differ.content.decode()
    physio_account.refresh_from_db()
    assert physio_account.check_password(PASSWORD)
    ok = Client().post(
        "/clinic/password-reset/confirm/",
        {"token": token, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert ok.status_code == 302


def test_the_portal_reset_is_throttled_per_e_mail_like_the_apis(mail, physio_account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "password_reset_email", "1/hour")

    first = Client().post("/clinic/password-reset/", {"email": physio_account.email})
    second = APIClient().post("/api/v1/auth/password-reset/", {"email": physio_account.email})
    third = Client().post("/clinic/password-reset/", {"email": physio_account.email})

    assert (first.status_code, second.status_code, third.status_code) == (202, 429, 429)


def test_changing_the_password_keeps_this_session_and_ends_every_other(physio_account):
    here, elsewhere = portal_client_for(physio_account), portal_client_for(physio_account)
    phone = api_refresh_token(physio_account.email)

    wrong = here.post(
        "/clinic/account/",
        {
            "current_password": "nope",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400
    assert signed_in(elsewhere)

    response = here.post(
        "/clinic/account/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert refresh_status(phone) == 401
    physio_account.refresh_from_db()
    assert physio_account.check_password(NEW_PASSWORD)


def test_signing_out_of_all_devices_ends_every_session_and_app_token(physio_account):
    here, elsewhere = portal_client_for(physio_account), portal_client_for(physio_account)
    phone = api_refresh_token(physio_account.email)
    assert "Sign out of all devices" in here.get("/clinic/account/").content.decode()

    response = here.post("/clinic/sign-out-all/")

    assert response.status_code == 302
    assert response["Location"] == "/clinic/sign-in/"
    assert not signed_in(here)
    assert not signed_in(elsewhere)
    assert refresh_status(phone) == 401


def test_signing_out_of_all_devices_needs_a_post_from_a_signed_in_physio(physio_account):
    portal = portal_client_for(physio_account)

    assert portal.get("/clinic/sign-out-all/").status_code == 405
    assert Client().post("/clinic/sign-out-all/").status_code == 302  # to sign in
    physio_account.refresh_from_db()
    assert physio_account.token_generation == 0
    assert signed_in(portal)


def test_an_invite_made_in_the_portal_can_be_e_mailed(mail, physio_account):
    portal = portal_client_for(physio_account)

    response = portal.post("/clinic/invites/", {"email": "future.patient@example.org"})

    assert response.status_code == 201
    code = response.context["issued"].code
    assert (
        "being e-mailed to <strong>future.patient@example.org</strong>" in response.content.decode()
    )
    [message] = mail.deliver()
    assert message.token() == code
    assert "Ana Ruiz" in message.text
    assert "future.patient@example.org" in portal.get("/clinic/invites/").content.decode()


def test_an_invite_with_a_bad_address_is_refused_on_the_form(mail, physio_account):
    portal = portal_client_for(physio_account)

    response = portal.post("/clinic/invites/", {"email": "not-an-address"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert CareTeamInvite.objects.count() == 0
    assert mail.deliver() == []


def test_invites_e_mailed_from_the_portal_share_the_apis_throttle(
    mail, physio_account, monkeypatch
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "invite_email", "2/hour")
    portal = portal_client_for(physio_account)
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Bearer {api_access_token(physio_account.email)}")

    first = portal.post("/clinic/invites/", {"email": "p1@example.org"})
    second = app.post("/api/v1/care-team/invites/", {"email": "p2@example.org"}, format="json")
    third = portal.post("/clinic/invites/", {"email": "p3@example.org"})

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    page = third.content.decode()
    assert "You have e-mailed many invites in the last hour" in page
    assert "p3@example.org" in page  # the address stays in the box
    assert third.context["issued"] is None
    assert not CareTeamInvite.objects.filter(emailed_to="p3@example.org").exists()
    assert sorted(m.envelope_to[0] for m in mail.deliver()) == ["p1@example.org", "p2@example.org"]
    # An invite without an address still works: its code is given by hand.
    assert portal.post("/clinic/invites/", {"email": ""}).status_code == 201
    assert CareTeamInvite.objects.count() == 3
