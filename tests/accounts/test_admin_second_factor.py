"""The admin requires the portal's second factor of every staff user, editors included:
enrolment at the first sign-in, the code page at every later one, and no admin page before
it (apps/accounts/admin_site.py)."""

import base64

import pytest
from django.test import Client
from django_otp.oath import TOTP

from apps.accounts import second_factor
from apps.accounts.models import AuthenticatorDevice, SecondFactorFailures, User
from tests.accounts.factories import PASSWORD
from tests.second_factor import authenticator_for, code_of

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/content/exercise/", "/admin/accounts/user/"]


def password_only(user) -> Client:
    client = Client()
    answer = client.post(
        "/admin/login/?next=/admin/content/exercise/",
        {"username": user.email, "password": PASSWORD, "next": "/admin/content/exercise/"},
    )
    assert answer.status_code == 302  # the password was right
    return client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.org", password=PASSWORD)


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_a_password_alone_reaches_no_admin_page(who, editor, superuser):
    user = editor if who == "editor" else superuser
    authenticator_for(user)
    client = password_only(user)
    for url in ADMIN_PAGES:
        page = client.get(url, follow=True)
        assert page.redirect_chain[-1][0].startswith("/admin/second-factor/?next="), url
        assert page.status_code == 200
        assert b"Enter your code" in page.content


def test_the_first_sign_in_enrols_then_the_admin_opens(editor):
    client = password_only(editor)
    setup = client.get("/admin/login/?next=/admin/content/exercise/", follow=True)
    assert (
        setup.redirect_chain[-1][0]
        == "/admin/second-factor/setup/?next=%2Fadmin%2Fcontent%2Fexercise%2F"
    )
    assert b'aria-label="QR code to add this account' in setup.content
    seed = base64.b32decode("".join(setup.context["secret"].split()))
    assert client.get("/admin/content/exercise/").status_code == 302

    wrong = "000000" if f"{TOTP(seed).token():06d}" != "000000" else "111111"
    assert client.post("/admin/second-factor/setup/", {"code": wrong}).status_code == 400
    assert not AuthenticatorDevice.objects.filter(user=editor, confirmed=True).exists()
    # A wrong code makes the next try wait a second (test_second_factor_throttle.py).
    SecondFactorFailures.objects.all().delete()

    done = client.post(
        "/admin/second-factor/setup/",
        {"code": f"{TOTP(seed).token():06d}", "next": "/admin/content/exercise/"},
    )
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert client.get("/admin/content/exercise/").status_code == 200


def test_the_code_page_lets_the_editor_in_with_the_app_or_a_recovery_code(editor):
    device = authenticator_for(editor)
    codes = second_factor.recovery_codes_replace(user=editor)
    client = password_only(editor)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    assert client.post("/admin/second-factor/", {"code": wrong}).status_code == 400
    SecondFactorFailures.objects.all().delete()
    answer = client.post(
        "/admin/second-factor/", {"code": code_of(device), "next": "/admin/content/exercise/"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/content/exercise/"
    assert client.get("/admin/content/exercise/").status_code == 200

    other = password_only(editor)
    assert other.post("/admin/second-factor/", {"code": codes[0]}).status_code == 302
    assert other.get("/admin/").status_code == 200


def test_an_outside_next_is_ignored(editor):
    device = authenticator_for(editor)
    client = password_only(editor)
    answer = client.post(
        "/admin/second-factor/", {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/admin/"


def test_the_second_factor_pages_are_for_signed_in_staff_only(patient, physio):
    assert Client().get("/admin/second-factor/")["Location"] == "/admin/login/"
    for user in (patient, physio):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/second-factor/setup/")["Location"] == "/admin/login/"
        assert not AuthenticatorDevice.objects.filter(user=user).exists()


def test_django_otps_clear_devices_are_not_offered_in_the_admin(staff_browser):
    assert staff_browser.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert staff_browser.get("/admin/otp_static/staticdevice/").status_code == 404
    assert staff_browser.get("/admin/accounts/authenticatordevice/").status_code == 200
