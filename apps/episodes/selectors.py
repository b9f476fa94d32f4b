"""Reads for episodes and goals, scoped to the caller: a patient sees their own
episodes; a physiotherapist the episodes of the patients linked to them now (whoever
leads the episode, like plans) that belong to a clinic they work in (docs/api.md, "Who
may act on an episode")."""

from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import Role, User
from apps.clinics.selectors import clinic_ids_of

from .models import Episode, Goal


def episodes_for(*, user: User) -> QuerySet[Episode]:
    episodes = Episode.objects.select_related("patient", "physio", "condition").order_by(
        "-started_on", "-created_at", "-id"
    )
    if user.role == Role.PATIENT:
        return episodes.filter(patient=user)
    if user.role == Role.PHYSIO:
        return episodes.filter(
            patient__physio_links__physio=user,
            patient__physio_links__ended_at__isnull=True,
            clinic__in=clinic_ids_of(user=user),
        )
    return episodes.none()


def _with_clinic_named(row: dict[str, Any]) -> dict[str, Any]:
    """A report frozen before reports named the clinic gets the episode's clinic, as
    `GET episodes/{id}/report/` serves it (a handover keeps episodes in their clinic)."""
    clinic = {"id": str(row.pop("clinic__id")), "name": row.pop("clinic__name")}
    report = row["report"]
    if report and "clinic" not in report.get("episode", {}):
        row["report"] = {**report, "episode": {**report["episode"], "clinic": clinic}}
    return row


def export_for(patient: User) -> dict[str, Any]:
    """The patient's episodes and goals for `GET me/export/` (frozen reports included)."""
    return {
        "episodes": [
            _with_clinic_named(dict(row))
            for row in Episode.objects.filter(patient=patient)
            .order_by("started_on", "created_at")
            .values(
                "id",
                "title",
                "condition__slug",
                "started_on",
                "status",
                "physio__email",
                "discharged_at",
                "note",
                "report",
                "created_at",
                "clinic__id",
                "clinic__name",
            )
        ],
        "goals": [
            {**row, "target": float(row["target"])}
            for row in Goal.objects.filter(episode__patient=patient)
            .order_by("created_at")
            .values("id", "episode_id", "description", "instrument", "target", "due_on")
        ],
    }
