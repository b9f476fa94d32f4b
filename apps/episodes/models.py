"""Episodes of care: one course of care of a patient with a physiotherapist, and its goals.

Plans (apps.plans) and outcome schedules (apps.outcomes) point to their episode; this app
sits below them and knows neither. Each episode belongs to a clinic (apps.clinics): the
clinic of the physio who opened it. A discharged episode keeps its report frozen in
`report` (built by apps.episode_lifecycle, which composes plans, outcomes and symptoms).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class Episode(models.Model):
    """A physiotherapist's course of care for a patient. At most one active episode per
    patient and physiotherapist (a partial unique constraint): new plans and schedules
    join it unless told otherwise, so it has to be unambiguous."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="episodes"
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="episodes_led",
        help_text="The physiotherapist whose course of care this is.",
    )
    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="episodes",
        help_text="The clinic of the physiotherapist who opened it; its clinicians act on it.",
    )
    title = models.CharField(max_length=160)
    condition = models.ForeignKey(
        "content.Condition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="episodes",
    )
    started_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="The physiotherapist's discharge note.")
    report = models.JSONField(
        null=True, blank=True, help_text="The report as it stood at discharge (frozen)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "physio"],
                condition=Q(status=EpisodeStatus.ACTIVE),
                name="episodes_one_active_per_patient_physio",
            ),
            models.CheckConstraint(
                condition=Q(status=EpisodeStatus.ACTIVE, discharged_at__isnull=True)
                | Q(status=EpisodeStatus.DISCHARGED, discharged_at__isnull=False),
                name="episodes_discharged_at_iff_discharged",
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"], name="episodes_patient_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE


class Goal(models.Model):
    """A target score on an outcome instrument by a date. Its status (met, progressing,
    not_met) is computed from the scores when read, never stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=500)
    instrument = models.SlugField(
        max_length=32, help_text="An outcome instrument's code (lefs, psfs, pain_week, ...)."
    )
    target = models.DecimalField(max_digits=8, decimal_places=2)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.description
