from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import health

api_v1 = [
    # messaging serves `care-team/` (the list, with unread counts) and the threads.
    path("", include("apps.messaging.urls")),
    path("", include("apps.accounts.urls")),
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

handler400 = "backend.rest.bad_request"
handler403 = "backend.rest.permission_denied"
handler404 = "backend.rest.not_found"
handler500 = "backend.rest.server_error"
