"""An account's authenticator app, as the tests need it: a confirmed device, and the code
the phone shows now (from the seed, decrypted as the server does)."""

from django_otp.oath import TOTP

from apps.accounts.models import AuthenticatorDevice


def authenticator_for(user, *, confirmed: bool = True) -> AuthenticatorDevice:
    return AuthenticatorDevice.objects.create(
        user=user, name="Authenticator app", confirmed=confirmed
    )


def code_of(device: AuthenticatorDevice) -> str:
    return f"{TOTP(device.seed()).token():06d}"
