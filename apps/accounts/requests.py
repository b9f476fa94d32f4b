"""Request types for views that require a signed-in user.

DRF's `Request.user` and Django's `HttpRequest.user` may be an `AnonymousUser`; behind
`IsPatient`, `IsPhysio`, `IsPatientOrPhysio` or the portal's `physio_required` it never
is. Views so guarded annotate their request with these types, so `request.user` is our
`User` (with its role and zone) for the type checker without a cast at every use.
"""

from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthenticatedRequest(Request):
    user: User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
