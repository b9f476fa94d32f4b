"""The editors' workspace: conditions, home-care protocols and exercises.

Saving here marks an item as edited, so `bootstrap` keeps the editor's version. Model
validation (and the database constraints) run on every save: an ice step of 25 minutes
is refused with a message on the field.
"""

import json
from typing import Any

from adminsortable2.admin import SortableAdminBase, SortableStackedInline, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet, URLField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from simple_history.admin import SimpleHistoryAdmin

from backend.errors import TooLarge

from . import media, services
from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    ContentItem,
    Exercise,
    ExerciseMedia,
    MediaKind,
    Protocol,
    ProtocolStep,
    RedFlagTranslation,
    ReviewedCautions,
)
from .serializers import ConditionSerializer, ExerciseSerializer, ProtocolSerializer
from .vocabulary import Mechanism, RedFlagCode


def _preview_node(value) -> dict:
    """Serializer output as a tree the preview template can walk."""
    if isinstance(value, dict):
        return {
            "kind": "dict",
            "items": [(key.replace("_", " "), _preview_node(val)) for key, val in value.items()],
        }
    if isinstance(value, list):
        return {"kind": "list", "items": [_preview_node(item) for item in value]}
    return {"kind": "text", "value": "—" if value in (None, "") else value}


HEADLINE_KEYS = {"name", "title", "slug", "disclaimer"}


