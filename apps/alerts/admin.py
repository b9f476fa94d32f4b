from django.contrib import admin

from .models import Alert, AlertEvent


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "at", "details"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Staff can look; alerts change only through the physiotherapists' workflow."""

    list_display = ["id", "patient", "kind", "level", "status", "created_at"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["patient__email"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
