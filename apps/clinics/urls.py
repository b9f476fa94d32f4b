from django.urls import path

from . import invite_views, views

urlpatterns = [
    path("clinics/", views.ClinicListView.as_view(), name="clinics"),
    path("clinics/<uuid:clinic_id>/staff/", views.StaffListView.as_view(), name="clinic-staff"),
    path("clinics/<uuid:clinic_id>/audit/", views.AuditListView.as_view(), name="clinic-audit"),
    path(
        "clinics/<uuid:clinic_id>/staff/<uuid:user_id>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="clinic-staff-deactivate",
    ),
    path(
        "clinics/<uuid:clinic_id>/staff-invites/",
        invite_views.StaffInviteListView.as_view(),
        name="clinic-staff-invites",
    ),
    path(
        "clinics/<uuid:clinic_id>/staff-invites/<uuid:invite_id>/",
        invite_views.StaffInviteDetailView.as_view(),
        name="clinic-staff-invite",
    ),
    path(
        "auth/staff-invite/accept/",
        invite_views.StaffInviteAcceptView.as_view(),
        name="auth-staff-invite-accept",
    ),
]
