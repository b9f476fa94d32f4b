"""No cache keeps an answer that carries personal data (docs/decisions/no-store-on-personal-answers.md).

One rule for the whole site, applied after the view ran: an answer to a signed-in caller
(a token on the API, a session in the portal or the admin) or to any write is marked
`Cache-Control: no-store`, unless the view chose its own `Cache-Control`. What stays as
it was: anonymous reads, that is public content, the probes, the schema and static files.
ETags still work: the view computed them before this runs, and a client that kept an
ETag itself sends it back as `If-None-Match` for a 304.
"""

from django.http import HttpRequest, HttpResponseBase

NO_STORE = "no-store"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def carries_personal_data(request: HttpRequest) -> bool:
    """An answer is personal when the caller was known or when it answers a write (tokens,
    a registration, a reset): reads by nobody in particular are the same for everyone.
    DRF puts the user its authentication found back on the Django request."""
    if request.method not in SAFE_METHODS:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateAnswersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and carries_personal_data(request):
            response["Cache-Control"] = NO_STORE
        return response
