from django.urls import path

from . import views

urlpatterns = [
    path("clinics/", views.ClinicListView.as_view(), name="clinics"),
    path("clinics/<uuid:clinic_id>/staff/", views.StaffListView.as_view(), name="clinic-staff"),
    path("clinics/<uuid:clinic_id>/audit/", views.AuditListView.as_view(), name="clinic-audit"),
    path(
        "clinics/<uuid:clinic_id>/staff/<uuid:user_id>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="clinic-staff-deactivate",
    ),
]
