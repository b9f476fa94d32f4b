"""Reads scoped to the caller: which threads a user reaches, unread counts, the export."""

import uuid
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import CareTeamLink, Role, User

from .models import Message, MessageKind


def threads_for(*, user: User) -> QuerySet[CareTeamLink]:
    """The care-team links whose thread `user` reaches.

    A patient keeps every thread, active or ended (docs/api.md: "the patient still reads
    it"); a physio reaches a thread only while the link is active, like every other
    patient record. Anyone else reaches none."""
    links = CareTeamLink.objects.select_related("physio", "patient")
    if user.role == Role.PATIENT:
        return links.filter(patient=user)
    if user.role == Role.PHYSIO:
        return links.filter(physio=user, ended_at__isnull=True)
    return links.none()


def messages_of(*, link: CareTeamLink) -> QuerySet[Message]:
    """A thread, newest first. Callers pass a link from `threads_for`."""
    return Message.objects.filter(link=link).order_by("-created_at")


def message_already_sent(*, sender: User, client_id: Any) -> bool:
    """Whether `sender` has a message stored under this client_id (any thread). Anything
    that is not a UUID has none: the serializer refuses it afterwards."""
    try:
        uuid.UUID(str(client_id))
    except ValueError:
        return False
    return Message.objects.filter(sender=sender, client_id=client_id).exists()


def addressed_to(user: User) -> Q:
    """Messages `user` is the reader of, within threads `user` is part of: the other
    side's messages, and for a patient also the automatic replies."""
    from_the_other_side = Q(sender__isnull=False) & ~Q(sender_id=user.pk)
    if user.role == Role.PATIENT:
        return from_the_other_side | Q(kind=MessageKind.SYSTEM)
    return from_the_other_side


def _count(messages: QuerySet[Message], group_by: str) -> Coalesce:
    """COUNT(*) of a correlated subquery (no row when zero, hence the Coalesce)."""
    return Coalesce(
        Subquery(
            messages.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def unread_count(*, link: CareTeamLink, user: User) -> int:
    return (
        Message.objects.filter(link=link, read_at__isnull=True).filter(addressed_to(user)).count()
    )


# Any: the rows carry the `unread_count` annotation, which the model's type does not know.
def links_with_unread_count(links: QuerySet[CareTeamLink], *, user: User) -> QuerySet[Any]:
    """`unread_count` on each link: messages addressed to `user` not yet read. One
    correlated subquery, so a page of links costs one query however long it is."""
    unread = Message.objects.filter(link=OuterRef("pk"), read_at__isnull=True).filter(
        addressed_to(user)
    )
    return links.annotate(unread_count=_count(unread, "link"))


# Any: the rows carry the `unread_count` annotation, which the model's type does not know.
def with_unread_count(patients: QuerySet[User], *, physio: User) -> QuerySet[Any]:
    """`unread_count` on each patient of the physio's dashboard: messages from that
    patient to this physio, on an active link, not yet read. One correlated subquery."""
    unread = Message.objects.filter(
        sender=OuterRef("pk"),
        link__physio=physio,
        link__ended_at__isnull=True,
        read_at__isnull=True,
    )
    return patients.annotate(unread_count=_count(unread, "sender"))


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


EXPORT_FIELDS = {
    "id": "id",
    "care_team_link": "link_id",
    "physio": "link__physio__email",
    "kind": "kind",
    "sender": "sender__role",
    "client_id": "client_id",
    "body": "body",
    "created_at": "created_at",
    "read_at": "read_at",
    "reply_to": "reply_to_id",
    "action_route": "action_route",
}


def export_for(patient: User) -> dict[str, list[dict[str, Any]]]:
    """Every message of every thread of the patient's, active or ended, oldest first, as
    JSON-safe rows (the patient's data export). `sender` is "patient", "physio" or null
    (an automatic reply)."""
    rows = (
        Message.objects.filter(link__patient=patient)
        .order_by("link__created_at", "created_at")
        .values(*EXPORT_FIELDS.values())
    )
    return {
        "messages": [
            {name: _json_safe(row[column]) for name, column in EXPORT_FIELDS.items()}
            for row in rows
        ]
    }


def messages_for_patient(*, patient: User) -> QuerySet[Message]:
    """Every message of every thread the patient reaches (active or ended), newest first."""
    return Message.objects.filter(link__in=threads_for(user=patient).values("pk")).order_by(
        "-created_at", "-id"
    )
