"""A SECRET_KEY rotation (docs/decisions/secret-key-rotation.md): with the old key in
SECRET_KEY_FALLBACKS, what was handed out under it (recovery codes on paper, invite codes,
e-mailed reset links: each once; portal sessions; the app's tokens) still works; without
it, none does; and what is made after the rotation is stored or signed under the new key
only."""

import datetime as dt

import jwt
import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.exceptions import TokenBackendExpiredToken

from apps.accounts import services
from apps.accounts.jwt import KEY_FALLBACK_BACKEND
from apps.accounts.models import CareTeamInvite, CareTeamLink, RecoveryCode
from apps.accounts.single_use import keyed_hash
from tests.accounts.factories import PASSWORD
from tests.accounts.test_email_flows import (
    CONFIRM,
    INVITES,
    NEW_PASSWORD,
    RESET,
    login,
    me_status,
    refresh_status,
)
from tests.accounts.test_invites import JOIN
from tests.accounts.test_second_factor_at_rest import enrol_through_the_portal
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

OLD_KEY = "the-key-before-the-rotation-" + "o" * 40
NEW_KEY = "the-key-after-the-rotation-" + "n" * 40


@pytest.fixture(autouse=True)
def _before_the_rotation(settings):
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []
    settings.APP_LINK_BASE = "https://app.example.org/app"


def rotate(settings, *, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY] if keep_old else []


def portal_recovery_sign_in(physio, code: str) -> int:
    client = Client()
    client.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    return client.post("/clinic/two-factor/", {"code": code}).status_code


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_recovery_code_from_before_the_rotation_works_once_while_the_old_key_is_kept(
    settings, physio, keep_old
):
    codes: list[str] = []
    enrol_through_the_portal(Client(), physio, codes)
    rotate(settings, keep_old=keep_old)

    answer = portal_recovery_sign_in(physio, codes[0])

    if keep_old:
        assert answer == 302  # signed in: on to the portal
        assert RecoveryCode.objects.filter(code_set__user=physio).count() == 9
        assert portal_recovery_sign_in(physio, codes[0]) == 400  # spent: refused
    else:
        assert answer == 400
        assert RecoveryCode.objects.filter(code_set__user=physio).count() == 10


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_invite_code_from_before_the_rotation_joins_while_the_old_key_is_kept(
    settings, physio, patient, keep_old
):
    code = client_for(physio).post(INVITES, {}, format="json").json()["code"]
    rotate(settings, keep_old=keep_old)

    response = client_for(patient).post(JOIN, {"code": code}, format="json")

    if keep_old:
        assert response.status_code == 201, response.content
        assert CareTeamLink.objects.filter(physio=physio, patient=patient).count() == 1
        again = client_for(patient).post(JOIN, {"code": code}, format="json")
        assert again.json()["errors"][0]["code"] == "used"
    else:
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "invalid"
        assert not CareTeamLink.objects.exists()


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_reset_link_from_before_the_rotation_works_once_while_the_old_key_is_kept(
    settings, mail, patient, keep_old
):
    APIClient().post(RESET, {"email": patient.email}, format="json")
    token = mail.deliver()[0].token()
    rotate(settings, keep_old=keep_old)

    response = APIClient().post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    patient.refresh_from_db()
    if keep_old:
        assert response.status_code == 204, response.content
        assert patient.check_password(NEW_PASSWORD)
        again = APIClient().post(
            CONFIRM, {"token": token, "password": "Yet-another-one-2028"}, format="json"
        )
        assert again.status_code == 400
    else:
        assert response.status_code == 400
        assert patient.check_password(PASSWORD)


def test_what_is_made_after_the_rotation_is_stored_under_the_new_key_only(settings, physio):
    rotate(settings, keep_old=True)
    code = client_for(physio).post(INVITES, {}, format="json").json()["code"]
    codes: list[str] = []
    enrol_through_the_portal(Client(), physio, codes)

    invite = CareTeamInvite.objects.get()
    assert invite.code_hash == keyed_hash(services.invite_code_normalise(code), NEW_KEY)
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {keyed_hash(f"recovery_code:{c}", NEW_KEY) for c in codes}


def test_a_new_invite_never_takes_a_code_still_live_under_the_old_key(
    settings, physio, monkeypatch
):
    # The draws, in order: the first code twice (before and after the rotation), then
    # another. Without the check the second invite would share the first one's code.
    draws = iter("AAAAAAAA" + "AAAAAAAA" + "BBBBBBBB")
    monkeypatch.setattr(services.secrets, "choice", lambda alphabet: next(draws))
    first = services.care_invite_create(physio=physio)
    rotate(settings, keep_old=True)

    second = services.care_invite_create(physio=physio)

    assert (first.code, second.code) == ("AAAA-AAAA", "BBBB-BBBB")


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_portal_session_from_before_the_rotation_lasts_while_the_old_key_is_kept(
    settings, physio, keep_old
):
    client = Client()
    enrol_through_the_portal(client, physio)
    assert client.get("/clinic/").status_code == 200
    rotate(settings, keep_old=keep_old)

    response = client.get("/clinic/")

    if keep_old:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/clinic/sign-in/" in response["Location"]


# --- The app's tokens ---------------------------------------------------------------------


def signed_with(token: str, key: str) -> bool:
    try:
        jwt.decode(token, key, algorithms=["HS256"])
    except jwt.InvalidSignatureError:
        return False
    return True


@pytest.mark.parametrize("keep_old", [True, False])
def test_app_tokens_from_before_the_rotation_last_while_the_old_key_is_kept(
    settings, patient, keep_old
):
    tokens = login(patient.email, PASSWORD)
    rotate(settings, keep_old=keep_old)

    assert me_status(tokens["access"]) == (200 if keep_old else 401)
    assert refresh_status(tokens["refresh"]) == (200 if keep_old else 401)


def test_a_refresh_after_the_rotation_answers_with_tokens_under_the_new_key(settings, patient):
    old = login(patient.email, PASSWORD)
    rotate(settings, keep_old=True)

    response = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": old["refresh"]}, format="json"
    )
    new = response.json()

    assert response.status_code == 200
    assert all(signed_with(new[kind], NEW_KEY) for kind in ("access", "refresh"))
    assert not any(signed_with(new[kind], OLD_KEY) for kind in ("access", "refresh"))
    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: the new tokens still work
    assert me_status(new["access"]) == 200
    assert refresh_status(new["refresh"]) == 200
    assert me_status(old["access"]) == 401


def test_an_expired_or_foreign_token_stays_refused_with_a_fallback(settings, patient, time_machine):
    before = login(patient.email, PASSWORD)["access"]
    forged = jwt.encode(
        jwt.decode(before, options={"verify_signature": False}),
        "a-key-nobody-configured-" + "f" * 40,
        algorithm="HS256",
    )
    rotate(settings, keep_old=True)
    after = login(patient.email, PASSWORD)["access"]

    assert me_status(forged) == 401
    time_machine.shift(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + dt.timedelta(minutes=1))
    for token in (before, after):  # expired under either key: refused as expired
        assert me_status(token) == 401
        with pytest.raises(TokenBackendExpiredToken):
            KEY_FALLBACK_BACKEND.decode(token)
