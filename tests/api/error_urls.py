"""URLs that fail on purpose, to check the envelope of unhandled errors."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


@api_view(["GET"])
@permission_classes([AllowAny])
def api_crash(request):
    raise RuntimeError("boom: a bug inside an API view")


def plain_crash(request) -> HttpResponse:
    raise RuntimeError("boom: a bug outside DRF")


urlpatterns = [
    path("crash/api/", api_crash),
    path("crash/plain/", plain_crash),
    path("", include("backend.urls")),
]

handler404 = "backend.rest.not_found"
handler500 = "backend.rest.server_error"
