from django.urls import path

from . import views

urlpatterns = [
    path("outcome-instruments/", views.InstrumentListView.as_view(), name="outcome-instruments"),
    path(
        "outcome-instruments/<slug:code>/",
        views.InstrumentDetailView.as_view(),
        name="outcome-instrument",
    ),
    path(
        "patients/<uuid:patient_id>/outcome-schedules/",
        views.PatientScheduleCreateView.as_view(),
        name="patient-outcome-schedules",
    ),
    path("outcome-schedules/", views.ScheduleListView.as_view(), name="outcome-schedules"),
    path(
        "outcome-schedules/<uuid:schedule_id>/end/",
        views.ScheduleEndView.as_view(),
        name="outcome-schedule-end",
    ),
    path("outcome-responses/", views.ResponseListView.as_view(), name="outcome-responses"),
    path(
        "outcome-responses/bulk/",
        views.ResponseBulkView.as_view(),
        name="outcome-responses-bulk",
    ),
    path("outcome-responses/due/", views.DueView.as_view(), name="outcome-responses-due"),
    path(
        "outcome-responses/<uuid:response_id>/",
        views.ResponseDetailView.as_view(),
        name="outcome-response",
    ),
    path(
        "patients/<uuid:patient_id>/outcomes/",
        views.PatientOutcomesView.as_view(),
        name="patient-outcomes",
    ),
]
