"""Outcome instruments in the admin, and read-only views of schedules and responses.

Who may do what:
- Content editors switch an instrument version on or off (docs/domain.md: "editors can
  switch one off") and read the instruments. They never see schedules or responses:
  editors manage content, not patient data. Editors hold no Django permission of this app
  (the editors group is content's only, apps/accounts/services.py EDITOR_APP_LABELS, and
  giving them this app's label would show them patients' responses), so the instrument
  admins let members of the editors group in explicitly.
- Superusers (and staff given this app's permissions) may also add an instrument or a
  version as data, e.g. a licensed KOOS, and correct a version's wording until it has
  responses. A version with responses keeps its wording for ever: every field but
  `enabled` is read-only (and the model refuses the change on save too).
- Schedules and responses are read-only for staff with view permission; nobody changes or
  deletes them here (erasure goes with the patient).
"""

from weakref import WeakKeyDictionary

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from apps.accounts.admin import ReadOnlyAdmin
from apps.accounts.services import EDITORS_GROUP

from . import services
from .models import WORDING_FIELDS, Instrument, InstrumentVersion, OutcomeResponse, OutcomeSchedule

# One group query per request, however many permission checks a page makes.
_EDITOR_OF_REQUEST: WeakKeyDictionary[HttpRequest, bool] = WeakKeyDictionary()


def is_editor(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if request not in _EDITOR_OF_REQUEST:
        _EDITOR_OF_REQUEST[request] = user.groups.filter(name=EDITORS_GROUP).exists()
    return _EDITOR_OF_REQUEST[request]


class EditorsMayLook(admin.ModelAdmin):
    """Editors may open and read these pages; what they may change is narrowed below."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or is_editor(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or is_editor(request)


class VersionInline(admin.TabularInline):
    model = InstrumentVersion
    fields = readonly_fields = ("version", "title", "enabled", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(EditorsMayLook):
    list_display = ["code", "url", "in_use"]
    search_fields = ["code"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Instrument | None = None):
        # The code and canonical URL are what responses and FHIR exports point at.
        return ["code", "url", "created_at"] if obj is not None else ["created_at"]

    @admin.display(description="In use (enabled version)")
    def in_use(self, obj: Instrument) -> str:
        version = next((v for v in obj.versions.all() if v.enabled), None)
        return f"v{version.version}" if version else "switched off"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("versions")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # schedules and responses point at it: switch its version off instead


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(EditorsMayLook):
    list_display = ["instrument", "version", "title", "enabled", "response_count", "updated_at"]
    list_filter = ["enabled", "instrument"]
    actions = ["switch_on", "switch_off"]
    # The wording fields in their model order, with `enabled` after the version.
    fields = [
        *WORDING_FIELDS[:2],
        "enabled",
        *WORDING_FIELDS[2:],
        "source",
        "licence",
        "response_count",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_responses=Count("responses"))

    @admin.display(description="Responses", ordering="_responses")
    def response_count(self, obj: InstrumentVersion) -> int:
        return getattr(obj, "_responses", None) or obj.responses.count()

    def get_readonly_fields(self, request: HttpRequest, obj: InstrumentVersion | None = None):
        fixed = ["response_count", "created_at", "updated_at"]
        if obj is None:
            return fixed
        if not super().has_change_permission(request, obj) or obj.has_responses():
            # An editor switches it on or off; a used version's wording never changes.
            return [*fixed, *WORDING_FIELDS, "source", "licence"]
        return fixed

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) or is_editor(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.has_responses():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: InstrumentVersion, form, change: bool) -> None:
        enabled = obj.enabled
        if change and "enabled" in form.changed_data:
            # Switch through the service: the other versions go off, reminders follow.
            obj.enabled = InstrumentVersion.objects.get(pk=obj.pk).enabled
            super().save_model(request, obj, form, change)
            services.instrument_version_set_enabled(version=obj, enabled=enabled)
            return
        if not change and enabled:
            obj.enabled = False
            super().save_model(request, obj, form, change)
            services.instrument_version_set_enabled(version=obj, enabled=True)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Switch on (offer this version; others go off)")
    def switch_on(self, request: HttpRequest, queryset: QuerySet) -> None:
        versions = list(queryset)
        if len({v.instrument_id for v in versions}) != len(versions):
            self.message_user(request, "Switch on one version per instrument.", messages.ERROR)
            return
        for version in versions:
            services.instrument_version_set_enabled(version=version, enabled=True)
        count = len(versions)
        self.message_user(
            request,
            ngettext("%(count)s version switched on.", "%(count)s versions switched on.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description="Switch off (no longer offered)")
    def switch_off(self, request: HttpRequest, queryset: QuerySet) -> None:
        versions = list(queryset)
        for version in versions:
            services.instrument_version_set_enabled(version=version, enabled=False)
        count = len(versions)
        self.message_user(
            request,
            ngettext("%(count)s version switched off.", "%(count)s versions switched off.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(OutcomeSchedule)
class OutcomeScheduleAdmin(ReadOnlyAdmin):
    list_display = ["id", "instrument", "every_days", "starts_on", "created_at", "ended_at"]
    list_filter = ["instrument", "end_reason"]
    list_select_related = ["instrument"]


@admin.register(OutcomeResponse)
class OutcomeResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "instrument", "score", "responder", "completed_at"]
    list_filter = ["instrument", "responder"]
    list_select_related = ["instrument"]
