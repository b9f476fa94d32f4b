from django.urls import path

from . import views

urlpatterns = [
    path("symptom-logs/", views.SymptomLogListView.as_view(), name="symptom-logs"),
    path("symptom-logs/bulk/", views.SymptomLogBulkView.as_view(), name="symptom-logs-bulk"),
    path("symptom-logs/trend/", views.SymptomTrendView.as_view(), name="symptom-logs-trend"),
    path("symptom-logs/<uuid:log_id>/", views.SymptomLogDetailView.as_view(), name="symptom-log"),
    path(
        "patients/<uuid:patient_id>/symptom-logs/",
        views.PatientSymptomLogListView.as_view(),
        name="patient-symptom-logs",
    ),
]
