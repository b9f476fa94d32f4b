from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<uuid:notification_id>/read/",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("reminders/", views.ReminderListView.as_view(), name="reminders"),
    path("reminder-settings/", views.ReminderSettingsView.as_view(), name="reminder-settings"),
    path("devices/", views.DeviceListCreateView.as_view(), name="devices"),
    path("devices/<uuid:device_id>/", views.DeviceDetailView.as_view(), name="device"),
]
