"""Shapes of the interop answers, for the schema.

`GET me/export/`: one key per kind of record the patient owns (apps.interop.export), each
row the stored columns that app's `export_for` reads, JSON-safe: times as ISO 8601 text,
times of day as "HH:MM:SS", decimals as numbers. The view serves the document as it is;
these closed shapes only describe it (tests/interop/test_export_schema.py holds every
kind's real rows to them), so a column added to an `export_for` without its field here
fails that test instead of reaching clients untyped.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Role
from apps.alerts.codes import ALERT_CODE_CHOICES
from apps.alerts.models import AlertKind, AlertStatus
from apps.alerts.serializers import AlertDetailsField
from apps.care.models import CareKind
from apps.content.vocabulary import Region, Side
from apps.episodes.models import EpisodeStatus
from apps.messaging.models import MessageKind
from apps.notifications.models import (
    NotificationKind,
    Platform,
    ReminderKind,
    ReminderStatus,
)
from apps.outcomes.models import ScheduleEndReason
from apps.outcomes.scoring import Responder
from apps.plans.models import PlanStatus
from apps.symptoms.vocabulary import Level, Quality, Swelling, Trigger
from backend.closed_shapes import ClosedShape

from .report_views import REPORT_SCHEMA


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, **kwargs)


def _when(**kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(**kwargs)


def _when_or_null(**kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(allow_null=True, **kwargs)


def _codes(choices) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices))


class ExportProfileSerializer(ClosedShape):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    timezone = serializers.CharField()
    quiet_hours_start = serializers.TimeField(allow_null=True)
    quiet_hours_end = serializers.TimeField(allow_null=True)
    affected_side = serializers.ChoiceField(choices=Side.choices, allow_blank=True)
    date_joined = _when()


class ExportReminderSettingsSerializer(ClosedShape):
    checkin_time = serializers.TimeField()
    exercise_reminders = serializers.BooleanField()
    checkin_reminders = serializers.BooleanField()
    care_reminders = serializers.BooleanField()
    questionnaire_reminders = serializers.BooleanField()


class ExportCareTeamLinkSerializer(ClosedShape):
    id = serializers.UUIDField()
    physio__email = serializers.EmailField()
    created_at = _when()
    ended_at = _when_or_null()


class ExportRecordAccessSerializer(ClosedShape):
    physio__email = serializers.EmailField()
    what = serializers.CharField(help_text="What was read, such as `patients.summary`.")
    at = _when()


@extend_schema_field({**REPORT_SCHEMA, "nullable": True})
class FrozenReportField(serializers.JSONField):
    """The report frozen at discharge (as `GET episodes/{id}/report/` serves it)."""


class ExportEpisodeSerializer(ClosedShape):
    id = serializers.UUIDField()
    title = serializers.CharField()
    condition__slug = serializers.CharField(allow_null=True)
    started_on = serializers.DateField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    physio__email = serializers.EmailField(allow_null=True)
    discharged_at = _when_or_null()
    note = _text()
    report = FrozenReportField(help_text="Frozen at discharge; null while the episode is active.")
    created_at = _when()


class ExportGoalSerializer(ClosedShape):
    id = serializers.UUIDField()
    episode_id = serializers.UUIDField()
    description = serializers.CharField()
    instrument = serializers.CharField()
    target = serializers.FloatField()
    due_on = serializers.DateField()


class ExportHintSerializer(ClosedShape):
    code = serializers.CharField()
    message = serializers.CharField()
    matched = serializers.ListField(child=serializers.CharField())


class ExportSymptomLogSerializer(ClosedShape):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    recorded_at = _when()
    pain_score = serializers.IntegerField(min_value=0, max_value=10)
    side = serializers.ChoiceField(choices=Side.choices, allow_blank=True)
    locations = _codes(Region.choices)
    qualities = _codes(Quality.choices)
    swelling = serializers.ChoiceField(choices=Swelling.choices)
    redness = serializers.BooleanField()
    warmth = serializers.BooleanField()
    tenderness = serializers.BooleanField()
    fever = serializers.BooleanField()
    numbness_tingling = serializers.BooleanField()
    weakness = serializers.BooleanField()
    neuro_worsening = serializers.BooleanField()
    can_bear_weight = serializers.BooleanField()
    sleep_disturbed = serializers.BooleanField()
    daily_activities_limited = serializers.BooleanField()
    knee_locking = serializers.BooleanField()
    recent_knee_injury = serializers.BooleanField()
    sudden_onset = serializers.BooleanField()
    saddle_numbness = serializers.BooleanField()
    bladder_bowel_change = serializers.BooleanField()
    triggers = _codes(Trigger.choices)
    note = _text()
    triage_level = serializers.ChoiceField(choices=Level.choices)
    triage_codes = serializers.ListField(child=serializers.CharField())
    hints = ExportHintSerializer(many=True)
    created_at = _when()


class ExportOutcomeScheduleSerializer(ClosedShape):
    id = serializers.UUIDField()
    instrument = serializers.CharField()
    every_days = serializers.IntegerField()
    starts_on = serializers.DateField()
    physio__email = serializers.EmailField(allow_null=True)
    created_at = _when()
    ended_at = _when_or_null()
    end_reason = serializers.ChoiceField(
        choices=ScheduleEndReason.choices, allow_blank=True, help_text='"" while it runs.'
    )


class ExportAnswerSerializer(ClosedShape):
    item = serializers.CharField()
    value = serializers.IntegerField()
    label = serializers.CharField(required=False, help_text="PSFS: the activity rated.")  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute


class ExportOutcomeResponseSerializer(ClosedShape):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    instrument = serializers.CharField()
    version__version = serializers.CharField()
    schedule = serializers.UUIDField(allow_null=True)
    answers = ExportAnswerSerializer(many=True)
    score = serializers.FloatField()
    baseline_score = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    responder = serializers.ChoiceField(
        choices=[r.value for r in Responder],
        allow_blank=True,
        help_text='"" for the baseline response.',
    )
    completed_at = _when()
    created_at = _when()


class ExportPlanSerializer(ClosedShape):
    id = serializers.UUIDField()
    title = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    reminder_times = serializers.ListField(child=serializers.TimeField())
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    physio__email = serializers.EmailField(allow_null=True)
    created_at = _when()
    archived_at = _when_or_null()


class ExportPlanItemSerializer(ClosedShape):
    id = serializers.UUIDField()
    plan_id = serializers.UUIDField()
    exercise__slug = serializers.CharField()
    sets = serializers.IntegerField()
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    times_per_day = serializers.IntegerField()
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        help_text="0 is Monday.",
    )
    max_pain = serializers.IntegerField(min_value=0, max_value=10)
    notes = _text()
    retired_at = _when_or_null()


class ExportExerciseLogSerializer(ClosedShape):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    plan_item_id = serializers.UUIDField()
    performed_at = _when()
    sets_done = serializers.IntegerField()
    reps_done = serializers.IntegerField(allow_null=True)
    pain_during = serializers.IntegerField(min_value=0, max_value=10)
    difficulty = serializers.IntegerField(allow_null=True)
    note = _text()
    pain_above_limit = serializers.BooleanField()


class ExportCareSessionSerializer(ClosedShape):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=CareKind.choices)
    started_at = _when()
    planned_minutes = serializers.IntegerField()
    finished_at = _when_or_null()


class ExportMessageSerializer(ClosedShape):
    id = serializers.UUIDField()
    care_team_link = serializers.UUIDField()
    physio = serializers.EmailField(help_text="The thread's physiotherapist.")
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    sender = serializers.ChoiceField(
        choices=[Role.PATIENT.value, Role.PHYSIO.value],
        allow_null=True,
        help_text="Null for an automatic reply.",
    )
    client_id = serializers.UUIDField(allow_null=True)
    body = serializers.CharField()
    created_at = _when()
    read_at = _when_or_null()
    reply_to = serializers.UUIDField(allow_null=True)
    action_route = _text()


class ExportAlertSerializer(ClosedShape):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    codes = serializers.ListField(child=serializers.ChoiceField(choices=ALERT_CODE_CHOICES))
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    details = AlertDetailsField()
    recorded_at = _when_or_null()
    created_at = _when()
    updated_at = _when()
    resolved_at = _when_or_null()
    resolution_note = _text()


class ExportReminderSerializer(ClosedShape):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ReminderKind.choices)
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field; the stubs see Field's own attribute
    scheduled_for = _when()
    due_at = _when()
    status = serializers.ChoiceField(choices=ReminderStatus.choices)
    sent_at = _when_or_null()


class ExportNotificationSerializer(ClosedShape):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    title = serializers.CharField()
    body = _text()
    created_at = _when()
    read_at = _when_or_null()


class ExportDeviceSerializer(ClosedShape):
    id = serializers.UUIDField()
    platform = serializers.ChoiceField(choices=Platform.choices)
    active = serializers.BooleanField()
    created_at = _when()


class ExportSerializer(ClosedShape):
    """Every record the patient owns, by kind."""

    exported_at = _when()
    profile = ExportProfileSerializer(help_text="The account: email, time zone, quiet hours.")
    reminder_settings = ExportReminderSettingsSerializer(
        allow_null=True, help_text="Null while the patient never changed the defaults."
    )
    care_team = ExportCareTeamLinkSerializer(
        many=True, help_text="Care-team links, active and ended."
    )
    record_access = ExportRecordAccessSerializer(
        many=True, help_text="Each time a physiotherapist read the patient's records."
    )
    episodes = ExportEpisodeSerializer(many=True, help_text="Episodes of care.")
    goals = ExportGoalSerializer(many=True, help_text="Their goals.")
    symptom_logs = ExportSymptomLogSerializer(many=True, help_text="Symptom logs.")
    outcome_schedules = ExportOutcomeScheduleSerializer(
        many=True, help_text="Questionnaire schedules."
    )
    outcome_responses = ExportOutcomeResponseSerializer(
        many=True, help_text="Questionnaire answers with their scores."
    )
    exercise_plans = ExportPlanSerializer(many=True, help_text="Exercise plans.")
    plan_items = ExportPlanItemSerializer(many=True, help_text="Their items, retired ones too.")
    exercise_logs = ExportExerciseLogSerializer(many=True, help_text="Exercise logs.")
    care_sessions = ExportCareSessionSerializer(many=True, help_text="Home-care sessions.")
    messages = ExportMessageSerializer(many=True, help_text="Messages of every thread.")
    alerts = ExportAlertSerializer(many=True, help_text="Alerts.")
    reminders = ExportReminderSerializer(many=True, help_text="Reminders.")
    notifications = ExportNotificationSerializer(many=True, help_text="The inbox.")
    devices = ExportDeviceSerializer(
        many=True, help_text="Registered devices (never their tokens)."
    )
