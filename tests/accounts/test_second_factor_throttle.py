"""Wrong second-factor codes are throttled per account (across its devices) and per client
address, with a delay that doubles up to a ceiling: never a lock, so a stranger who has
the password cannot keep the real physiotherapist out (apps/accounts/second_factor.py)."""

import datetime as dt

import pytest
from django.test import Client

from apps.accounts import second_factor
from apps.accounts.models import SecondFactorFailures
from apps.accounts.second_factor import Refused
from tests.accounts.factories import PASSWORD
from tests.second_factor import authenticator_for, code_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

STRANGER = "203.0.113.9"
CLINIC = "198.51.100.20"


def wrong_code_for(device) -> str:
    return "000000" if code_of(device) != "000000" else "111111"


def verify(user, code: str, address: str = STRANGER):
    return second_factor.second_factor_verify(user=user, token=code, address=address)


@pytest.fixture
def device(physio):
    return authenticator_for(physio)


def test_the_wait_doubles_with_each_wrong_code_up_to_the_ceiling(
    physio, device, settings, time_machine
):
    settings.SECOND_FACTOR_ACCOUNT_MAX_DELAY = 16
    settings.SECOND_FACTOR_ADDRESS_MAX_DELAY = 16
    waits = []
    for _ in range(7):
        assert verify(physio, wrong_code_for(device)) == Refused()  # checked, wrong
        refused = verify(physio, code_of(device))  # the right code, straight after
        assert isinstance(refused, Refused)
        waits.append(refused.wait_seconds)
        time_machine.shift(dt.timedelta(seconds=refused.wait_seconds))
    assert waits == [1, 2, 4, 8, 16, 16, 16]
    # After the wait the right code works: a delay, not a lock.
    assert verify(physio, code_of(device)) == device


def test_the_account_waits_whatever_the_device_and_the_address(physio, device, time_machine):
    codes = second_factor.recovery_codes_replace(user=physio)
    assert verify(physio, wrong_code_for(device), STRANGER) == Refused()
    # A recovery code (another device) from another address is not even checked yet.
    assert verify(physio, codes[0], CLINIC) == Refused(wait_seconds=1)
    assert verify(physio, "notacode", CLINIC) == Refused(wait_seconds=1)
    time_machine.shift(dt.timedelta(seconds=1))
    assert verify(physio, codes[0], CLINIC) != Refused()


def test_an_address_waits_whatever_the_account(physio, other_physio, device, time_machine):
    other_device = authenticator_for(other_physio)
    for wait in (1, 2, 0):
        assert verify(physio, wrong_code_for(device), STRANGER) == Refused()
        time_machine.shift(dt.timedelta(seconds=wait))
    # The stranger's address now waits 4 seconds, for every account.
    assert verify(other_physio, code_of(other_device), STRANGER) == Refused(wait_seconds=4)
    # The other physio, from the clinic, is not slowed down by the stranger.
    assert verify(other_physio, code_of(other_device), CLINIC) == other_device


def test_a_right_code_clears_the_count(physio, device, time_machine):
    for wait in (1, 2, 4):
        assert verify(physio, wrong_code_for(device)) == Refused()
        time_machine.shift(dt.timedelta(seconds=wait))
    assert verify(physio, code_of(device)) == device
    time_machine.shift(dt.timedelta(seconds=30))  # the next code (each works once)
    assert verify(physio, wrong_code_for(device)) == Refused()
    assert verify(physio, code_of(device)) == Refused(wait_seconds=1)  # from 1 again


def test_a_stranger_with_the_password_cannot_keep_the_physio_out(
    physio, device, settings, time_machine
):
    """Fifty wrong codes, each as soon as allowed: the physio, from the clinic, waits at most
    the account's ceiling after the stranger's last try, and then signs in."""
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(50):
        # Signing in again each time: the idle session has ended meanwhile.
        stranger.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
        answer = stranger.post("/clinic/two-factor/", {"code": wrong_code_for(device)})
        assert answer.status_code == 400
        time_machine.shift(dt.timedelta(seconds=settings.SECOND_FACTOR_ADDRESS_MAX_DELAY))
    stranger.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    assert stranger.post("/clinic/two-factor/", {"code": wrong_code_for(device)}).status_code == 400

    physio_browser = Client(REMOTE_ADDR=CLINIC)
    physio_browser.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    too_soon = physio_browser.post("/clinic/two-factor/", {"code": code_of(device)})
    assert too_soon.status_code == 429
    waited = too_soon.context["form"].errors["code"][0]
    assert f"Wait {settings.SECOND_FACTOR_ACCOUNT_MAX_DELAY} seconds" in waited
    time_machine.shift(dt.timedelta(seconds=settings.SECOND_FACTOR_ACCOUNT_MAX_DELAY))
    assert physio_browser.post("/clinic/two-factor/", {"code": code_of(device)}).status_code == 302
    assert physio_browser.get("/clinic/").status_code == 200


def test_the_admin_code_page_answers_a_429_while_the_account_waits(editor, time_machine):
    device = authenticator_for(editor)
    client = Client()
    client.post("/admin/login/", {"username": editor.email, "password": PASSWORD})
    assert client.post("/admin/second-factor/", {"code": wrong_code_for(device)}).status_code == 400
    too_soon = client.post("/admin/second-factor/", {"code": code_of(device)})
    assert too_soon.status_code == 429
    assert "Too many wrong codes. Wait 1 second," in too_soon.context["form"].errors["code"][0]
    time_machine.shift(dt.timedelta(seconds=1))
    assert client.post("/admin/second-factor/", {"code": code_of(device)}).status_code == 302


@pytest.mark.parametrize(("failures", "shown"), [(1, "1 wrong code,"), (3, "3 wrong codes,")])
def test_the_admin_names_a_failure_row_with_its_count(failures, shown):
    row = SecondFactorFailures(
        key="user:1",
        failures=failures,
        last_failure_at=dt.datetime(2026, 11, 18, 12, 30, tzinfo=dt.UTC),
    )
    assert str(row) == f"{shown} the last at 2026-11-18 12:30 UTC"
