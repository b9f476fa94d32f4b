"""Reads for outcome measures, scoped to the caller; and what other apps compose: the
dashboard's annotation, the patient summary, the export, and what a FHIR builder needs."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import CharField, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from apps.accounts.models import Role, User
from apps.clinics.selectors import clinic_ids_of

from . import due
from .models import InstrumentVersion, OutcomeResponse, OutcomeSchedule


def enabled_versions() -> QuerySet[InstrumentVersion]:
    """The instruments offered now: each instrument's enabled version."""
    return InstrumentVersion.objects.filter(enabled=True).select_related("instrument")


def enabled_version_of(code: str) -> InstrumentVersion | None:
    return enabled_versions().filter(instrument_id=code).first()


_ABBREVIATION = re.compile(r"\(([^()]+)\)\s*$")


def short_name(title: str) -> str:
    """ "Lower Extremity Functional Scale (LEFS)" → "LEFS"; a title without an
    abbreviation in brackets stays whole ("Pain over the past week")."""
    found = _ABBREVIATION.search(title)
    return found.group(1).strip() if found else title


def instrument_names(codes: Iterable[str], *, short: bool = False) -> dict[str, str]:
    """Display names of instruments, by code: the enabled version's title (else the
    newest version's), or its abbreviation with `short`; the code itself for an unknown
    one. One query. The portal shows these, never codes."""
    codes = set(codes)
    titles: dict[str, str] = {}
    for code, title in (
        InstrumentVersion.objects.filter(instrument_id__in=codes)
        .order_by("instrument_id", "enabled", "created_at")
        .values_list("instrument_id", "title")
    ):
        titles[code] = title  # enabled last, then the newest: the last one wins
    return {
        code: (short_name(titles[code]) if short else titles[code]) if code in titles else code
        for code in codes
    }


def schedule_display_name(schedule: OutcomeSchedule, names: dict[str, str]) -> str:
    """ "LEFS every 14 days" ("LEFS cada 14 días") in the active language, each number in
    its plural (`names` from `instrument_names`, short or long; the code when an
    instrument has no name). The one wording of a schedule: the portal's pages use it."""
    name = names.get(schedule.instrument_id, schedule.instrument_id)
    every = schedule.every_days
    return ngettext("%(name)s every day", "%(name)s every %(days)s days", every) % {
        "name": name,
        "days": every,
    }


def _title_of(code_column: str) -> Coalesce:
    """The display name of the instrument in `code_column` (of the outer row), as
    instrument_names gives it: the enabled version's title, else the newest version's,
    else the code."""
    titles = InstrumentVersion.objects.filter(instrument_id=OuterRef(code_column)).order_by(
        "-enabled", "-created_at"
    )
    return Coalesce(Subquery(titles.values("title")[:1]), F(code_column), output_field=CharField())


def with_instrument_name(schedules: QuerySet[OutcomeSchedule]) -> QuerySet[OutcomeSchedule]:
    """Annotate `instrument_name` (one correlated subquery, whatever the number)."""
    return schedules.annotate(instrument_name=_title_of("instrument_id"))


def schedule_instrument_name(schedule: OutcomeSchedule) -> str:
    """A schedule's instrument by name: annotated (with_instrument_name), else one query."""
    name = getattr(schedule, "instrument_name", None)
    if name is None:
        name = instrument_names([schedule.instrument_id])[schedule.instrument_id]
    return str(name)


def schedules_for(*, user: User, patient: User | None = None) -> QuerySet[OutcomeSchedule]:
    """A patient's own schedules; a physio's currently linked patients' schedules in
    episodes of the physio's clinics (narrowed to `patient` when given). Newest first,
    each with its `instrument_name`."""
    schedules = with_instrument_name(
        OutcomeSchedule.objects.select_related("instrument", "patient").order_by(
            "-created_at", "-id"
        )
    )
    if user.role == Role.PATIENT:
        return schedules.filter(patient=user)
    if user.role == Role.PHYSIO:
        schedules = schedules.filter(
            patient__physio_links__physio=user,
            patient__physio_links__ended_at__isnull=True,
            episode__clinic__in=clinic_ids_of(user=user),
        )
        return schedules.filter(patient=patient) if patient is not None else schedules
    return schedules.none()


