from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, FloatField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.accounts.models import User

from . import triage
from .models import SymptomLog
from .services import HINT_MAX_LOGS, HINT_WINDOW, facts_of
from .vocabulary import Swelling


def symptom_logs_for(*, patient: User) -> QuerySet[SymptomLog]:
    """A patient's own logs, newest first. Callers pass the patient they are allowed
    to read: the caller itself, or a linked patient (accounts.selectors)."""
    return SymptomLog.objects.filter(patient=patient).order_by("-recorded_at")


def symptom_trend(*, patient: User, days: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Daily mean, max and count of pain over the last `days` days, computed by the
    database, with days counted in the patient's own time zone; empty days included."""
    zone = patient.zone
    today = (now or timezone.now()).astimezone(zone).date()
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    rows = (
        SymptomLog.objects.filter(patient=patient, recorded_at__gte=start)
        .annotate(day=TruncDate("recorded_at", tzinfo=zone))
        .values("day")
        .annotate(mean_pain=Avg("pain_score"), max_pain=Max("pain_score"), count=Count("id"))
        .order_by("day")
    )
    by_day: dict[date, Any] = {row["day"]: row for row in rows}
    # A phone clock a little fast may log "tomorrow" just before midnight (up to 5
    # minutes ahead is accepted): then the window ends on that day, so the log shows.
    last_day = max([today, *by_day])
    first_day = last_day - timedelta(days=days - 1)
    trend = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        row = by_day.get(day)
        trend.append(
            {
                "date": day,
                "mean_pain": round(float(row["mean_pain"]), 1) if row else None,
                "max_pain": row["max_pain"] if row else None,
                "count": row["count"] if row else 0,
            }
        )
    return trend


def export_for(patient: User) -> dict[str, Any]:
    """Every symptom log of the patient, oldest first, for the export."""
    fields = [f.name for f in SymptomLog._meta.concrete_fields if f.name != "patient"]
    return {
        "symptom_logs": list(
            SymptomLog.objects.filter(patient=patient).order_by("recorded_at").values(*fields)
        )
    }


def with_pain_figures(patients: QuerySet[User], *, now: datetime | None = None) -> QuerySet[User]:
    """Annotate `latest_pain`, `last_log_at` and `pain_change_7d` (mean pain of the last 7
    days minus the mean of the 7 days before). One correlated subquery per figure: a
    figure derived from two annotations would make Django repeat both in the SQL."""
    now = now or timezone.now()
    week_ago, two_weeks_ago = now - timedelta(days=7), now - timedelta(days=14)
    logs = SymptomLog.objects.filter(patient=OuterRef("pk"))
    newest = logs.order_by("-recorded_at")
    pain_change = Subquery(
        logs.filter(recorded_at__gte=two_weeks_ago, recorded_at__lt=now + timedelta(minutes=5))
        .order_by()
        .values("patient")
        .annotate(
            change=Avg("pain_score", filter=Q(recorded_at__gte=week_ago), output_field=FloatField())
            - Avg("pain_score", filter=Q(recorded_at__lt=week_ago), output_field=FloatField())
        )
        .values("change")[:1],
        output_field=FloatField(),
    )
    return patients.annotate(
        latest_pain=Subquery(newest.values("pain_score")[:1]),
        last_log_at=Subquery(newest.values("recorded_at")[:1]),
        pain_change_7d=pain_change,
    )


def referred_pain_hints_for(*, patient: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """The referred-pain hint over the patient's recent logs (docs/domain.md), as shown on
    the physiotherapist's summary: a list with the hint, or empty."""
    recent = symptom_logs_for(patient=patient).filter(
        recorded_at__gte=(now or timezone.now()) - HINT_WINDOW
    )[:HINT_MAX_LOGS]
    hint = triage.referred_pain_hint([facts_of(log) for log in recent])
    return [asdict(hint)] if hint else []


# What a log reports beyond its pain score, in words a clinician reads at a glance: the
# diary and an alert's context show these (docs/api.md, "The clinician's day").
SIGN_WORDS = (
    ("redness", gettext_noop("Redness")),
    ("warmth", gettext_noop("Warmth")),
    ("tenderness", gettext_noop("Tenderness")),
    ("fever", gettext_noop("Fever")),
    ("numbness_tingling", gettext_noop("Numbness or tingling")),
    ("weakness", gettext_noop("Weakness")),
    ("neuro_worsening", gettext_noop("Numbness or weakness getting worse")),
    ("sleep_disturbed", gettext_noop("Pain disturbs sleep")),
    ("daily_activities_limited", gettext_noop("Pain limits daily activities")),
    ("knee_locking", gettext_noop("Knee locking or catching")),
    ("recent_knee_injury", gettext_noop("Recent knee injury")),
    ("sudden_onset", gettext_noop("Sudden onset")),
    ("saddle_numbness", gettext_noop("Saddle numbness")),
    ("bladder_bowel_change", gettext_noop("Bladder or bowel change")),
)


def signs_of(log: SymptomLog) -> list[str]:
    """The signs a log reports, as words ("Swelling: significant", "Redness", "Cannot
    bear weight", ...), in a fixed order; empty when it reports none."""
    signs = []
    if log.swelling != Swelling.NONE:
        signs.append(_("Swelling: %(degree)s") % {"degree": Swelling(log.swelling).label.lower()})
    if not log.can_bear_weight:
        signs.append(_("Cannot bear weight"))
    signs += [_(word) for field, word in SIGN_WORDS if getattr(log, field)]
    return signs


def symptom_diary_for(
    *, patient: User, levels: Iterable[str] | None = None
) -> QuerySet[SymptomLog]:
    """The patient's symptom diary, newest first, optionally only logs triaged at
    `levels`. Callers pass a patient they may read (the caller, or a linked patient);
    the portal pages it (each log with `signs_of`, its note, level and codes)."""
    logs = symptom_logs_for(patient=patient).order_by("-recorded_at", "-id")
    if levels is not None:
        logs = logs.filter(triage_level__in=list(levels))
    return logs
