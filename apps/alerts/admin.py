from django.contrib import admin

from apps.accounts.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Alert, AlertEvent


class AlertEventInline(ReadOnlyInline):
    model = AlertEvent
    fields = ["action", "actor", "at", "details"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Staff can look; alerts change only through the physiotherapists' workflow."""

    list_display = ["id", "patient", "kind", "level", "status", "created_at"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["patient__email"]
    inlines = [AlertEventInline]
