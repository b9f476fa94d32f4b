from django.urls import path

from . import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("me/", views.MeView.as_view(), name="me"),
    # `care-team/` (the list) is served by apps.messaging, which adds unread counts.
    path("care-team/invites/", views.CareTeamInviteView.as_view(), name="care-team-invites"),
    path("care-team/join/", views.CareTeamJoinView.as_view(), name="care-team-join"),
    path("care-team/<uuid:link_id>/", views.CareTeamDetailView.as_view(), name="care-team-detail"),
]
