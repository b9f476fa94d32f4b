from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsPatient
from backend.rest import require_empty_body

from . import services
from .models import Notification, Reminder
from .serializers import (
    NotificationSerializer,
    ReminderQuerySerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
)

RECENT_REMINDERS = timedelta(days=7)


class NotificationListView(generics.ListAPIView):
    """The caller's inbox, newest first; `?unread=true` for unread only."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        inbox = Notification.objects.filter(user=self.request.user).order_by("-created_at")
        if self.request.query_params.get("unread") == "true":
            inbox = inbox.filter(read_at__isnull=True)
        return inbox

    @extend_schema(parameters=[OpenApiParameter("unread", bool)], summary="The caller's inbox")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark as read")
    def post(self, request: Request, notification_id) -> Response:
        require_empty_body(request.data)
        notification = get_object_or_404(
            Notification.objects.filter(user=request.user), pk=notification_id
        )
        notification = services.notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class ReminderListView(generics.ListAPIView):
    """Upcoming reminders and those of the last week, in due order."""

    permission_classes = [IsPatient]
    serializer_class = ReminderSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        query = ReminderQuerySerializer(
            data={"status": self.request.query_params["status"]}
            if "status" in self.request.query_params
            else {}
        )
        query.is_valid(raise_exception=True)
        reminders = Reminder.objects.filter(
            user=self.request.user, due_at__gte=timezone.now() - RECENT_REMINDERS
        ).order_by("due_at")
        if "status" in query.validated_data:
            reminders = reminders.filter(status=query.validated_data["status"])
        return reminders

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["scheduled", "sent", "cancelled"])],
        summary="The caller's upcoming and recent reminders",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ReminderSettingsView(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses={200: ReminderSettingsSerializer}, summary="The caller's reminder settings"
    )
    def get(self, request: Request) -> Response:
        return Response(
            ReminderSettingsSerializer(services.reminder_settings_of(request.user)).data
        )

    @extend_schema(
        request=ReminderSettingsSerializer,
        responses={200: ReminderSettingsSerializer},
        summary="Change reminder settings; future reminders follow at once",
    )
    def put(self, request: Request) -> Response:
        serializer = ReminderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.reminder_settings_update(user=request.user, **serializer.validated_data)
        return Response(ReminderSettingsSerializer(updated).data)
