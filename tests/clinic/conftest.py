import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from apps.accounts.models import AuthenticatorDevice
from tests.second_factor import authenticator_for


def totp_device_for(user) -> AuthenticatorDevice:
    return authenticator_for(user)


def portal_client_for(user, *, verified: bool = True) -> Client:
    """A browser session signed in with a password; with `verified`, past the second factor
    too (as the code page leaves it: the device's id in the session)."""
    client = Client()
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
        session.save()
    return client


@pytest.fixture
def portal(physio) -> Client:
    return portal_client_for(physio)
