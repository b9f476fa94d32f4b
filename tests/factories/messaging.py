"""Messages in the thread of a care-team link. Rows made here skip the messaging service:
no notification, push or automatic reply."""

import uuid

import factory

from apps.messaging.models import Message, MessageKind

from .accounts import CareTeamLinkFactory


class MessageFactory(factory.django.DjangoModelFactory):
    """A patient's text message to their physio, unread."""

    class Meta:
        model = Message

    link = factory.SubFactory(CareTeamLinkFactory)
    sender = factory.LazyAttribute(lambda o: o.link.patient)
    kind = MessageKind.TEXT
    client_id = factory.LazyFunction(uuid.uuid4)
    body = "Is it fine to do the stretches twice a day?"
