import uuid

from django.conf import settings
from django.db import models

# Title and body are English texts marked for translation, rendered in the reader's language
# when read or pushed (apps/notifications/texts.py).
TEXT_PARAMS_HELP = (
    "The values of the title's and body's %(name)s placeholders (data, never translated)."
)


class ReminderKind(models.TextChoices):
    EXERCISE = "exercise", "Exercise"
    CHECKIN = "checkin", "Daily check-in"
    CARE = "care", "Home care"
    QUESTIONNAIRE = "questionnaire", "Outcome questionnaire"


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Reminder(models.Model):
    """A reminder is a row with a due time, never a far-future task on the broker.

    `scheduled_for` is when its source wants it; `due_at` is when it may be delivered
    (moved to the end of the patient's quiet hours when it falls inside them). A source
    reminds once per scheduled time: (source, scheduled_for) is unique, so re-planning
    is idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    source = models.CharField(
        max_length=80, help_text='What made it, e.g. "care_session:<id>" or "plan:<id>".'
    )
    scheduled_for = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=400, blank=True)
    text_params = models.JSONField(default=dict, blank=True, help_text=TEXT_PARAMS_HELP)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set by the dispatcher that claimed the row: it re-reads by token to learn which
    # rows it won (a conditional update, checked).
    claim_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "scheduled_for"],
                name="notifications_reminder_once_per_source_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notif_reminder_due"),
            models.Index(fields=["user", "due_at"], name="notif_reminder_user_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.id}"


class ReminderSettings(models.Model):
    """A patient's choices about reminders (docs/api.md `reminder-settings/`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_settings",
    )
    checkin_time = models.TimeField(default="20:00", help_text="Local time of the daily check-in.")
    exercise_reminders = models.BooleanField(default=True)
    checkin_reminders = models.BooleanField(default=True)
    care_reminders = models.BooleanField(default=True)
    questionnaire_reminders = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminder settings of {self.user_id}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ALERT = "alert", "Alert for a physiotherapist"
    ADVICE = "advice", "Advice for the patient"
    MESSAGE = "message", "Message in a care-team thread"
    PLAN_CHANGED = "plan_changed", "The exercise plan changed"
    CARE_TEAM = "care_team", "The care team changed"


class Notification(models.Model):
    """The in-app inbox: everything pushed to a user, saved before it is sent.

    A reminder makes at most one notification (unique): however many dispatchers run,
    a patient is reminded once. An alert makes one per recipient.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=400, blank=True)
    text_params = models.JSONField(default=dict, blank=True, help_text=TEXT_PARAMS_HELP)
    data = models.JSONField(default=dict, blank=True)
    reminder = models.OneToOneField(
        Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="notif_inbox_user_time")]

    def __str__(self) -> str:
        return f"notification {self.id}"


class Platform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"
    WEB = "web", "Web"


class Device(models.Model):
    """A push destination: an FCM registration token (iOS, Android) or a Web Push
    subscription (web, the subscription's JSON as the token)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    platform = models.CharField(max_length=8, choices=Platform.choices)
    token = models.TextField()
    token_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            # A token identifies one device: registering it again moves it, never copies it.
            models.UniqueConstraint(
                fields=["platform", "token_hash"], name="notif_device_unique_token"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} device {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class PushDelivery(models.Model):
    """One notification to one device: the outbox row a Celery task works from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "device"], name="notif_one_delivery_per_device"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="notif_delivery_status")]

    def __str__(self) -> str:
        return f"delivery {self.id}"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    TRANSIENT_ERROR = "transient_error", "Transient error (retried)"
    PERMANENT_ERROR = "permanent_error", "Permanent error (device disabled)"
    REJECTED = "rejected", "Message rejected by the provider (not retried, device kept)"


class DeliveryAttempt(models.Model):
    """A record per attempt to push, with what the provider answered."""

    delivery = models.ForeignKey(PushDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    backend = models.CharField(max_length=32)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.id} {self.outcome}"
