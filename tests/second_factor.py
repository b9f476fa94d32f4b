"""An account's authenticator app, as the tests need it: a confirmed device, and the code
the phone shows now (from the seed, decrypted as the server does)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from apps.accounts.models import AuthenticatorDevice


def authenticator_for(user, *, confirmed: bool = True) -> AuthenticatorDevice:
    return AuthenticatorDevice.objects.create(
        user=user, name="Authenticator app", confirmed=confirmed
    )


def code_of(device: AuthenticatorDevice) -> str:
    return f"{TOTP(device.seed()).token():06d}"


def admin_sign_in(client: Client, user) -> Client:
    """Sign `client` in as `user` past the second factor (the admin requires it), as the
    code page leaves a session: the device's id in it."""
    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = (device or authenticator_for(user)).persistent_id
    session.save()
    return client
