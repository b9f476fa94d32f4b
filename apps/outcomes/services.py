"""Writes for outcome measures: loading instruments, schedules, scored responses."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast
from uuid import UUID

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CareTeamLink, User
from apps.accounts.selectors import is_linked
from apps.episodes.services import episode_for_new_work
from backend import hooks
from backend.bulk import (
    BulkItem,
    BulkResult,
    ItemError,
    ItemStatus,
    Valid,
    first_copies,
    item_error,
    results_in_order,
    valid_items,
)
from backend.errors import Conflict

from . import reminders, scoring
from .errors import OutcomeError
from .models import (
    Instrument,
    InstrumentVersion,
    OutcomeResponse,
    OutcomeSchedule,
    ScheduleEndReason,
)
from .selectors import enabled_version_of, short_name

INSTRUMENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "instruments"
# A physio and a patient may be a day apart across zones: "today" for one is "yesterday"
# for the other.
STARTS_ON_GRACE = timedelta(days=1)
STARTS_ON_LIMIT = timedelta(days=365)


# --- Instruments as data --------------------------------------------------------------------


@dataclass
class InstrumentReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_switch: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} versions created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_switch)} instruments switched "
            "on or off in the admin kept as they are"
        )


def _version_fields(entry: dict[str, Any]) -> dict[str, Any]:
    scoring_ = entry.get("scoring") or {}

    def decimal(value: object) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return {
        "title": entry["title"],
        "question": entry.get("question", ""),
        "items": [dict(item) for item in entry["items"]],
        "answers": [dict(answer) for answer in entry.get("answers", [])],
        "named_by_patient": bool(entry.get("named_by_patient", False)),
        "min_items": entry.get("min_items"),
        "max_items": entry.get("max_items"),
        "method": scoring_["method"],
        "score_item": scoring_.get("score_item", ""),
        "lookup_table": [[int(raw), float(score)] for raw, score in scoring_.get("table", [])],
        "score_min": decimal(scoring_["min"]),
        "score_max": decimal(scoring_["max"]),
        "higher_is_better": bool(scoring_["higher_is_better"]),
        "mcid": decimal(scoring_["mcid"]),
        "mcid_percent": decimal(scoring_.get("mcid_percent")),
        "source": " ".join(str(entry["source"]).split()),
        "licence": " ".join(str(entry["licence"]).split()),
    }


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, Decimal) or isinstance(current, Decimal):
        return current is None or wanted is None or Decimal(current) != Decimal(wanted)
    return bool(current != wanted)


@transaction.atomic
def instrument_load(
    *, data: dict[str, Any], report: InstrumentReport | None = None, overwrite_edited: bool = False
) -> Instrument:
    """Create or update one instrument and its versions from data (a fixture file's
    content). A version with responses keeps its wording: data that changes it is refused
    (ValidationError naming the version), since a validated instrument's text is fixed.
    Which version is enabled follows the data, unless someone switched a version of this
    instrument on or off in the admin (kept, like content edited in the admin)."""
    report = report if report is not None else InstrumentReport()
    code = data["code"]
    instrument, _created = Instrument.objects.get_or_create(
        code=code, defaults={"url": data["url"]}
    )
    if instrument.url != data["url"]:
        instrument.url = data["url"]
        instrument.full_clean()
        instrument.save(update_fields=["url"])

    existing = {version.version: version for version in instrument.versions.all()}
    keep_switch = not overwrite_edited and any(v.edited_in_admin for v in existing.values())
    if keep_switch:
        report.kept_switch.append(code)
    wanted_enabled: dict[str, bool] = {}
    versions: list[InstrumentVersion] = []
    for entry in data["versions"]:
        label = f"{code} v{entry['version']}"
        fields = _version_fields(entry)
        found = existing.get(str(entry["version"]))
        created = found is None
        version = found or InstrumentVersion(instrument=instrument, version=str(entry["version"]))
        changed = [
            name for name, value in fields.items() if _differs(getattr(version, name), value)
        ]
        for name in changed:
            setattr(version, name, fields[name])
        if keep_switch:
            wanted_enabled[version.version] = version.enabled if not created else False
        else:
            wanted_enabled[version.version] = bool(entry.get("enabled", True))
        if created or changed:
            # Saved switched off first: the one-enabled constraint holds at every step.
            version.enabled = False
            try:
                version.full_clean(validate_constraints=False)
            except ValidationError as error:
                raise ValidationError(f"{label}: {'; '.join(error.messages)}") from error
            version.save()
            (report.created if created else report.updated).append(label)
        else:
            report.unchanged.append(label)
        versions.append(version)

    if sum(wanted_enabled.values()) > 1:
        raise ValidationError(f"{code}: at most one version may be enabled.")
    if not keep_switch:
        for version in versions:
            version.edited_in_admin = False
    to_switch = [v for v in versions if v.enabled != wanted_enabled[v.version]]
    if any(wanted_enabled.values()) and not keep_switch:
        # Enabling one version switches off any other (one enabled per instrument).
        InstrumentVersion.objects.filter(instrument=instrument, enabled=True).exclude(
            version__in=[v for v, on in wanted_enabled.items() if on]
        ).update(enabled=False)
    for version in sorted(to_switch, key=lambda v: wanted_enabled[v.version]):
        version.enabled = wanted_enabled[version.version]
        version.save(update_fields=["enabled", "edited_in_admin", "updated_at"])
    if to_switch:
        _schedules_resync(instrument=instrument)
    return instrument


@transaction.atomic
def instruments_load(
    *, paths: Iterable[Path] | None = None, overwrite_edited: bool = False
) -> InstrumentReport:
    """Load every instrument file (fixtures/instruments/*.yaml); safe to run again."""
    report = InstrumentReport()
    for path in sorted(paths if paths is not None else INSTRUMENT_DIR.glob("*.yaml")):
        instrument_load(
            data=yaml.safe_load(path.read_text(encoding="utf-8")),
            report=report,
            overwrite_edited=overwrite_edited,
        )
    return report


def on_bootstrap(sender: object, *, options: dict[str, Any], **kwargs: Any) -> list[str]:
    """`manage.py bootstrap`: load or update the outcome instruments."""
    report = instruments_load(overwrite_edited=options.get("overwrite_edited", False))
    return [
        f"Outcome instruments: {report.summary()}.",
        *(f"  kept the admin's on/off choice for {code}" for code in report.kept_switch),
    ]


def _schedules_resync(*, instrument: Instrument, now: datetime | None = None) -> None:
    for schedule in OutcomeSchedule.objects.filter(
        instrument=instrument, ended_at__isnull=True
    ).select_related("patient"):
        reminders.schedule_reminders_sync(schedule=schedule, now=now)


@transaction.atomic
def instrument_version_set_enabled(*, version: InstrumentVersion, enabled: bool) -> None:
    """Switch a version on or off (editors, in the admin). Switching one on switches off
    the instrument's other versions. Schedules of an instrument with no enabled version
    stop reminding (and are not due) until one is switched on again."""
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if enabled:
        InstrumentVersion.objects.filter(instrument_id=version.instrument_id, enabled=True).exclude(
            pk=version.pk
        ).update(enabled=False, edited_in_admin=True, updated_at=timezone.now())
    version.enabled = enabled
    version.edited_in_admin = True
    version.save(update_fields=["enabled", "edited_in_admin", "updated_at"])
    _schedules_resync(instrument=version.instrument)


# --- Schedules ------------------------------------------------------------------------------


def _unknown_instrument(code: str) -> ValidationError:
    return ValidationError(
        {
            "instrument": ValidationError(
                _("'%(instrument)s' is not an instrument in use."),
                code=OutcomeError.UNKNOWN_INSTRUMENT,
                params={"instrument": code},
            )
        }
    )


@transaction.atomic
def outcome_schedule_create(
    *,
    physio: User,
    patient: User,
    instrument: str,
    every_days: int,
    starts_on: date,
    episode: UUID | str | None = None,
    now: datetime | None = None,
) -> OutcomeSchedule:
    """A linked physiotherapist asks the patient to answer an instrument every `every_days`
    days from `starts_on`; the questionnaire reminders are planned at once. `episode` (an
    id, optional): the episode of care it joins; without it, the physio's active episode
    with the patient, opened if there is none."""
    now = now or timezone.now()
    if not is_linked(physio=physio, patient=patient):
        raise ValidationError(
            {"patient": ValidationError(_("Not a patient you are linked to."), code="not_linked")}
        )
    version = enabled_version_of(instrument)
    if version is None:
        raise _unknown_instrument(instrument)
    today = now.astimezone(patient.zone).date()
    if starts_on < today - STARTS_ON_GRACE:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    _("Must not be before the patient's today."), code=OutcomeError.STARTS_IN_PAST
                )
            }
        )
    if starts_on > today + STARTS_ON_LIMIT:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    _("Must be within a year."), code=OutcomeError.STARTS_TOO_LATE
                )
            }
        )
    # Locked until the schedule is stored: a discharge at the same moment waits, then ends it.
    joined = episode_for_new_work(
        physio=physio, patient=patient, episode_id=episode, starts_on=starts_on, now=now
    )
    schedule = OutcomeSchedule(
        patient=patient,
        physio=physio,
        episode=joined,
        instrument=version.instrument,
        every_days=every_days,
        starts_on=starts_on,
    )
    schedule.full_clean(validate_constraints=False)
    # The instrument by its published name ("LEFS"; a validated translation's, if stored).
    published = version.translation_for(translation.get_language() or "") or {}
    exists = Conflict(
        _("The patient already has an active %(instrument)s schedule; end it first.")
        % {"instrument": short_name(published.get("title") or version.title)},
        OutcomeError.SCHEDULE_EXISTS,
    )
    if OutcomeSchedule.objects.filter(
        patient=patient, instrument=version.instrument, ended_at__isnull=True
    ).exists():
        raise exists
    try:
        with transaction.atomic():
            schedule.save(force_insert=True)
    except IntegrityError as error:  # a concurrent request made it first
        raise exists from error
    reminders.schedule_reminders_start(schedule=schedule, now=now)
    return schedule


@transaction.atomic
def outcome_schedule_end(
    *,
    schedule: OutcomeSchedule,
    by: User | None,
    reason: str = ScheduleEndReason.ENDED,
    now: datetime | None = None,
) -> OutcomeSchedule:
    """End a schedule: it is no longer due and its pending reminders are cancelled. Its
    responses stay (the patient's record)."""
    now = now or timezone.now()
    schedule = (
        OutcomeSchedule.objects.select_for_update().select_related("patient").get(pk=schedule.pk)
    )
    if schedule.ended_at is not None:
        raise Conflict(_("This schedule has already ended."), OutcomeError.SCHEDULE_ENDED)
    schedule.ended_at = now
    schedule.ended_by = by
    schedule.end_reason = reason
    schedule.save(update_fields=["ended_at", "ended_by", "end_reason"])
    reminders.schedule_reminders_sync(schedule=schedule, now=now)
    return schedule


def on_care_link_ended(sender: object, *, link: CareTeamLink, **kwargs: Any) -> None:
    """The `care_link_ended` hook: the physiotherapist's schedules for that patient stop
    (and their reminders with them) in the transaction that ends the link."""
    for schedule in OutcomeSchedule.objects.filter(
        patient_id=link.patient_id, physio_id=link.physio_id, ended_at__isnull=True
    ):
        outcome_schedule_end(schedule=schedule, by=link.ended_by, reason=ScheduleEndReason.UNLINKED)


# --- Responses: load, check and score, judge, persist, announce ----------------------------


class AnswerFields(TypedDict):
    item: str
    value: int
    label: NotRequired[str]


class ResponseFields(TypedDict):
    """A response as the phone sent it, validated (docs/api.md, Outcome measures)."""

    client_id: UUID
    instrument: str
    version: NotRequired[str]
    answers: list[AnswerFields]
    completed_at: datetime


@dataclass(frozen=True)
class Outcome:
    response: OutcomeResponse
    created: bool


GroupKey = tuple[str, UUID | None]  # (instrument, schedule id or None when unscheduled)


def _group_key(response: OutcomeResponse) -> GroupKey:
    return (response.instrument_id, response.schedule_id)


def _timeline_order(response: OutcomeResponse) -> tuple[datetime, bool, datetime]:
    # Oldest first; at the same instant a stored response comes before a new one, and the
    # stable sort keeps new ones in the order they were sent.
    return (
        response.completed_at,
        response._state.adding,
        # An unsaved response has no created_at yet (the stubs type the field as set).
        response.created_at or response.completed_at,  # type: ignore[truthy-bool]
    )


def _activities_of(response: OutcomeResponse) -> dict[str, str]:
    return {str(row["item"]): row.get("label") or "" for row in response.answers}


@dataclass
class ScoringContext:
    """What scoring a batch reads, once: the enabled version and the patient's active
    schedule of each instrument sent, the groups (instrument, schedule) they join with
    their stored responses oldest first, and each version's definition."""

    versions: dict[str, InstrumentVersion]
    schedules: dict[str, OutcomeSchedule]
    groups: dict[GroupKey, list[OutcomeResponse]]
    definitions: dict[int, scoring.Definition]

    def group_of(self, version: InstrumentVersion) -> list[OutcomeResponse]:
        schedule = self.schedules.get(version.instrument_id)
        return self.groups[(version.instrument_id, schedule.pk if schedule else None)]


class Refused(Exception):
    """An item the service refuses: its errors, as the item's result reports them."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _known_responses(patient: User, client_ids: set[UUID]) -> dict[UUID, OutcomeResponse]:
    """Load: the responses of these client_ids stored before (one query)."""
    return {
        response.client_id: response
        for response in OutcomeResponse.objects.filter(
            patient=patient, client_id__in=client_ids
        ).select_related("version")
    }


def _stored_groups(
    patient: User, schedules: dict[str, OutcomeSchedule], codes: set[str]
) -> dict[GroupKey, list[OutcomeResponse]]:
    """Load: the stored responses of the groups the instruments sent join (one query)."""
    groups: dict[GroupKey, list[OutcomeResponse]] = defaultdict(list)
    if not codes:
        return groups
    in_groups = Q()
    for code in codes:
        schedule = schedules.get(code)
        in_groups |= Q(
            instrument_id=code,
            **({"schedule": schedule} if schedule else {"schedule__isnull": True}),
        )
    for response in (
        OutcomeResponse.objects.filter(in_groups, patient=patient)
        .select_related("version")
        .order_by("completed_at", "created_at")
    ):
        groups[_group_key(response)].append(response)
    return groups


def _scoring_context(patient: User, items: Sequence[Valid[ResponseFields]]) -> ScoringContext:
    """Load: versions, schedules and groups of the instruments sent (three queries)."""
    codes = {item.fields["instrument"] for item in items}
    versions = {
        version.instrument_id: version
        for version in InstrumentVersion.objects.filter(instrument_id__in=codes, enabled=True)
    }
    schedules = {
        schedule.instrument_id: schedule
        for schedule in OutcomeSchedule.objects.filter(
            patient=patient, instrument_id__in=codes, ended_at__isnull=True
        )
    }
    groups = _stored_groups(patient, schedules, codes)
    definitions = {version.pk: version.definition() for version in versions.values()}
    for members in groups.values():
        for response in members:
            if response.version_id not in definitions:
                definitions[response.version_id] = response.version.definition()
    return ScoringContext(versions, schedules, groups, definitions)


def _version_for(fields: ResponseFields, context: ScoringContext) -> InstrumentVersion:
    """Check: the instrument is in use, and the version sent (if any) is its enabled one."""
    version = context.versions.get(fields["instrument"])
    if version is None:
        raise Refused(
            [
                item_error(
                    "instrument",
                    OutcomeError.UNKNOWN_INSTRUMENT,
                    f"{fields['instrument']!r} is not an instrument in use.",
                )
            ]
        )
    if fields.get("version") not in (None, version.version):
        raise Refused(
            [
                item_error(
                    "version",
                    OutcomeError.WRONG_VERSION,
                    f"Version {fields.get('version')!r} of {version.instrument_id} is not the "
                    f"one in use ({version.version!r}).",
                )
            ]
        )
    return version


def _scored(patient: User, fields: ResponseFields, context: ScoringContext) -> OutcomeResponse:
    """Check and score one response against its version and its group's first response
    (a PSFS rates the activities named there); an unsaved response, or Refused."""
    version = _version_for(fields, context)
    members = context.group_of(version)
    definition = context.definitions[version.pk]
    named = _activities_of(members[0]) if definition.named_by_patient and members else None
    try:
        scored = scoring.score_answers(
            definition, scoring.answers_from(fields["answers"]), activities=named
        )
    except scoring.AnswersInvalid as invalid:
        raise Refused([item_error(e.attr, e.code, e.message) for e in invalid.errors]) from None
    return OutcomeResponse(
        client_id=fields["client_id"],
        patient=patient,
        instrument_id=version.instrument_id,
        version=version,
        schedule=context.schedules.get(version.instrument_id),
        answers=[
            {"item": a.item, "value": a.value, **({"label": a.label} if a.label else {})}
            for a in scored.answers
        ],
        score=scored.score,
        completed_at=fields["completed_at"],
    )


@dataclass
class Scored:
    """The batch after checking and scoring: new responses by index, refusals by index."""

    new: dict[int, OutcomeResponse] = field(default_factory=dict)
    refused: dict[int, list[ItemError]] = field(default_factory=dict)


def _score_in_time_order(
    patient: User, items: Sequence[Valid[ResponseFields]], context: ScoringContext
) -> Scored:
    """Score: oldest first, each new response joining its group as it goes (a batch's
    first PSFS names the activities its later ones rate)."""
    batch = Scored()
    for item in sorted(items, key=lambda i: i.fields["completed_at"]):
        try:
            response = _scored(patient, item.fields, context)
        except Refused as refused:
            batch.refused[item.index] = refused.errors
            continue
        batch.new[item.index] = response
        members = context.group_of(response.version)
        members.append(response)
        members.sort(key=_timeline_order)
    return batch


def _judge_group(
    members: list[OutcomeResponse], definitions: dict[int, scoring.Definition]
) -> list[OutcomeResponse]:
    """Write baseline, change and responder on every member (oldest first); return the
    members whose figures changed."""
    if not members:
        return []
    changed = []
    baseline = members[0].score
    for position, response in enumerate(members):
        judged = scoring.judge(
            definitions[response.version_id],
            baseline=None if position == 0 else baseline,
            score=response.score,
        )
        figures = (
            None if position == 0 else baseline,
            judged.change,
            judged.responder.value if judged.responder else "",
        )
        if (response.baseline_score, response.change, response.responder) != figures:
            response.baseline_score, response.change, response.responder = figures
            changed.append(response)
    return changed


def _judged(context: ScoringContext) -> list[OutcomeResponse]:
    """Judge: every touched group against its baseline; the stored responses whose
    figures changed (a response older than the baseline moves it)."""
    restated: list[OutcomeResponse] = []
    for members in context.groups.values():
        restated += [r for r in _judge_group(members, context.definitions) if not r._state.adding]
    return restated


def _stored_responses(
    patient: User,
    new: list[OutcomeResponse],
    restated: list[OutcomeResponse],
    known: dict[UUID, OutcomeResponse],
) -> dict[UUID, OutcomeResponse]:
    """Persist: the new responses in one insert (a copy stored meanwhile by another
    request is skipped, then read into `known`) and the restated figures in one update.
    Returns the responses this request stored, by client_id."""
    created: dict[UUID, OutcomeResponse] = {}
    if new:
        for response in new:
            response.full_clean(
                exclude=["patient", "instrument", "version", "schedule"],
                validate_unique=False,
                validate_constraints=False,
            )
        OutcomeResponse.objects.bulk_create(new, ignore_conflicts=True)
        ours = {response.pk: response for response in new}
        for response in OutcomeResponse.objects.filter(
            patient=patient, client_id__in=[r.client_id for r in new]
        ).select_related("version"):
            if response.pk in ours:
                created[response.client_id] = ours[response.pk]
            else:  # a copy stored by a request that got here first (SQLite only)
                known[response.client_id] = response
    if restated:
        OutcomeResponse.objects.bulk_update(restated, ["baseline_score", "change", "responder"])
    return created


def _announce_responses(patient: User, created: list[OutcomeResponse], now: datetime) -> None:
    """Announce: subscribers (alerts) raise or update the worsening alert in this
    transaction; each answered schedule's reminders move on."""
    if not created:
        return
    stored = sorted(created, key=_timeline_order)
    hooks.logs_recorded.send(
        sender=OutcomeResponse, patient_id=patient.pk, kind=hooks.LogKind.OUTCOME, logs=stored
    )
    for schedule in {r.schedule_id: r.schedule for r in stored if r.schedule}.values():
        schedule.patient = patient
        reminders.schedule_reminders_answered(schedule=schedule, now=now)


@transaction.atomic
def outcome_responses_store(
    *,
    patient: User,
    items: Sequence[BulkItem[ResponseFields]],
    now: datetime | None = None,
) -> list[BulkResult[OutcomeResponse]]:
    """Score and store responses, one result per item in order (offline sync and single
    posts alike). Valid items are stored even when others fail; a known client_id gives
    back the stored response unchanged; of two copies of one client_id the first sent is
    scored, and a later copy gets its result.

    A response joins the patient's active schedule of its instrument (none: the patient's
    unscheduled responses to it). Its baseline is the group's first response by
    `completed_at`; a PSFS response rates the activities named at that first response.

    Queries do not grow with the number of items: the patient's row is locked (racing
    copies of one response wait here, then find it stored), known client_ids, versions,
    schedules and the touched groups are read once each, new rows inserted in bulk.
    """
    now = now or timezone.now()
    items = list(items)
    # Racing requests of one patient queue here; on SQLite writers are serialised anyway
    # and the insert below ignores a copy that slipped through.
    list(User.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))

    valid = valid_items(items)
    known = _known_responses(patient, {item.client_id for item in valid})
    pending = first_copies(valid, known=known)
    context = _scoring_context(patient, pending)
    batch = _score_in_time_order(patient, pending, context)
    restated = _judged(context)
    created = _stored_responses(patient, list(batch.new.values()), restated, known)
    _announce_responses(patient, list(created.values()), now)
    return results_in_order(items, created=created, known=known, refused=batch.refused)


def outcome_response_create(
    *, patient: User, now: datetime | None = None, **fields: Any
) -> Outcome:
    """Store one response (`POST outcome-responses/`); the same client_id again returns the
    stored response. Bad answers raise ValidationError naming the item; nothing is stored."""
    item = BulkItem.valid(0, cast(ResponseFields, fields), fields["client_id"])
    [result] = outcome_responses_store(patient=patient, items=[item], now=now)
    if result.record is None:
        by_attr: dict[str, list[ValidationError]] = defaultdict(list)
        for error in result.errors or []:
            by_attr[str(error["attr"])].append(ValidationError(error["detail"], code=error["code"]))
        raise ValidationError(dict(by_attr))
    return Outcome(result.record, created=result.status == ItemStatus.CREATED)


def on_physio_handover(sender: object, *, physio: User, successor: User, **kwargs: Any) -> None:
    """hooks.physio_handover: the leaving physio's running schedules change hands; their
    questionnaire reminders go on as they were."""
    OutcomeSchedule.objects.filter(physio=physio, ended_at__isnull=True).update(physio=successor)
