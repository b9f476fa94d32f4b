import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class ExercisePlan(models.Model):
    """Exercises a physiotherapist prescribes to a linked patient. A patient has at most
    one active plan (a partial unique constraint); replacing it means archiving it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_plans"
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="prescribed_plans",
        help_text="Who made the plan.",
    )
    episode = models.ForeignKey(
        "episodes.Episode",
        on_delete=models.RESTRICT,
        related_name="plans",
        help_text="The course of care the plan belongs to.",
    )
    title = models.CharField(max_length=160)
    start_date = models.DateField()
    end_date = models.DateField()
    reminder_times = models.JSONField(
        default=list, blank=True, help_text='Local times in the patient\'s zone, "HH:MM".'
    )
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Paused by a physiotherapist (e.g. while a red flag is assessed): no reminders, and
    # the patient sees the plan paused, until resumed. Null while running.
    paused_at = models.DateTimeField(null=True, blank=True)
    # Every pause, past and current, as [{"from": ISO datetime, "to": ISO datetime or null}]
    # (null while it lasts): a day the plan was paused prescribes nothing (adherence.py).
    pauses = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status=PlanStatus.ACTIVE),
                name="plans_one_active_plan_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="plans_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# What a plan item prescribes: shown and exported with the same names everywhere (the
# admin, the API's items, the patient's export).
PRESCRIPTION_FIELDS = (
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "days_of_week",
    "max_pain",
    "notes",
)


class PlanItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ExercisePlan, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(
        "content.Exercise", on_delete=models.PROTECT, related_name="plan_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(default=1)
    days_of_week = models.JSONField(help_text="0 = Monday … 6 = Sunday.")
    # Derived from times_per_day × len(days_of_week), kept by the service, so the
    # physiotherapist dashboard can sum expected sessions in SQL.
    sessions_per_week = models.PositiveSmallIntegerField(editable=False)
    max_pain = models.PositiveSmallIntegerField(
        help_text="Pain during the exercise above this (0–10) is a finding for the physio."
    )
    notes = models.CharField(max_length=500, blank=True)
    # Bumped by every dosage change (plan_item_set_dosage): a client applying load guidance
    # sends the version it read, so two applies of the same suggestion step once.
    dosage_version = models.PositiveIntegerField(default=1, editable=False)
    dosage_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Replacing a plan's items retires them (never deletes): history and past adherence
    # stay readable; a retired item is no longer due.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=20), name="plans_item_sets_1_20"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=100),
                name="plans_item_reps_1_100",
            ),
            # 0 (or null) means no hold: reps without holding a position.
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=0, hold_seconds__lte=600),
                name="plans_item_hold_0_600",
            ),
            models.CheckConstraint(
                condition=Q(times_per_day__gte=1, times_per_day__lte=6),
                name="plans_item_times_per_day_1_6",
            ),
            models.CheckConstraint(
                condition=Q(max_pain__gte=0, max_pain__lte=10), name="plans_item_max_pain_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} × {self.sets}"


class ExerciseLog(models.Model):
    """One session of one plan item, logged by the patient (maybe offline)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No indexes of their own: (patient, performed_at), (patient, client_id) and
    # (plan_item, performed_at) start with them (apps/symptoms/models.py says why it matters).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exercise_logs",
        db_index=False,
    )
    plan_item = models.ForeignKey(
        PlanItem, on_delete=models.CASCADE, related_name="logs", db_index=False
    )
    client_id = models.UUIDField()
    performed_at = models.DateTimeField()
    sets_done = models.PositiveSmallIntegerField()
    reps_done = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_during = models.PositiveSmallIntegerField()
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Pain during the exercise above the item's max_pain: read by the worsening check.
    pain_above_limit = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="plans_exercise_log_unique_client_id"
            ),
            models.CheckConstraint(
                condition=Q(pain_during__gte=0, pain_during__lte=10), name="plans_log_pain_0_10"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=5),
                name="plans_log_difficulty_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "performed_at"], name="plans_log_patient_time"),
            models.Index(fields=["plan_item", "performed_at"], name="plans_log_item_time"),
        ]

    def __str__(self) -> str:
        return f"exercise log {self.id}"


class PlanEventAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Changed"
    ARCHIVED = "archived", "Archived"
    DOSAGE_CHANGED = "dosage_changed", "Dosage changed"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"


class PlanEvent(models.Model):
    """Who changed a plan, how and when: every clinician's write to a plan leaves one
    (like AlertEvent for alerts). Rows go with the plan; the actor may be deleted later."""

    plan = models.ForeignKey(ExercisePlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24, choices=PlanEventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(
        default=dict, blank=True, help_text="What changed: field names, never free text."
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan", "at"], name="plans_event_plan_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.plan_id}"


# What a template item carries: a plan item's prescription without anything written for
# one patient (no notes copied from a plan, no dates, no reminder times).
TEMPLATE_ITEM_FIELDS = (
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "days_of_week",
    "max_pain",
    "notes",
)


class PlanTemplate(models.Model):
    """A physiotherapist's reusable list of exercises and dosages. It belongs to the
    physio, never to a patient: it holds no patient, plan, episode, dates or reminder
    times, and a copy from a plan leaves the notes written for that patient behind."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_templates"
    )
    title = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "created_at"]

    def __str__(self) -> str:
        return self.title


class PlanTemplateItem(models.Model):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(
        "content.Exercise", on_delete=models.PROTECT, related_name="template_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(default=1)
    days_of_week = models.JSONField(help_text="0 = Monday … 6 = Sunday.")
    max_pain = models.PositiveSmallIntegerField()
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=20), name="plans_template_item_sets_1_20"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=100),
                name="plans_template_item_reps_1_100",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=0, hold_seconds__lte=600),
                name="plans_template_item_hold_0_600",
            ),
            models.CheckConstraint(
                condition=Q(times_per_day__gte=1, times_per_day__lte=6),
                name="plans_template_item_times_per_day_1_6",
            ),
            models.CheckConstraint(
                condition=Q(max_pain__gte=0, max_pain__lte=10),
                name="plans_template_item_max_pain_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} × {self.sets}"
