from django.urls import path

from . import views

urlpatterns = [
    path("patients/", views.PatientListView.as_view(), name="patients"),
    path(
        "patients/<uuid:patient_id>/summary/",
        views.PatientSummaryView.as_view(),
        name="patient-summary",
    ),
]
