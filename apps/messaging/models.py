import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CareTeamLink

BODY_MAX_LENGTH = 4000  # docs/api.md, Messages: 1–4000 characters (Unicode code points)


def validate_not_blank(value: str) -> None:
    # A body of spaces and line breaks says nothing and would notify the other side for
    # nothing; it is refused like an empty one. A body with words keeps its whitespace.
    if not value.strip():
        raise ValidationError(_("Write a message: it cannot be empty."), code="blank")


class MessageKind(models.TextChoices):
    TEXT = "text", "Written by the patient or the physiotherapist"
    SYSTEM = "system", "Automatic reply"


class Message(models.Model):
    """One message in the thread of a care-team link (one thread per link).

    A text message has a sender and the `client_id` its phone made; the same client_id
    again from the same sender is the same message, which the database guarantees
    (unique per sender), not a read-then-write check. A system message (the automatic
    reply to a red-flag mention, apps/messaging/safety.py) has neither.

    The body is stored exactly as sent. Each message has one reader, the other side of the
    link (the patient, for a system message); `read_at` is when that reader marked it read.
    Erasing either person erases the thread: the link and the messages go with CASCADE.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(CareTeamLink, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_sent",
    )
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    client_id = models.UUIDField(null=True, blank=True)
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH), validate_not_blank])
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="auto_replies",
        help_text="For an automatic reply: the message it answers.",
    )
    action_route = models.CharField(
        max_length=64, blank=True, help_text="A screen of the app the reply points to."
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_id"], name="messaging_message_unique_client_id"
            ),
            models.CheckConstraint(
                condition=Q(kind=MessageKind.TEXT, sender__isnull=False, client_id__isnull=False)
                | Q(kind=MessageKind.SYSTEM, sender__isnull=True, client_id__isnull=True),
                name="messaging_message_sender_matches_kind",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("body"), 1),
                name="messaging_message_body_not_empty",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="messaging_message_body_max_4000",
            ),
        ]
        indexes = [
            models.Index(fields=["link", "created_at"], name="messaging_thread_time"),
            # Unread counts (care-team list, dashboard) read only the few unread rows.
            models.Index(
                fields=["link", "sender"],
                condition=Q(read_at__isnull=True),
                name="messaging_unread",
            ),
        ]

    def __str__(self) -> str:
        # Never the body: this string shows in the admin and in error reports.
        return f"{self.kind} message {self.id}"
