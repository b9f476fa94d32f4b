"""Writes for messages: send (with delivery and the red-flag reply) and mark read.

No message text ever leaves these functions in a log line, a notification or a push:
notifications carry a generic title and the ids the app needs to open the thread.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from apps.accounts.models import CareTeamLink, User
from apps.notifications.inbox import notifications_create
from apps.notifications.models import NotificationKind
from backend.bulk import (
    BulkItem,
    BulkResult,
    ItemError,
    Valid,
    first_copies,
    item_error,
    results_in_order,
    valid_items,
)
from backend.errors import Conflict

from .errors import MessageError
from .models import Message, MessageKind
from .safety import LOG_ROUTE, RED_FLAG_REPLY, red_flag_terms
from .selectors import addressed_to, threads_for

# Lock screens are not private: the push says who wrote, never what. Stored in English,
# pushed in the recipient's language (apps/notifications/texts.py).
TITLE_TO_PATIENT = gettext_noop("New message from your physiotherapist")
TITLE_TO_PHYSIO = gettext_noop("New message from your patient")
NOTIFICATION_BODY = gettext_noop("Open the app to read it.")


@dataclass(frozen=True)
class Sent:
    message: Message
    created: bool
    auto_reply: Message | None


def _stored(sender: User, client_id: uuid.UUID) -> Message | None:
    return Message.objects.filter(sender=sender, client_id=client_id).first()


def _replay(message: Message, link: CareTeamLink) -> Sent:
    """The answer to a client_id sent again: the stored message, changed in nothing."""
    if message.link_id != link.pk:
        raise Conflict(
            _("This client_id was already used for a message in another conversation."),
            MessageError.CLIENT_ID_USED_ELSEWHERE,
        )
    return Sent(message, created=False, auto_reply=message.auto_replies.first())


@transaction.atomic
def message_send(*, link: CareTeamLink, sender: User, client_id: uuid.UUID, body: str) -> Sent:
    """Store a message in a link's thread and notify the other side (inbox row and push
    through the outbox, in this transaction). A patient's message that mentions a
    red-flag sign gets an automatic reply asking for a symptom log; nothing else is raised.

    The same client_id again from the same sender returns the stored message, even when
    copies race (the unique constraint decides), and even after the link ended: the
    retry of a message sent while it was active is not a new message.
    """
    if sender.pk not in (link.patient_id, link.physio_id):
        raise ValueError("The sender is not part of this care-team link.")
    existing = _stored(sender, client_id)
    if existing is not None:
        return _replay(existing, link)

    # The lock orders this with the link's end (care_link_end updates the row): a message
    # is never stored after the end it raced with.
    active = CareTeamLink.objects.select_for_update().filter(pk=link.pk, ended_at__isnull=True)
    if active.first() is None:
        # The patient may be trying to reach help: the refusal says where to find it.
        raise Conflict(
            _(
                "This conversation has ended: you can still read it, but no new messages can be "
                "sent. For new or worse symptoms, log them in the app now; in an emergency, call "
                "your local emergency number."
            ),
            MessageError.THREAD_ENDED,
        )

    now = timezone.now()
    message = Message(
        link=link,
        sender=sender,
        kind=MessageKind.TEXT,
        client_id=client_id,
        body=body,
        created_at=now,
    )
    message.full_clean(
        exclude=["link", "sender"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():  # savepoint: losing a race must not spoil the outer one
            message.save(force_insert=True)
    except IntegrityError:
        winner = _stored(sender, client_id)
        if winner is None:
            raise
        return _replay(winner, link)

    auto_reply = None
    from_patient = sender.pk == link.patient_id
    if from_patient and red_flag_terms(body):
        auto_reply = Message.objects.create(
            link=link,
            kind=MessageKind.SYSTEM,
            body=RED_FLAG_REPLY,
            reply_to=message,
            action_route=LOG_ROUTE,
            # Always just after the message it answers, whatever the clock's resolution.
            created_at=now + timedelta(microseconds=1),
            # The patient gets it in the answer to the post: nothing left to read.
            read_at=now,
        )

    recipient = link.physio if from_patient else link.patient
    if recipient.is_active:
        notifications_create(
            users=[recipient],
            kind=NotificationKind.MESSAGE,
            title=TITLE_TO_PHYSIO if from_patient else TITLE_TO_PATIENT,
            body=NOTIFICATION_BODY,
            data={"link_id": str(link.pk), "message_id": str(message.pk)},
        )
    return Sent(message, created=True, auto_reply=auto_reply)


class MessageFields(TypedDict):
    """One message of an offline sync, as validated by the HTTP layer: it names the
    care-team link whose thread it goes to."""

    care_team_link: uuid.UUID
    client_id: uuid.UUID
    body: str


def _no_thread() -> list[ItemError]:
    return [item_error("care_team_link", "does_not_exist", "No such conversation of yours.")]


def _message_refusal(
    item: Valid[MessageFields],
    links: dict[uuid.UUID, CareTeamLink],
    known: dict[uuid.UUID, Message],
) -> list[ItemError] | None:
    """Why an item cannot be stored or replayed (None: it can)."""
    link_id = item.fields["care_team_link"]
    if link_id not in links:
        return _no_thread()
    stored = known.get(item.client_id)
    if stored is not None and stored.link_id != link_id:
        return [
            item_error(
                "client_id",
                MessageError.CLIENT_ID_USED_ELSEWHERE,
                "This client_id was already used for a message in another conversation.",
            )
        ]
    return None


def messages_store(
    *,
    sender: User,
    items: Sequence[BulkItem[MessageFields]],
    allow: Callable[[], bool] = lambda: True,
) -> list[BulkResult[Message]]:
    """Offline sync: send every valid message of a patient, one result per item in order.

    Load (the links named, among the sender's threads, and the known client_ids: one
    query each), check (a link not the sender's, a client_id used in another thread),
    persist (each new first copy as `message_send` sends one, in its own savepoint: an
    ended thread refuses that item only). Not one atomic block: a message stored is
    announced to its recipient even when a later one is refused. `allow` is asked once
    per new message (not for a retry of a stored one): False refuses that item as
    `throttled`, so a sync cannot send past the sender's message rate."""
    valid = valid_items(items)
    links = threads_for(user=sender).in_bulk({item.fields["care_team_link"] for item in valid})
    known = {
        message.client_id: message
        for message in Message.objects.filter(
            sender=sender, client_id__in={item.client_id for item in valid}
        )
        if message.client_id is not None
    }
    refused: dict[int, list[ItemError]] = {}
    for item in valid:
        refusal = _message_refusal(item, links, known)
        if refusal is not None:
            refused[item.index] = refusal
    to_send = [item for item in valid if item.index not in refused]
    created: dict[uuid.UUID, Message] = {}
    for item in first_copies(to_send, known=known):
        if not allow():
            refused[item.index] = [
                item_error(
                    None, MessageError.THROTTLED, "Too many messages: send this one again later."
                )
            ]
            continue
        try:
            sent = message_send(
                link=links[item.fields["care_team_link"]],
                sender=sender,
                client_id=item.client_id,
                body=item.fields["body"],
            )
        except Conflict as conflict:
            refused[item.index] = [item_error(None, conflict.code, str(conflict.message))]
            continue
        (created if sent.created else known)[item.client_id] = sent.message
    return results_in_order(items, created=created, known=known, refused=refused)


def _not_in_thread() -> ValidationError:
    return ValidationError(
        {
            "up_to": ValidationError(
                _("Not a message of this thread."), code=MessageError.NOT_IN_THREAD
            )
        }
    )


@transaction.atomic
def messages_mark_read(*, link: CareTeamLink, reader: User, up_to: uuid.UUID | str) -> int:
    """Mark `up_to` and every older message of the thread addressed to `reader` as read.
    Returns how many were newly marked; marking again changes nothing."""
    anchor = Message.objects.filter(link=link, pk=up_to).values("created_at").first()
    if anchor is None:
        raise _not_in_thread()
    return (
        Message.objects.filter(
            link=link, created_at__lte=anchor["created_at"], read_at__isnull=True
        )
        .filter(addressed_to(reader))
        .update(read_at=timezone.now())
    )
