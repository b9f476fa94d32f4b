from django.urls import path

from . import views

urlpatterns = [
    path("me/export/", views.MeExportView.as_view(), name="me-export"),
    path("patients/<uuid:patient_id>/fhir/", views.PatientFhirView.as_view(), name="patient-fhir"),
]
