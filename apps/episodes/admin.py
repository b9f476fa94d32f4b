"""Episodes and goals for staff to look at. They change only through the API (discharge
archives plans and freezes the report), so the admin shows them read-only."""

from django.contrib import admin

from apps.accounts.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Episode, Goal


class GoalInline(ReadOnlyInline):
    model = Goal
    fields = ["description", "instrument", "target", "due_on", "created_by", "created_at"]


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyAdmin):
    list_display = ["title", "patient", "physio", "status", "started_on", "discharged_at"]
    list_filter = ["status", "started_on"]
    list_select_related = ["patient", "physio"]
    search_fields = ["title", "patient__email", "physio__email"]
    date_hierarchy = "started_on"
    exclude = ["report"]  # the frozen report is health data in bulk: read it through the API
    inlines = [GoalInline]
