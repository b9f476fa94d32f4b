import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.content.vocabulary import Side

from .vocabulary import Level, Swelling

NOTE_MAX_LENGTH = 1000


class SymptomLog(models.Model):
    """One report of pain and symptoms, made on the phone (maybe offline).

    `client_id` is made by the phone: the same one sent again is the same log, which
    the database guarantees (unique per patient), not a read-then-write check.
    The triage answer given at the time is stored with the log.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: (patient, recorded_at) and (patient, client_id) start with it.
    # A third one made PostgreSQL AND it with the time BRIN for a chunk of patients' windows,
    # reading whole lossy block ranges (22 ms where the composite index takes 6 ms).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="symptom_logs",
        db_index=False,
    )
    client_id = models.UUIDField()
    recorded_at = models.DateTimeField()
    pain_score = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=8, choices=Side.choices, blank=True)
    locations = models.JSONField(default=list, blank=True)
    qualities = models.JSONField(default=list, blank=True)
    swelling = models.CharField(max_length=16, choices=Swelling.choices, default=Swelling.NONE)
    redness = models.BooleanField(default=False)
    warmth = models.BooleanField(default=False)
    tenderness = models.BooleanField(default=False)
    fever = models.BooleanField(default=False)
    numbness_tingling = models.BooleanField(default=False)
    weakness = models.BooleanField(default=False)
    neuro_worsening = models.BooleanField(default=False)
    can_bear_weight = models.BooleanField(default=True)
    sleep_disturbed = models.BooleanField(default=False)
    daily_activities_limited = models.BooleanField(default=False)
    knee_locking = models.BooleanField(default=False)
    recent_knee_injury = models.BooleanField(default=False)
    sudden_onset = models.BooleanField(default=False)
    saddle_numbness = models.BooleanField(default=False)
    bladder_bowel_change = models.BooleanField(default=False)
    triggers = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    triage_level = models.CharField(max_length=16, choices=Level.choices)
    triage_codes = models.JSONField(default=list, blank=True)
    hints = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="symptoms_log_unique_client_id"
            ),
            models.CheckConstraint(
                condition=Q(pain_score__gte=0, pain_score__lte=10),
                name="symptoms_log_pain_0_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "recorded_at"], name="symptoms_log_patient_time"),
        ]

    def __str__(self) -> str:
        return f"log {self.id}"
