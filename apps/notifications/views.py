from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsPatient
from apps.accounts.requests import AuthenticatedRequest
from backend.rest import require_empty_body

from . import devices, inbox, reminders, selectors
from .models import Device, Notification, Reminder
from .serializers import (
    DeviceRegisterSerializer,
    DeviceSerializer,
    NotificationSerializer,
    ReminderQuerySerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
)


class NotificationListView(generics.ListAPIView):
    """The caller's inbox, newest first; `?unread=true` for unread only."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(
            user=self.request.user, unread_only=self.request.query_params.get("unread") == "true"
        )

    @extend_schema(parameters=[OpenApiParameter("unread", bool)], summary="The caller's inbox")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark as read")
    def post(self, request: AuthenticatedRequest, notification_id) -> Response:
        require_empty_body(request.data)
        notification = get_object_or_404(
            selectors.notifications_for(user=request.user), pk=notification_id
        )
        notification = inbox.notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class ReminderListView(generics.ListAPIView):
    """Upcoming reminders and those of the last week, in due order."""

    request: AuthenticatedRequest  # the permission classes let no one else in
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
        return selectors.reminders_for(
            user=self.request.user, status=query.validated_data.get("status")
        )

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
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(
            ReminderSettingsSerializer(selectors.reminder_settings_of(request.user)).data
        )

    @extend_schema(
        request=ReminderSettingsSerializer,
        responses={200: ReminderSettingsSerializer},
        summary="Change reminder settings; future reminders follow at once",
    )
    def put(self, request: AuthenticatedRequest) -> Response:
        serializer = ReminderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = reminders.reminder_settings_update(user=request.user, **serializer.validated_data)
        return Response(ReminderSettingsSerializer(updated).data)


class DeviceListCreateView(generics.ListCreateAPIView):
    """The caller's push destinations; registering one again is harmless."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsAuthenticated]
    serializer_class = DeviceSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.devices_for(user=self.request.user)

    @extend_schema(summary="The caller's push devices")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DeviceRegisterSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer},
        summary="Register a device for push (200 when the token was already registered)",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = devices.device_register(
            user=self.request.user, **serializer.validated_data
        )
        return Response(
            DeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceDetailView(generics.DestroyAPIView):
    """Unregister (on logout): the token is forgotten."""

    request: AuthenticatedRequest  # the permission classes let no one else in
    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "device_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.devices_for(user=self.request.user)

    @extend_schema(responses={204: None}, summary="Unregister a push device")
    def delete(self, request: Request, *args, **kwargs) -> Response:
        return super().delete(request, *args, **kwargs)