class ConditionForm(forms.ModelForm):
    mechanisms = forms.MultipleChoiceField(
        choices=Mechanism.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    red_flag_codes = forms.MultipleChoiceField(
        choices=RedFlagCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Red flags",
    )

    class Meta:
        model = Condition
        fields = [
            "name",
            "slug",
            "other_names",
            "kind",
            "status",
            "source",
            "regions",
            "summary",
            "mechanisms",
            "how_it_links",
            "typical_symptoms",
            "clinician_workup",
            "treatment_outline",
            "when_to_seek_care",
            "when_to_seek_care_es",
            "red_flag_codes",
        ]
        widgets = {"regions": forms.CheckboxSelectMultiple}


class ContentAdmin(SortableAdminBase, TranslationAdmin, SimpleHistoryAdmin):
    """What every content type's admin shares: publishing, preview, edit tracking, and a
    field per language for each translated text (`name [en]`, `name [es]`: apps/content/
    translation.py). A Spanish field left empty is served in English."""

    preview_serializer: type = ConditionSerializer
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at", "preview_link"]
    list_per_page = 50
    # A link typed without a scheme ("example.org/clip") is taken as https, as Django 6
    # will by default (5.2 still assumes http and warns).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    @admin.action(description="Publish selected items", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.content_publish(items=queryset.select_for_update())
        self.message_user(
            request,
            ngettext("%(count)s item published.", "%(count)s items published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected items (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.content_unpublish(items=queryset.select_for_update())
        self.message_user(
            request,
            ngettext(
                "%(count)s item moved back to draft.", "%(count)s items moved back to draft.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: ContentItem | None = None) -> bool:
        # Phones may hold anything published once: it is withdrawn (unpublished), which the
        # apps learn from `?updated_since=`, never deleted, which they would not.
        if obj is not None and obj.first_published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ContentItem, form, change: bool) -> None:
        obj.edited_in_admin = True
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.content_touch_dependants(item=form.instance)

    # --- Preview: the item exactly as the app receives it --------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Preview")
    def preview_link(self, obj: ContentItem | None) -> str:
        if obj is None or obj.pk is None:
            return "Save first to preview."
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_preview", args=[obj.pk])
        return format_html('<a class="button" href="{}">Preview in the app</a>', url)

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        data = self.preview_serializer(obj).data
        context = {
            "as_json": json.dumps(data, indent=2, ensure_ascii=False, default=str),
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Preview: {obj}",
            "headline": data.get("name") or data.get("title"),
            "disclaimer": data.get("disclaimer"),
            "rows": [
                (key.replace("_", " "), _preview_node(value))
                for key, value in data.items()
                if key not in HEADLINE_KEYS
            ],
            "is_published": obj.is_published,
        }
        return TemplateResponse(request, "admin/content/preview.html", context)


class ConditionProtocolInline(SortableTabularInline):
    model = ConditionProtocol
    extra = 0
    autocomplete_fields = ["protocol"]
    verbose_name = "home-care protocol"


class ConditionExerciseInline(SortableTabularInline):
    model = ConditionExercise
    extra = 0
    autocomplete_fields = ["exercise"]
    verbose_name = "exercise"


@admin.register(Condition)
class ConditionAdmin(ContentAdmin):
    form = ConditionForm
    preview_serializer = ConditionSerializer
    list_display = ["name", "slug", "kind", "status", "source", "updated_at"]
    list_filter = ["status", "kind", "regions", "source"]
    # Both languages' columns: the plain names would search only the editor's language.
    search_fields = [
        "name_en",
        "name_es",
        "other_names_en",
        "other_names_es",
        "summary_en",
        "summary_es",
        "slug",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ConditionProtocolInline, ConditionExerciseInline]
    readonly_fields = [*ContentAdmin.readonly_fields, "when_to_seek_care_es_review"]
    actions = [*ContentAdmin.actions, "mark_when_to_seek_care_reviewed"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "other_names", "kind", "status", "source"]}),
        ("Where it hurts", {"fields": ["regions"]}),
        (
            "For the patient",
            {"fields": ["summary", "mechanisms", "how_it_links", "typical_symptoms"]},
        ),
        (
            "Care",
            {
                "fields": [
                    "clinician_workup",
                    "treatment_outline",
                    "red_flag_codes",
                ]
            },
        ),
        (
            "When to seek care (safety text: Spanish served only once reviewed)",
            {
                "fields": [
                    "when_to_seek_care",
                    "when_to_seek_care_es",
                    "when_to_seek_care_es_review",
                ]
            },
        ),
        ("Record", {"fields": ["preview_link", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description="Spanish reviewed")
    def when_to_seek_care_es_review(self, obj: Condition | None) -> str:
        return reviewed_text_review(obj, "when_to_seek_care")

    @admin.action(
        description="Mark the Spanish of “when to seek care” reviewed", permissions=["change"]
    )
    def mark_when_to_seek_care_reviewed(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.reviewed_text_mark_reviewed(
            rows=queryset, field="when_to_seek_care", reviewer=reviewer_of(request)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)s condition marked reviewed.",
                "%(count)s conditions marked reviewed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: ContentItem, form, change: bool) -> None:
        if isinstance(obj, Condition):
            services.reviewed_text_follow_edit(
                row=obj, field="when_to_seek_care", changed=form.changed_data
            )
        super().save_model(request, obj, form, change)


def reviewed_text_review(obj: ReviewedCautions | Condition | None, field: str) -> str:
    """Who reviewed the Spanish of a safety text (`field`) and when, or that nobody has."""
    reviewed_at = getattr(obj, f"{field}_es_reviewed_at", None)
    if obj is None or reviewed_at is None:
        return "Not reviewed: patients reading Spanish get the English."
    return f"By {getattr(obj, f'{field}_es_reviewed_by')} on {reviewed_at:%Y-%m-%d %H:%M} UTC."


def cautions_review_text(obj: ReviewedCautions | None) -> str:
    return reviewed_text_review(obj, "cautions")


class ProtocolStepInline(SortableStackedInline, TranslationStackedInline):
    model = ProtocolStep
    extra = 0
    fields = [
        "kind",
        "title",
        "instructions",
        ("min_minutes", "max_minutes", "times_per_day"),
        "cautions",
        "cautions_es",
        "cautions_es_review",
    ]
    readonly_fields = ["cautions_es_review"]

    @admin.display(description="Spanish cautions reviewed")
    def cautions_es_review(self, obj: ProtocolStep | None) -> str:
        return cautions_review_text(obj)


@admin.register(Protocol)
class ProtocolAdmin(ContentAdmin):
    preview_serializer = ProtocolSerializer
    list_display = ["title", "slug", "status", "source", "updated_at"]
    list_filter = ["status", "regions", "source"]
    search_fields = ["title_en", "title_es", "summary_en", "summary_es", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProtocolStepInline]
    actions = [*ContentAdmin.actions, "mark_cautions_reviewed"]
    fields = [
        "title",
        "slug",
        "status",
        "source",
        "summary",
        "regions",
        "preview_link",
        "created_at",
        "updated_at",
    ]

    @admin.action(
        description="Mark the Spanish cautions of every step reviewed", permissions=["change"]
    )
    def mark_cautions_reviewed(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.cautions_mark_reviewed(
            rows=ProtocolStep.objects.filter(protocol__in=queryset), reviewer=reviewer_of(request)
        )
        for protocol in queryset:
            services.protocol_touch(protocol=protocol)
        self.message_user(
            request,
            ngettext("%(count)s step marked reviewed.", "%(count)s steps marked reviewed.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is ProtocolStep:
            for step_form in formset.forms:
                services.cautions_review_follow_edit(
                    row=step_form.instance, changed=step_form.changed_data
                )
        super().save_formset(request, form, formset, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["widgets"] = {"regions": forms.CheckboxSelectMultiple}
        return super().get_form(request, obj, change=change, **kwargs)


class ExerciseMediaForm(forms.ModelForm):
    """A picture or video: the file is checked as the API checks it (type from the bytes,
    size, pixels), then stored by the same service."""

    upload = forms.FileField(
        required=False,
        label="File",
        help_text="A JPEG, PNG or WebP picture (up to 10 MB) or an MP4 or WebM video (up to "
        "200 MB). Pictures are stored without their metadata (location, camera).",
    )
    poster_upload = forms.FileField(
        required=False, label="Poster", help_text="Videos only: the still shown before it plays."
    )

    class Meta:
        model = ExerciseMedia
        fields = ["alt_text"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, poster = data.get("upload"), data.get("poster_upload")
        if self.instance._state.adding and upload is None:
            self.add_error("upload", "Choose a picture or video.")
        for field, file in (("upload", upload), ("poster_upload", poster)):
            if file is None:
                continue
            try:
                sniffed = media.check_upload(file, field=field)
                if sniffed.kind == MediaKind.IMAGE:
                    media.clean_image(file, field=field)  # pixels: refuses a bomb here
                elif field == "poster_upload":
                    raise media.unsupported(field)
            except ValidationError as error:
                self.add_error(field, error.messages)
            except TooLarge as error:
                self.add_error(field, error.message)
        if (
            upload is not None
            and poster is not None
            and not self.errors
            and (head := media.sniff(media.read_head(upload))) is not None
            and head.kind == MediaKind.IMAGE
        ):
            self.add_error("poster_upload", "Only a video takes a poster.")
        return data


class ExerciseMediaInline(admin.StackedInline):
    model = ExerciseMedia
    form = ExerciseMediaForm
    extra = 0
    fields = ["preview", "upload", "poster_upload", "alt_text", "details"]
    readonly_fields = ["preview", "details"]
    verbose_name = "picture or video"
    verbose_name_plural = "pictures and videos"

    @admin.display(description="Shown")
    def preview(self, obj: ExerciseMedia | None) -> str:
        if obj is None or obj._state.adding:
            return "–"
        if obj.kind == MediaKind.IMAGE:
            return format_html(
                '<img src="{}" alt="{}" style="max-width: 240px; max-height: 180px">',
                obj.file.url,
                obj.alt_text,
            )
        return format_html('<a href="{}">Video ({})</a>', obj.file.url, obj.content_type)

    @admin.display(description="File")
    def details(self, obj: ExerciseMedia | None) -> str:
        if obj is None or obj._state.adding:
            return "–"
        size = f"{obj.size_bytes / 1024:.0f} KB"
        shape = f"{obj.width} × {obj.height} px" if obj.width else "size unknown"
        extra = ""
        if obj.kind == MediaKind.IMAGE:
            extra = f", {obj.renditions.count()} smaller copies"
        elif obj.duration_seconds is not None:
            extra = f", {obj.duration_seconds:g} s"
        return f"{obj.content_type}, {size}, {shape}{extra}"


@admin.register(Exercise)
class ExerciseAdmin(ContentAdmin):
    preview_serializer = ExerciseSerializer
    list_display = ["name", "slug", "target_area", "status", "source", "updated_at"]
    list_filter = ["status", "target_area", "regions", "source"]
    search_fields = ["name_en", "name_es", "summary_en", "summary_es", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "status",
        "source",
        "summary",
        "instructions",
        "target_area",
        "regions",
        ("default_sets", "default_reps", "default_hold_seconds"),
        "cautions",
        "cautions_es",
        "cautions_es_review",
        "media_url",
        "preview_link",
        "created_at",
        "updated_at",
    ]
    inlines = [ExerciseMediaInline]
    readonly_fields = [*ContentAdmin.readonly_fields, "cautions_es_review"]
    actions = [*ContentAdmin.actions, "mark_cautions_reviewed"]

    @admin.display(description="Spanish cautions reviewed")
    def cautions_es_review(self, obj: Exercise | None) -> str:
        return cautions_review_text(obj)

    @admin.action(description="Mark the Spanish cautions reviewed", permissions=["change"])
    def mark_cautions_reviewed(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.cautions_mark_reviewed(rows=queryset, reviewer=reviewer_of(request))
        self.message_user(
            request,
            ngettext(
                "%(count)s exercise marked reviewed.", "%(count)s exercises marked reviewed.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: ContentItem, form, change: bool) -> None:
        if isinstance(obj, ReviewedCautions):
            services.cautions_review_follow_edit(row=obj, changed=form.changed_data)
        super().save_model(request, obj, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The library only: an exercise a physiotherapist wrote is theirs and their
        # patients' (docs/decisions/own-exercises-visibility.md).
        return super().get_queryset(request).filter(owner__isnull=True)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["widgets"] = {"regions": forms.CheckboxSelectMultiple}
        return super().get_form(request, obj, change=change, **kwargs)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not ExerciseMedia:
            return super().save_formset(request, form, formset, change)
        # Through the services, as the API does: generated names, clean copies, renditions.
        # The lists formset.save() would fill are filled for the admin's history message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item_form in formset.forms:
            if not item_form.has_changed() and item_form not in formset.deleted_forms:
                continue
            item = item_form.instance
            if item_form in formset.deleted_forms:
                if not item._state.adding:
                    services.exercise_media_delete(media=item)
                    formset.deleted_objects.append(item)
            elif not item._state.adding:
                services.exercise_media_update(
                    media=item, alt_text=item_form.cleaned_data["alt_text"]
                )
                formset.changed_objects.append((item, ["alt_text"]))
            else:
                formset.new_objects.append(
                    services.exercise_media_add(
                        exercise=form.instance,
                        file=item_form.cleaned_data["upload"],
                        alt_text=item_form.cleaned_data["alt_text"],
                        poster=item_form.cleaned_data.get("poster_upload"),
                        by=request.user,
                    )
                )
        return None


def reviewer_of(request: HttpRequest) -> str:
    """Who marks a translation reviewed, as stored with the mark: the editor's e-mail."""
    return getattr(request.user, "email", "") or str(request.user)


@admin.register(RedFlagTranslation)
class RedFlagTranslationAdmin(admin.ModelAdmin):
    """A red flag's title and advice in another language. Served to patients only once an
    editor has marked it reviewed (the action records who and when); changing the title or
    the advice takes the mark away until it is reviewed again."""

    list_display = ["code", "language", "title", "reviewed_by", "reviewed_at"]
    list_filter = ["language", ("reviewed_at", admin.EmptyFieldListFilter)]
    fields = ["code", "language", "title", "advice", "reviewed_by", "reviewed_at"]
    readonly_fields = ["reviewed_by", "reviewed_at"]
    actions = ["mark_reviewed", "unmark_reviewed"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code and language say what is translated: fixed once stored.
        fixed = ["code", "language"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: RedFlagTranslation, form, change: bool) -> None:
        services.red_flag_translation_save(translation=obj, changed=form.changed_data)

    @admin.action(description="Mark reviewed: serve these translations", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.red_flag_translations_mark_reviewed(
            translations=queryset, reviewer=reviewer_of(request)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)s translation marked reviewed.",
                "%(count)s translations marked reviewed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description="Take the review back: serve English", permissions=["change"])
    def unmark_reviewed(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.red_flag_translations_unmark_reviewed(translations=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s translation now served in English.",
                "%(count)s translations now served in English.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
