"""Clinics and their staff, for superusers only: who works where is an access decision
(staff reach their linked patients' records), not content an editor manages. Clinic
admins manage their own staff through the API and the portal."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Clinic, StaffMembership


class SuperusersOnly:
    """Editors are staff in the admin too: none of this is theirs."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)


class StaffMembershipInline(SuperusersOnly, admin.TabularInline):
    model = StaffMembership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [StaffMembershipInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "created_at"]
    list_filter = ["role", "clinic"]
    list_select_related = ["user", "clinic"]
    search_fields = ["user__email", "user__display_name", "clinic__name"]
    autocomplete_fields = ["user", "clinic"]
