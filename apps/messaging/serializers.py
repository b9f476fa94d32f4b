from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.serializers import CareTeamLinkSerializer
from backend.rest import StrictCharField, StrictSerializer, StrictUUIDField

from .errors import MessageError
from .models import BODY_MAX_LENGTH, Message, MessageKind
from .safety import LOG_ROUTE

NOTICE_HELP = (
    "For a patient: messages are not watched around the clock, and how to get urgent help. "
    "Show it with the thread. Null for a physiotherapist."
)


class CareTeamThreadSerializer(CareTeamLinkSerializer):
    unread_count = serializers.IntegerField(
        help_text="Messages in this link's thread addressed to the caller and not yet read."
    )


class MessageInputSerializer(StrictSerializer):
    client_id = StrictUUIDField(
        help_text="Made by the phone (UUID). Sending it again returns the stored message."
    )
    body = StrictCharField(
        max_length=BODY_MAX_LENGTH,
        # Stored exactly as sent: leading spaces, line breaks and indentation are the
        # writer's. Only a body of nothing but whitespace is refused (validate_body).
        trim_whitespace=False,
        help_text=f"Plain text, 1 to {BODY_MAX_LENGTH} characters (Unicode code points), "
        "stored exactly as sent; not only whitespace.",
    )

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(
                _("Write a message: it cannot be empty."), code=MessageError.BLANK
            )
        return value


class ReadInputSerializer(StrictSerializer):
    up_to = StrictUUIDField(
        help_text="A message of this thread: it and every older message addressed to the "
        "caller are marked read."
    )


class MessageSerializer(serializers.ModelSerializer):
    care_team_link = serializers.UUIDField(
        source="link_id", read_only=True, help_text="The care-team link whose thread it is in."
    )
    sender = serializers.UUIDField(
        source="sender_id",
        read_only=True,
        allow_null=True,
        help_text="Who wrote it; null for an automatic reply (`kind` system).",
    )
    reply_to = serializers.UUIDField(
        source="reply_to_id",
        read_only=True,
        allow_null=True,
        help_text="For an automatic reply: the message it answers.",
    )
    action_route = serializers.SerializerMethodField(
        help_text=f'A screen of the app to offer with the message, such as "{LOG_ROUTE}" (the '
        "symptom log) on the automatic reply to a red-flag mention; null otherwise."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "care_team_link",
            "client_id",
            "kind",
            "sender",
            "body",
            "created_at",
            "read_at",
            "reply_to",
            "action_route",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {
                "help_text": f'"{MessageKind.TEXT}" (from the patient or the physiotherapist) '
                f'or "{MessageKind.SYSTEM}" (an automatic reply).'
            },
            "read_at": {"help_text": "When its reader (the other side) marked it read."},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_action_route(self, message: Message) -> str | None:
        return message.action_route or None


class MessageSentSerializer(MessageSerializer):
    """The answer to a post: the message, its automatic reply and the notice."""

    auto_reply = MessageSerializer(
        allow_null=True,
        help_text="The automatic reply when a patient's message mentions a red-flag sign "
        "(it is also in the thread); null otherwise.",
    )
    notice = serializers.CharField(allow_null=True, help_text=NOTICE_HELP)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "auto_reply", "notice"]
        read_only_fields = fields


class ReadAnswerSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Messages this request marked read.")
    unread_count = serializers.IntegerField(
        help_text="Messages of the thread still unread by the caller."
    )
    notice = serializers.CharField(allow_null=True, help_text=NOTICE_HELP)
