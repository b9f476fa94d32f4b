"""Staff see that threads exist and how they are used, never what was written.

A message body is health data shared between a patient and their physiotherapist; staff
have no care relationship with the patient, and the admin's reads are not in the audit of
patient records. So the admin shows metadata only (who, which link, when, read or not, the
length), nothing that changes a message, and no search over bodies. A patient gets their
messages through the app and the export; a lawful request to read a thread goes through
the database owner's documented process, not the admin.
"""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models.functions import Length

from apps.accounts.admin import ReadOnlyAdmin

from .models import Message

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Length(TypedDict):
        body_chars: int

    # A message as get_queryset() reads it: its body's length annotated, the body not.
    MessageWithLength = WithAnnotations[Message, _Length]


# Metadata only: never the body.
SHOWN = (
    "id",
    "link",
    "kind",
    "sender",
    "client_id",
    "body_length",
    "reply_to",
    "action_route",
    "created_at",
    "read_at",
)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    fields = readonly_fields = SHOWN
    list_display = ["id", "link", "kind", "sender", "body_length", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["link__physio", "link__patient", "sender"]
    search_fields = ["link__patient__email", "link__physio__email"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # `body` is never loaded, so no template or log of this page can show it.
        return super().get_queryset(request).defer("body").annotate(body_chars=Length("body"))

    @admin.display(description="length (characters)", ordering="body_chars")
    def body_length(self, message: "MessageWithLength") -> int:
        return message.body_chars
