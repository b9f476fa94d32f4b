"""The tabs of a patient's pages. A feature whose app is not installed yet has no tab; when
its app lands, its pages slot in here (with their urls in portal/urls.py)."""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    needs_app: str | None = None


PATIENT_SECTIONS = (
    Section("overview", "Overview", "clinic:patient"),
    Section("diary", "Symptom diary", "clinic:diary"),
    Section("plan", "Exercise plan", "clinic:plan"),
    Section("outcomes", "Outcome measures", "clinic:outcomes"),
    Section("episode", "Episode and goals", "clinic:episode"),
    Section("messages", "Messages", "clinic:messages"),
)


def patient_sections() -> list[Section]:
    return [s for s in PATIENT_SECTIONS if s.needs_app is None or apps.is_installed(s.needs_app)]
