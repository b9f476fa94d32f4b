from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import health

api_v1 = [
    # messaging serves `care-team/` (the list, with unread counts) and the threads.
    path("", include("apps.messaging.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.clinics.urls")),
    path("", include("apps.content.urls")),
    path("", include("apps.symptoms.urls")),
    path("", include("apps.alerts.urls")),
    path("", include("apps.plans.urls")),
    path("", include("apps.guidance.urls")),
    path("", include("apps.care.urls")),
    path("", include("apps.outcomes.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.episode_lifecycle.urls")),
    path("", include("apps.interop.urls")),
    path("", include("apps.clinic.urls")),
    path("", include("apps.sync.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    path("clinic/", include("apps.clinic.portal.urls")),  # the physiotherapists' web portal
]


def media(request, path: str):
    """Exercise pictures and videos on the filesystem (MEDIA_STORAGE=filesystem), served
    by the app so a local run shows them; names are random and folders never listed."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    # A name is never reused for other bytes (a new upload gets a new name).
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


if settings.MEDIA_SERVE:
    urlpatterns.append(
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media, name="media")
    )

handler400 = "backend.rest.bad_request"
handler403 = "backend.rest.permission_denied"
handler404 = "backend.rest.not_found"
handler500 = "backend.rest.server_error"
