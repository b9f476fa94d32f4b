"""Plans and exercise logs for staff to look at. Plans change only through the API
(services re-plan reminders and keep history), so the admin shows them read-only."""

from django.contrib import admin

from apps.accounts.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import PRESCRIPTION_FIELDS, ExerciseLog, ExercisePlan, PlanEvent, PlanItem


class PlanItemInline(ReadOnlyInline):
    model = PlanItem
    fields = ["position", "exercise", *PRESCRIPTION_FIELDS, "retired_at"]
    show_change_link = False


class PlanEventInline(ReadOnlyInline):
    """Who created, changed and archived the plan, oldest first."""

    model = PlanEvent
    fields = ["at", "action", "actor", "details"]


@admin.register(ExercisePlan)
class ExercisePlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "patient", "physio", "status", "start_date", "end_date", "updated_at"]
    list_filter = ["status", "start_date"]
    list_select_related = ["patient", "physio"]
    search_fields = ["title", "patient__email", "physio__email"]
    date_hierarchy = "start_date"
    inlines = [PlanItemInline, PlanEventInline]


@admin.register(ExerciseLog)
class ExerciseLogAdmin(ReadOnlyAdmin):
    list_display = ["performed_at", "patient", "plan_item", "sets_done", "pain_during"]
    list_filter = ["pain_above_limit"]
    list_select_related = ["patient", "plan_item__exercise"]
    search_fields = ["patient__email"]
    date_hierarchy = "performed_at"
