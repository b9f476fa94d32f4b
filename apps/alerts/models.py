import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.symptoms.vocabulary import Level


class AlertKind(models.TextChoices):
    RED_FLAG = "red_flag", _("Red flag")
    WORSENING = "worsening", _("Worsening symptoms")
    MISSED_EXERCISES = "missed_exercises", _("Missed exercises")


# The one code a missed-exercises alert carries (codes.py, the sweep and the portal's signs).
ADHERENCE_BELOW_HALF = "adherence_below_half"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Alert(models.Model):
    """Something a patient's physiotherapists should look at.

    A red-flag alert belongs to the log that raised it. Worsening and missed-exercise
    alerts are one active alert per patient and kind (a partial unique constraint): a
    new finding updates the active one instead of stacking another.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    codes = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    symptom_log = models.ForeignKey(
        "symptoms.SymptomLog",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    details = models.JSONField(default=dict, blank=True)
    # When the patient recorded what raised the alert (a red flag: its log's recorded_at,
    # which for a log synced from offline is long before created_at); null when nothing
    # recorded raised it (missed exercises are an absence).
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the physiotherapist did, as they wrote it on resolving (also on the `resolved`
    # AlertEvent, the alert's history). Health data: never logged, never pushed.
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=Q(status__in=ACTIVE_STATUSES) & ~Q(kind=AlertKind.RED_FLAG),
                name="alerts_one_active_per_patient_and_kind",
            ),
            models.UniqueConstraint(
                fields=["symptom_log"],
                condition=Q(kind=AlertKind.RED_FLAG),
                name="alerts_one_red_flag_alert_per_log",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="alerts_patient_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert {self.id}"


class AlertEventAction(models.TextChoices):
    RAISED = "raised", _("Raised")
    UPDATED = "updated", _("Updated with a new finding")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AlertEvent(models.Model):
    """Who did what to an alert, and when (clinically relevant changes are recorded)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=AlertEventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.alert_id}"
