"""The tabs of a patient's pages. A feature whose app is not installed yet has no tab; when
its app lands, its pages slot in here (with their urls in portal/urls.py)."""

from dataclasses import dataclass

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise  # translated when shown
    url_name: str
    needs_app: str | None = None


PATIENT_SECTIONS = (
    Section("overview", _("Overview"), "clinic:patient"),
    Section("diary", _("Symptom diary"), "clinic:diary"),
    Section("plan", _("Exercise plan"), "clinic:plan"),
    Section("outcomes", _("Outcome measures"), "clinic:outcomes"),
    Section("episode", _("Episode and goals"), "clinic:episode"),
    Section("messages", _("Messages"), "clinic:messages"),
)


def patient_sections() -> list[Section]:
    return [s for s in PATIENT_SECTIONS if s.needs_app is None or apps.is_installed(s.needs_app)]
