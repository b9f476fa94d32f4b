from django.urls import path

from . import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path(
        "auth/verify-email/resend/",
        views.VerifyEmailResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/", views.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/sign-out/", views.SignOutView.as_view(), name="auth-sign-out"),
    path("auth/sign-out-all/", views.SignOutAllView.as_view(), name="auth-sign-out-all"),
    path("me/", views.MeView.as_view(), name="me"),
    # `care-team/` (the list) is served by apps.messaging, which adds unread counts.
    path("care-team/invites/", views.CareTeamInviteView.as_view(), name="care-team-invites"),
    path("care-team/join/", views.CareTeamJoinView.as_view(), name="care-team-join"),
    path("care-team/<uuid:link_id>/", views.CareTeamDetailView.as_view(), name="care-team-detail"),
]
