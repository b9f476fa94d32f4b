from django.urls import path

from . import views

urlpatterns = [
    path("patients/<uuid:patient_id>/fhir/", views.PatientFhirView.as_view(), name="patient-fhir"),
]
