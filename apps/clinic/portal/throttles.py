"""The API's throttles, applied to the portal's forms that do the same work: counted under
the same cache keys, so the app and the portal share one budget."""

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.single_use import keyed_hash


class _Throttle(SimpleRateThrottle):
    """One of the API's scopes, for a key the caller has worked out."""

    def __init__(self, scope: str, ident: str) -> None:
        self.scope = scope
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def allows(self, request: HttpRequest) -> bool:
        """DRF's own check and count, for a Django request (wrapped as DRF's views do)."""
        return self.allow_request(Request(request), APIView())


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """A reset request: per client address, and per e-mail address asked about (as the
    API's `auth/password-reset/`)."""
    address = User.objects.normalize_email(email).strip().lower()
    by_client = _Throttle("password_reset", "")
    by_client.ident = by_client.get_ident(Request(request))
    by_email = _Throttle("password_reset_email", keyed_hash(f"email:{address}"))
    return by_client.allows(request) and by_email.allows(request)


def invite_email_allowed(request: HttpRequest, physio: User) -> bool:
    """An invite e-mailed to a patient, per physio (as the API's `care-team/invites/` with
    an `email`)."""
    return _Throttle("invite_email", str(physio.pk)).allows(request)