def responses_for(*, patient: User) -> QuerySet[OutcomeResponse]:
    """The patient's responses, newest first."""
    return (
        OutcomeResponse.objects.filter(patient=patient)
        .select_related("version", "instrument")
        .order_by("-completed_at", "-created_at")
    )


@dataclass(frozen=True)
class DueQuestionnaire:
    schedule: OutcomeSchedule
    version: InstrumentVersion
    due_since: Any  # date: the occurrence that is due
    next_due_on: Any  # date


def due_for(*, patient: User, now: datetime | None = None) -> list[DueQuestionnaire]:
    """The questionnaires due now: each active schedule whose current occurrence (in the
    patient's zone) has no response yet, for an instrument in use."""
    today = (now or timezone.now()).astimezone(patient.zone).date()
    versions = {version.instrument_id: version for version in enabled_versions()}
    schedules = (
        OutcomeSchedule.objects.filter(patient=patient, ended_at__isnull=True)
        .select_related("instrument")
        .annotate(last_completed_at=Max("responses__completed_at"))
        .order_by("starts_on", "created_at")
    )
    result = []
    for schedule in schedules:
        version = versions.get(schedule.instrument_id)
        last = schedule.last_completed_at
        answered_on = last.astimezone(patient.zone).date() if last else None
        if version is None or not due.is_due(
            starts_on=schedule.starts_on,
            every_days=schedule.every_days,
            today=today,
            last_answered_on=answered_on,
        ):
            continue
        result.append(
            DueQuestionnaire(
                schedule=schedule,
                version=version,
                due_since=due.current_occurrence(
                    starts_on=schedule.starts_on, every_days=schedule.every_days, today=today
                ),
                next_due_on=due.next_occurrence(
                    starts_on=schedule.starts_on, every_days=schedule.every_days, today=today
                ),
            )
        )
    return result


# A questionnaire is overdue once its occurrence has waited this many days unanswered: a
# patient who answers the day after is not chased; one who has let two days pass is.
OVERDUE_AFTER_DAYS = 2


@dataclass(frozen=True)
class OverdueQuestionnaire:
    schedule: OutcomeSchedule  # with its patient
    due_since: date  # the occurrence left unanswered, in the patient's zone
    days_overdue: int


