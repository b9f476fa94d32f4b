from django.contrib import admin

from apps.accounts.admin import ReadOnlyAdmin

from .models import CareSession


@admin.register(CareSession)
class CareSessionAdmin(ReadOnlyAdmin):
    """Staff can look; sessions are the patient's record and change only from the app."""

    list_display = ["id", "patient", "kind", "started_at", "planned_minutes", "finished_at"]
    list_filter = ["kind"]
    search_fields = ["patient__email"]
    date_hierarchy = "started_at"
    list_select_related = ["patient"]
