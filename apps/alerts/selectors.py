from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.accounts.models import Role, User
from apps.content.selectors import red_flag_texts_reviewed
from apps.content.vocabulary import RedFlagCode
from apps.outcomes.selectors import instrument_names
from apps.symptoms.models import SymptomLog
from apps.symptoms.selectors import signs_of
from apps.symptoms.vocabulary import LEVEL_RANK

from .models import ACTIVE_STATUSES, ADHERENCE_BELOW_HALF, Alert, AlertKind, AlertStatus
from .worsening import MAX_PAIN_DURING, WorseningCode


def level_rank(field: str = "level", default: int | None = 0) -> Case:
    """LEVEL_RANK as SQL: 3 emergency, 2 urgent, 1 soon, 0 self-care (`default` for a
    level that is none of them, or null)."""
    return Case(
        *(When(**{field: level}, then=Value(value)) for level, value in LEVEL_RANK.items()),
        default=Value(default),
        output_field=IntegerField(),
    )


def _unresolved_first() -> Case:
    return Case(
        When(status=AlertStatus.RESOLVED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def by_urgency(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Unresolved before resolved, then the most severe level first (a red flag is never
    below a worsening or missed-exercise alert), then the newest first. Acknowledging
    changes nothing here: an alert keeps its place until it is resolved."""
    return alerts.annotate(_resolved=_unresolved_first(), _rank=level_rank()).order_by(
        "_resolved", "-_rank", "-created_at", "-id"
    )


def alerts_for(*, user: User) -> QuerySet[Alert]:
    """Alerts the caller may see: a patient's own; a physio's currently linked patients'.
    In the order of `by_urgency`."""
    alerts = Alert.objects.select_related("patient").defer("patient__password")
    if user.role == Role.PATIENT:
        return by_urgency(alerts.filter(patient=user))
    if user.role == Role.PHYSIO:
        return by_urgency(
            alerts.filter(
                patient__physio_links__physio=user, patient__physio_links__ended_at__isnull=True
            )
        )
    return alerts.none()


def export_for(patient: User) -> dict[str, Any]:
    return {
        "alerts": list(
            Alert.objects.filter(patient=patient)
            .order_by("created_at")
            .values(
                "id",
                "kind",
                "level",
                "codes",
                "status",
                "details",
                "recorded_at",
                "created_at",
                "updated_at",
                "resolved_at",
                "resolution_note",
            )
        )
    }


def with_open_alerts(patients: QuerySet[User]) -> QuerySet[User]:
    """Annotate `open_alerts`: alerts not yet acknowledged, one correlated subquery."""
    open_ = Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN).order_by()
    return patients.annotate(
        open_alerts=Coalesce(
            Subquery(
                open_.values("patient").annotate(n=Count("id")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def with_unresolved_alerts(patients: QuerySet[User]) -> QuerySet[User]:
    """Annotate, over each patient's unresolved (open or acknowledged) alerts:
    - `unresolved_alerts`: how many;
    - `most_urgent_alert_level`, `most_urgent_alert_status`: the most severe one's level
      and status (of two as severe, an open one before an acknowledged one: it still
      needs someone; then the newest), or None without one;
    - `most_urgent_alert_rank`: that level's LEVEL_RANK (3 emergency … 0 self-care), or
      None: what the caseload sorts by.
    An acknowledged alert keeps its rank until resolved: acknowledging says someone is on
    it, not that it is less urgent. Three correlated subqueries for any number of patients.
    """
    unresolved = Alert.objects.filter(patient=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    most_urgent = unresolved.annotate(
        _rank=level_rank(),
        _acknowledged=Case(
            When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-_rank", "_acknowledged", "-created_at")
    patients = patients.annotate(
        unresolved_alerts=Coalesce(
            Subquery(
                unresolved.order_by().values("patient").annotate(n=Count("id")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        most_urgent_alert_level=Subquery(most_urgent.values("level")[:1], output_field=CharField()),
        most_urgent_alert_status=Subquery(
            most_urgent.values("status")[:1], output_field=CharField()
        ),
    )
    return patients.annotate(
        most_urgent_alert_rank=level_rank("most_urgent_alert_level", default=None)
    )


def active_alerts_of(*, user: User, patient: User) -> QuerySet[Alert]:
    """The patient's open and acknowledged alerts, as the caller may see them, most
    urgent first (`by_urgency`)."""
    return alerts_for(user=user).filter(patient=patient, status__in=ACTIVE_STATUSES)


def unresolved_alerts_for(*, physio: User) -> QuerySet[Alert]:
    """Every unresolved alert of the physio's linked patients, most urgent first: the
    first part of the portal's "today" list."""
    return alerts_for(user=physio).filter(status__in=ACTIVE_STATUSES)


# --- What a clinician needs to act on an alert ----------------------------------------------


@dataclass(frozen=True)
class AlertContext:
    """An alert with what lies behind it, as words and figures ready to show:
    - `recorded_at`: when the patient recorded what raised it (a red flag: its log's
      time, which for a log synced from offline is before the alert was raised);
    - `log`: the symptom log of a red flag (None otherwise);
    - `signs`: the red-flag reasons and the signs the log reported ("Possible blood clot
      (DVT)", "Swelling: significant", "Redness", ...); for a worsening alert, what is new;
    - `note`: the patient's own note on that log ("" when none);
    - `figures`: the numbers behind it ("Pain 7/10", "Mean pain 3.1 → 5.4",
      "LEFS 50 → 38", "Calf raise: pain 6, 6 (limit 4)", "Exercises done in 7 days: 30 %").
    """

    alert: Alert
    recorded_at: datetime | None
    log: SymptomLog | None
    signs: tuple[str, ...]
    note: str
    figures: tuple[str, ...]


WORSENING_SIGNS = {
    WorseningCode.PAIN_RISING: gettext_noop("Pain rising"),
    WorseningCode.NEW_SWELLING: gettext_noop("New swelling"),
    WorseningCode.NEW_NUMBNESS: gettext_noop("New numbness, tingling or weakness"),
    WorseningCode.NEW_CANNOT_BEAR_WEIGHT: gettext_noop("Newly cannot put weight on the leg"),
    WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT: gettext_noop("Exercise pain above the limit"),
}
MISSED_SIGNS = {ADHERENCE_BELOW_HALF: gettext_noop("Under half of the exercise sessions done")}


def _number(value: Any) -> str:
    """3.1 as "3.1" in English and "3,1" in Spanish; 50.0 as "50"."""
    return number_format(f"{float(value):g}")


def _figures(alert: Alert, names: dict[str, str]) -> list[str]:
    details = alert.details or {}
    figures: list[str] = []
    rising = details.get(WorseningCode.PAIN_RISING)
    if isinstance(rising, dict) and "recent_mean" in rising:
        figures.append(
            _("Mean pain %(before)s → %(after)s (the last 3 days against the week before)")
            % {"before": _number(rising["baseline_mean"]), "after": _number(rising["recent_mean"])}
        )
    above = details.get(WorseningCode.EXERCISE_PAIN_ABOVE_LIMIT)
    if isinstance(above, dict):
        for item in above.get("items") or []:
            figures.append(
                _("%(exercise)s: pain %(pains)s (limit %(limit)s)")
                % {
                    "exercise": item.get("exercise") or _("An exercise"),
                    "pains": ", ".join(str(pain) for pain in item["pains"]),
                    "limit": min(item["max_pain"], MAX_PAIN_DURING),
                }
            )
        if not above.get("items"):  # raised before findings named their items
            figures.append(_("Two sessions in a row with pain above the limit"))
    for code, detail in sorted(details.items()):
        if code.endswith("_worsened") and isinstance(detail, dict) and "score" in detail:
            instrument = detail.get("instrument") or code.removesuffix("_worsened")
            figures.append(
                f"{names.get(instrument, instrument)} "
                f"{_number(detail['baseline'])} → {_number(detail['score'])}"
            )
    if "adherence_7d" in details:
        figures.append(
            _("Exercises done in 7 days: %(percent)s %%")
            % {"percent": round(100 * details["adherence_7d"])}
        )
    return figures


def _signs(alert: Alert, log: SymptomLog | None, reviewed: dict[str, tuple[str, str]]) -> list[str]:
    if alert.kind == AlertKind.RED_FLAG:
        # A red flag's name in the reader's language only where an editor reviewed that
        # translation (content.selectors.red_flag_texts_reviewed, as the diary and the
        # app's log answer do); otherwise its English name. Never a gettext entry.
        reasons = [
            reviewed[code][0] if code in reviewed else str(RedFlagCode(code).label)
            for code in alert.codes
            if code in RedFlagCode.values
        ]
        return reasons + (signs_of(log) if log is not None else [])
    if alert.kind == AlertKind.WORSENING:
        return [_(WORSENING_SIGNS[code]) for code in alert.codes if code in WORSENING_SIGNS]
    return [_(MISSED_SIGNS[code]) if code in MISSED_SIGNS else code for code in alert.codes]


def alert_contexts(alerts: Iterable[Alert]) -> list[AlertContext]:
    """Each alert with its context (AlertContext), in the order given. At most three
    queries for any number of alerts: the red flags' logs, their reviewed translations (not
    in English) and the instruments' names."""
    alerts = list(alerts)
    language = translation.get_language() or "en"
    red_flags = any(alert.kind == AlertKind.RED_FLAG for alert in alerts)
    reviewed = red_flag_texts_reviewed(language) if red_flags else {}
    log_ids = [alert.symptom_log_id for alert in alerts if alert.symptom_log_id]
    logs = {log.pk: log for log in SymptomLog.objects.filter(pk__in=log_ids)} if log_ids else {}
    codes = {
        (detail.get("instrument") or code.removesuffix("_worsened"))
        for alert in alerts
        for code, detail in (alert.details or {}).items()
        if code.endswith("_worsened") and isinstance(detail, dict)
    }
    names = instrument_names(codes, short=True) if codes else {}
    contexts = []
    for alert in alerts:
        log = logs.get(alert.symptom_log_id) if alert.symptom_log_id else None
        figures = _figures(alert, names)
        if log is not None:
            figures.insert(0, _("Pain %(score)s/10") % {"score": log.pain_score})
        contexts.append(
            AlertContext(
                alert=alert,
                recorded_at=log.recorded_at if log is not None else alert.recorded_at,
                log=log,
                signs=tuple(_signs(alert, log, reviewed)),
                note=log.note if log is not None else "",
                figures=tuple(figures),
            )
        )
    return contexts


def open_alerts_per_physio(
    sender: object, *, physio_ids: Iterable[Any], **kwargs: Any
) -> dict[str, dict[Any, int]]:
    """hooks.staff_counts: each physio's count of unresolved (open or acknowledged) alerts
    of the patients linked to them now. One query; counts only."""
    rows = (
        Alert.objects.filter(
            status__in=ACTIVE_STATUSES,
            patient__physio_links__physio_id__in=list(physio_ids),
            patient__physio_links__ended_at__isnull=True,
        )
        .values("patient__physio_links__physio_id")
        .annotate(n=Count("id", distinct=True))
    )
    return {"open_alerts": {row["patient__physio_links__physio_id"]: row["n"] for row in rows}}
