"""The service's URLs plus the bare baselines under /bench-bare/ (benchmark only)."""

from django.urls import path

from backend.urls import handler400, handler403, handler404, handler500, urlpatterns
from bench import floor_views

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench-bare/symptom-logs/", floor_views.bare_log),
    path("bench-bare/symptom-logs/bulk/", floor_views.bare_bulk),
    path("bench-bare/today/", floor_views.bare_today),
    *urlpatterns,
]
