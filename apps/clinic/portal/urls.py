"""/clinic/: the physiotherapist's web portal (mounted in backend/urls.py)."""

from django.urls import path

from . import (
    account,
    audit,
    auth_views,
    diary,
    episodes,
    guidance,
    handouts,
    plan_pause,
    staff,
    views,
)

app_name = "clinic"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("sign-in/", auth_views.sign_in, name="sign-in"),
    path("sign-out/", auth_views.sign_out, name="sign-out"),
    path("sign-out-all/", account.sign_out_everywhere, name="sign-out-all"),
    path("password-reset/", account.password_reset, name="password-reset"),
    path(
        "password-reset/confirm/",
        account.password_reset_confirm_page,
        name="password-reset-confirm",
    ),
    path("account/", account.account, name="account"),
    path("account/language/", account.account_language, name="account-language"),
    path("two-factor/", auth_views.two_factor, name="two-factor"),
    path("two-factor/setup/", auth_views.two_factor_setup, name="two-factor-setup"),
    path("patients/<uuid:patient_id>/", views.patient, name="patient"),
    path(
        "patients/<uuid:patient_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.alert_action,
        {"action": "acknowledge"},
        name="alert-acknowledge",
    ),
    path(
        "patients/<uuid:patient_id>/alerts/<uuid:alert_id>/resolve/",
        views.alert_action,
        {"action": "resolve"},
        name="alert-resolve",
    ),
    path(
        "patients/<uuid:patient_id>/guidance/<uuid:item_id>/apply/",
        guidance.guidance_apply,
        name="guidance-apply",
    ),
    path("patients/<uuid:patient_id>/diary/", diary.diary, name="diary"),
    path("patients/<uuid:patient_id>/unlink/", views.unlink, name="unlink"),
    path("patients/<uuid:patient_id>/plan/", views.plan, name="plan"),
    path("patients/<uuid:patient_id>/plan/preview/", views.plan_preview, name="plan-preview"),
    path("patients/<uuid:patient_id>/plan/archive/", views.plan_archive, name="plan-archive"),
    path("patients/<uuid:patient_id>/plan/pause/", plan_pause.plan_pause, name="plan-pause"),
    path("patients/<uuid:patient_id>/plan/resume/", plan_pause.plan_resume, name="plan-resume"),
    path("patients/<uuid:patient_id>/plan/handout.pdf", handouts.plan_handout, name="plan-handout"),
    path(
        "patients/<uuid:patient_id>/plan/template/",
        handouts.plan_template_save,
        name="plan-template-save",
    ),
    path("patients/<uuid:patient_id>/messages/", views.messages, name="messages"),
    path("patients/<uuid:patient_id>/messages/read/", views.messages_read, name="messages-read"),
    path("patients/<uuid:patient_id>/outcomes/", views.outcome_measures, name="outcomes"),
    path(
        "patients/<uuid:patient_id>/outcomes/schedules/<uuid:schedule_id>/end/",
        views.outcome_schedule_end,
        name="outcome-schedule-end",
    ),
    path("patients/<uuid:patient_id>/episode/", episodes.episode, name="episode"),
    path("patients/<uuid:patient_id>/episode/open/", episodes.episode_open, name="episode-open"),
    path(
        "patients/<uuid:patient_id>/episodes/<uuid:episode_id>/goals/",
        episodes.goal_add,
        name="episode-goal-add",
    ),
    path(
        "patients/<uuid:patient_id>/episodes/<uuid:episode_id>/discharge/",
        episodes.episode_discharge,
        name="episode-discharge",
    ),
    path(
        "patients/<uuid:patient_id>/episodes/<uuid:episode_id>/report.pdf",
        episodes.episode_report_pdf,
        name="episode-report",
    ),
    path("exercises/", views.exercise_search, name="exercises"),
    path("plan-item/", views.plan_item, name="plan-item"),
    path("invites/", views.invites, name="invites"),
    # A clinic admin's staff pages, and the staff invitation's link (apps/clinic/portal/staff.py).
    path("staff/", staff.staff_home, name="staff-home"),
    path("clinics/<uuid:clinic_id>/staff/", staff.staff, name="staff"),
    path("clinics/<uuid:clinic_id>/staff/invite/", staff.staff_invite, name="staff-invite"),
    path(
        "clinics/<uuid:clinic_id>/staff/invites/<uuid:invite_id>/revoke/",
        staff.staff_invite_revoke,
        name="staff-invite-revoke",
    ),
    path(
        "clinics/<uuid:clinic_id>/staff/<uuid:user_id>/deactivate/",
        staff.staff_deactivate,
        name="staff-deactivate",
    ),
    path("staff-invite/accept/", staff.staff_invite_accept, name="staff-invite-accept"),
    path("audit/", audit.audit_home, name="audit-home"),
    path("clinics/<uuid:clinic_id>/audit/", audit.audit, name="audit"),
]
