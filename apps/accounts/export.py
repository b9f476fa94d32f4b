"""Everything a patient owns, as one JSON document (API.md `GET me/export/`)."""

from typing import Any

from django.utils import timezone

from .models import User


def _rows(queryset, fields: list[str]) -> list[dict[str, Any]]:
    return [
        {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in row.items()
        }
        for row in queryset.values(*fields)
    ]


def patient_export(*, patient: User) -> dict[str, Any]:
    from apps.alerts.models import Alert
    from apps.care.models import CareSession
    from apps.notifications.models import Device, Notification, Reminder, ReminderSettings
    from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem
    from apps.symptoms.models import SymptomLog

    from .models import CareTeamLink, PatientAccessAudit

    def stringify(value):
        return (
            str(value)
            if value is not None and not isinstance(value, (int, float, bool, str, list, dict))
            else value
        )

    def clean(rows):
        return [{k: stringify(v) for k, v in row.items()} for row in rows]

    settings = (
        ReminderSettings.objects.filter(user=patient)
        .values(
            "checkin_time",
            "exercise_reminders",
            "checkin_reminders",
            "care_reminders",
            "questionnaire_reminders",
        )
        .first()
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": str(patient.id),
            "email": patient.email,
            "role": patient.role,
            "timezone": patient.timezone,
            "quiet_hours_start": stringify(patient.quiet_hours_start),
            "quiet_hours_end": stringify(patient.quiet_hours_end),
            "affected_side": patient.affected_side,
            "date_joined": patient.date_joined.isoformat(),
        },
        "care_team": clean(
            _rows(
                CareTeamLink.objects.filter(patient=patient),
                ["id", "physio__email", "created_at", "ended_at"],
            )
        ),
        "symptom_logs": clean(
            _rows(
                SymptomLog.objects.filter(patient=patient).order_by("recorded_at"),
                [f.name for f in SymptomLog._meta.concrete_fields if f.name not in {"patient"}],
            )
        ),
        "exercise_plans": clean(
            _rows(
                ExercisePlan.objects.filter(patient=patient).order_by("created_at"),
                [
                    "id",
                    "title",
                    "start_date",
                    "end_date",
                    "reminder_times",
                    "status",
                    "physio__email",
                    "created_at",
                    "archived_at",
                ],
            )
        ),
        "plan_items": clean(
            _rows(
                PlanItem.objects.filter(plan__patient=patient),
                [
                    "id",
                    "plan_id",
                    "exercise__slug",
                    "sets",
                    "reps",
                    "hold_seconds",
                    "times_per_day",
                    "days_of_week",
                    "max_pain",
                    "notes",
                    "retired_at",
                ],
            )
        ),
        "exercise_logs": clean(
            _rows(
                ExerciseLog.objects.filter(patient=patient).order_by("performed_at"),
                [
                    "id",
                    "client_id",
                    "plan_item_id",
                    "performed_at",
                    "sets_done",
                    "reps_done",
                    "pain_during",
                    "difficulty",
                    "note",
                    "pain_above_limit",
                ],
            )
        ),
        "care_sessions": clean(
            _rows(
                CareSession.objects.filter(patient=patient).order_by("started_at"),
                ["id", "client_id", "kind", "started_at", "planned_minutes", "finished_at"],
            )
        ),
        "alerts": clean(
            _rows(
                Alert.objects.filter(patient=patient).order_by("created_at"),
                [
                    "id",
                    "kind",
                    "level",
                    "codes",
                    "status",
                    "details",
                    "created_at",
                    "updated_at",
                    "resolved_at",
                ],
            )
        ),
        "reminder_settings": {k: stringify(v) for k, v in settings.items()} if settings else None,
        "reminders": clean(
            _rows(
                Reminder.objects.filter(user=patient).order_by("due_at"),
                ["id", "kind", "source", "scheduled_for", "due_at", "status", "sent_at"],
            )
        ),
        "notifications": clean(
            _rows(
                Notification.objects.filter(user=patient).order_by("created_at"),
                ["id", "kind", "title", "body", "created_at", "read_at"],
            )
        ),
        "devices": clean(
            _rows(Device.objects.filter(user=patient), ["id", "platform", "active", "created_at"])
        ),
        "record_access": clean(
            _rows(
                PatientAccessAudit.objects.filter(patient=patient).order_by("at"),
                ["physio__email", "what", "at"],
            )
        ),
    }
