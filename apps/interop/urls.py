from django.apps import apps
from django.urls import path

from . import views

urlpatterns = [
    path("me/export/", views.MeExportView.as_view(), name="me-export"),
    path("patients/<uuid:patient_id>/fhir/", views.PatientFhirView.as_view(), name="patient-fhir"),
    path("plans/<uuid:plan_id>/handout/", views.PlanHandoutView.as_view(), name="plan-handout"),
]

# The episode report reads apps.episode_lifecycle (episodes); without it, there is nothing to report.
if apps.is_installed("apps.episode_lifecycle"):
    from .report_views import EpisodeReportView

    urlpatterns.append(
        path(
            "episodes/<uuid:episode_id>/report/",
            EpisodeReportView.as_view(),
            name="episode-report",
        )
    )
