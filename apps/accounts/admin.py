from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from . import services
from .models import AuthenticatorDevice, CareTeamInvite, CareTeamLink, PatientAccessAudit, User


class AccountCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role")


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    ordering = ("email",)
    list_display = ("email", "role", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password", "role")}),
        (
            "Profile",
            {"fields": ("timezone", "quiet_hours_start", "quiet_hours_end", "affected_side")},
        ),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # the form's groups first
        services.user_role_access_sync(user=form.instance)


@admin.register(CareTeamLink)
class CareTeamLinkAdmin(admin.ModelAdmin):
    list_display = ["physio", "patient", "created_at", "ended_at"]
    list_filter = ["ended_at"]
    search_fields = ["physio__email", "patient__email"]
    raw_id_fields = ["physio", "patient", "ended_by"]
    readonly_fields = ["created_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: staff with view permission may look, never edit."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows of a record shown under it (items, events, goals), never added, changed or
    deleted here. Subclasses name `model` and `fields`; every field is read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CareTeamInvite)
class CareTeamInviteAdmin(ReadOnlyAdmin):
    # Only the code's hash is stored, and it is not shown either: it is of no use to staff.
    fields = ["physio", "created_at", "expires_at", "used_at", "used_by", "link"]
    list_display = ["physio", "created_at", "expires_at", "used_at", "used_by"]
    list_filter = ["used_at", "expires_at"]
    list_select_related = ["physio", "used_by"]
    search_fields = ["physio__email", "used_by__email"]
    date_hierarchy = "created_at"


@admin.register(PatientAccessAudit)
class PatientAccessAuditAdmin(ReadOnlyAdmin):
    list_display = ["physio", "patient", "what", "at"]
    list_filter = ["what"]
    list_select_related = ["physio", "patient"]
    search_fields = ["physio__email", "patient__email"]
    date_hierarchy = "at"


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """Staff reset a lost phone by deleting the account's device: the next sign-in enrols a
    new one. The seed is never shown (it is stored encrypted and only the set-up page shows
    it, once)."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