def overdue_for(*, physio: User, now: datetime | None = None) -> list[OverdueQuestionnaire]:
    """The questionnaires of a physio's linked patients that have waited at least
    OVERDUE_AFTER_DAYS days unanswered (each schedule's current occurrence, in its
    patient's zone), longest waiting first. One query for any caseload."""
    now = now or timezone.now()
    enabled = enabled_versions().values_list("instrument_id", flat=True)
    schedules = (
        schedules_for(user=physio)
        .filter(ended_at__isnull=True, instrument_id__in=enabled)
        .annotate(last_completed_at=Max("responses__completed_at"))
    )
    result = []
    for schedule in schedules:
        zone = schedule.patient.zone
        today = now.astimezone(zone).date()
        last = schedule.last_completed_at
        since = due.current_occurrence(
            starts_on=schedule.starts_on, every_days=schedule.every_days, today=today
        )
        answered_on = last.astimezone(zone).date() if last else None
        if since is None or due.is_answered(since, answered_on):
            continue
        if (today - since).days >= OVERDUE_AFTER_DAYS:
            result.append(OverdueQuestionnaire(schedule, since, (today - since).days))
    return sorted(
        result, key=lambda item: (-item.days_overdue, item.schedule.patient.email, item.schedule.pk)
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def outcomes_by_instrument(*, patient: User, with_series: bool = True) -> list[dict[str, Any]]:
    """Per instrument the patient answered: the baseline and the latest score of the latest
    response's schedule, the change, the MCID, the responder status and (optionally) the
    series of every score, oldest first. One query."""
    rows: dict[str, list[OutcomeResponse]] = {}
    for response in (
        OutcomeResponse.objects.filter(patient=patient)
        .select_related("version")
        .order_by("completed_at", "created_at")
    ):
        rows.setdefault(response.instrument_id, []).append(response)
    result = []
    for code in sorted(rows):
        responses = rows[code]
        latest = responses[-1]
        baseline = latest.baseline_score if latest.baseline_score is not None else latest.score
        entry = {
            "instrument": code,
            "version": latest.version.version,
            "title": latest.version.title,
            "higher_is_better": latest.version.higher_is_better,
            "baseline": _number(baseline),
            "latest": _number(latest.score),
            "latest_at": latest.completed_at,
            "change": _number(latest.change),
            "mcid": _number(latest.version.mcid),
            "mcid_percent": _number(latest.version.mcid_percent),
            "responder": latest.responder or None,
        }
        if with_series:
            entry["series"] = [
                {"completed_at": r.completed_at, "score": _number(r.score)} for r in responses
            ]
        result.append(entry)
    return result


def outcomes_summary_for(patient: User) -> list[dict[str, Any]]:
    """For the physiotherapist's patient summary: per instrument, baseline, latest, change,
    MCID and responder status (no series)."""
    return outcomes_by_instrument(patient=patient, with_series=False)


def with_latest_outcome_change(patients: QuerySet[User]) -> QuerySet[User]:
    """Annotate each patient with their latest response's `outcome_instrument` (and its
    `outcome_instrument_name`), `outcome_change` and `outcome_responder` (null without responses or for a baseline) and
    `outcome_completed_at`: one correlated subquery each, so a dashboard's query count does
    not grow with its patients."""
    latest = OutcomeResponse.objects.filter(patient=OuterRef("pk")).order_by(
        "-completed_at", "-created_at"
    )
    return patients.annotate(
        outcome_instrument=Subquery(latest.values("instrument")[:1]),
        outcome_instrument_name=Subquery(
            latest.annotate(name=_title_of("instrument_id")).values("name")[:1]
        ),
        outcome_change=Subquery(latest.values("change")[:1]),
        outcome_responder=Subquery(latest.values("responder")[:1]),
        outcome_completed_at=Subquery(latest.values("completed_at")[:1]),
    )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # UUIDs


def _rows(queryset: QuerySet[Any], fields: list[str]) -> list[dict[str, Any]]:
    return [
        {name: _jsonable(value) for name, value in row.items()} for row in queryset.values(*fields)
    ]


def export_for(patient: User) -> dict[str, list[dict[str, Any]]]:
    """The patient's schedules and responses for `GET me/export/`, JSON-safe."""
    return {
        "outcome_schedules": _rows(
            OutcomeSchedule.objects.filter(patient=patient).order_by("created_at"),
            [
                "id",
                "instrument",
                "every_days",
                "starts_on",
                "physio__email",
                "created_at",
                "ended_at",
                "end_reason",
            ],
        ),
        "outcome_responses": _rows(
            OutcomeResponse.objects.filter(patient=patient).order_by("completed_at"),
            [
                "id",
                "client_id",
                "instrument",
                "version__version",
                "schedule",
                "answers",
                "score",
                "baseline_score",
                "change",
                "responder",
                "completed_at",
                "created_at",
            ],
        ),
    }


def fhir_responses_for(*, patient: User) -> QuerySet[OutcomeResponse]:
    """What a FHIR builder needs for QuestionnaireResponses and score Observations: each
    response with its version (Questionnaire.version, item wording, answer labels, scoring)
    and instrument (`url`, the canonical Questionnaire.url), oldest first."""
    return (
        OutcomeResponse.objects.filter(patient=patient)
        .select_related("version", "instrument")
        .order_by("completed_at", "created_at")
    )


def fhir_questionnaires_for(*, patient: User) -> QuerySet[InstrumentVersion]:
    """The instrument versions the patient answered (one FHIR Questionnaire each:
    `instrument.url` + `version`)."""
    return (
        InstrumentVersion.objects.filter(responses__patient=patient)
        .select_related("instrument")
        .distinct()
        .order_by("instrument_id", "version")
    )


def instrument_canonical(version: InstrumentVersion) -> str:
    """The versioned canonical reference, as FHIR's `questionnaire` element wants it."""
    return f"{version.instrument.url}|{version.version}"
