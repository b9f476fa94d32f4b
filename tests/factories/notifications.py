"""Reminders and their settings, the inbox, devices and the push outbox."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.notifications.devices import device_token_hash
from apps.notifications.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Device,
    Notification,
    NotificationKind,
    Platform,
    PushDelivery,
    Reminder,
    ReminderKind,
    ReminderSettings,
)

from .accounts import PatientFactory


class ReminderFactory(factory.django.DjangoModelFactory):
    """A scheduled exercise reminder due in an hour, outside any quiet hours (`due_at`
    is `scheduled_for`; the service would move it out of the user's quiet hours)."""

    class Meta:
        model = Reminder

    user = factory.SubFactory(PatientFactory)
    kind = ReminderKind.EXERCISE
    source = factory.Sequence(lambda n: f"test:{n}")
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    due_at = factory.SelfAttribute("scheduled_for")
    title = "Time for your exercises"


class ReminderSettingsFactory(factory.django.DjangoModelFactory):
    """A patient's reminder choices (the defaults unless told otherwise)."""

    class Meta:
        model = ReminderSettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(PatientFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread advice notification in a patient's inbox (no push delivery)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(PatientFactory)
    kind = NotificationKind.ADVICE
    title = "Your physiotherapist has been told"
    body = "Keep logging how you feel."


class DeviceFactory(factory.django.DjangoModelFactory):
    """An active Android device with its own FCM token."""

    class Meta:
        model = Device

    user = factory.SubFactory(PatientFactory)
    platform = Platform.ANDROID
    token = factory.Sequence(lambda n: f"fcm-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: device_token_hash(o.token))


class PushDeliveryFactory(factory.django.DjangoModelFactory):
    """A pending push of a notification to one of its user's devices."""

    class Meta:
        model = PushDelivery

    notification = factory.SubFactory(NotificationFactory)
    device = factory.SubFactory(DeviceFactory, user=factory.SelfAttribute("..notification.user"))


class DeliveryAttemptFactory(factory.django.DjangoModelFactory):
    """A successful attempt through the console backend."""

    class Meta:
        model = DeliveryAttempt

    delivery = factory.SubFactory(PushDeliveryFactory)
    backend = "console"
    outcome = AttemptOutcome.SENT
