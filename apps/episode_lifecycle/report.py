"""An episode's report (docs/domain.md, Episodes and discharge) as plain JSON-safe data:
what the JSON endpoint returns, what the PDF renders, and what discharge freezes in
`Episode.report`. Pure over selectors: reads only, writes nothing.

Over the episode's window (its start to its discharge, or today, in the patient's zone):
- pain: the mean of the patient's symptom logs in the first 7 days and in the last 7
  days, the change, judged against an MCID of 2 points (lower is better; on a window
  shorter than 14 days the two weeks overlap), and the daily means with a red-flag mark
  for days with an urgent or emergency log;
- outcomes: per instrument, the episode's first (baseline) and latest scores, the change
  and the responder status by the instrument's own MCID;
- goals with their computed status; adherence per week (7-day blocks from the start)
  and over the last seven days (apps.plans.adherence, the caseload's figure);
  alerts raised in the window by kind; the physiotherapist's note; the disclaimer.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, Count, IntegerField, Max, Sum, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import Alert
from apps.content.vocabulary import DISCLAIMER
from apps.episodes.models import Episode, EpisodeStatus
from apps.outcomes import scoring
from apps.outcomes.models import InstrumentVersion, OutcomeResponse
from apps.plans.adherence import plan_adherence, plans_adherence, window_ending
from apps.symptoms.models import SymptomLog
from apps.symptoms.vocabulary import Level

from .selectors import (
    episode_responses,
    episode_window,
    goal_rows,
    plans_with_items_of,
    versions_by_code,
    window_bounds,
)

PAIN_MCID = 2  # points on the 0-10 scale (docs/domain.md, Farrar 2001)
RED_FLAG_LEVELS = (Level.URGENT, Level.EMERGENCY)
WEEK = 7


def _number(value: Decimal | float | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def _person(user: User | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"id": str(user.id), "email": user.email, "display_name": user.shown_name}


def _episode_part(episode: Episode) -> dict[str, Any]:
    ended = (
        episode.discharged_at.astimezone(episode.patient.zone).date().isoformat()
        if episode.discharged_at
        else None
    )
    condition = episode.condition
    return {
        "id": str(episode.id),
        "title": episode.title,
        "condition": {"slug": condition.slug, "name": condition.name} if condition else None,
        "started_on": episode.started_on.isoformat(),
        "ended_on": ended,
        "status": episode.status,
        "patient": _person(episode.patient),
        "physio": _person(episode.physio),
        "clinic": _clinic(episode),
    }


def _clinic(episode: Episode) -> dict[str, str]:
    """The clinic that owns the episode, named on the report and its PDF."""
    clinic = episode.clinic
    return {"id": str(clinic.id), "name": clinic.name}


def pain_responder(change: float | None) -> str | None:
    """Lower pain is better: a fall of 2 or more is improved, a rise of 2 or more worse."""
    if change is None:
        return None
    if change <= -PAIN_MCID:
        return scoring.Responder.IMPROVED.value
    if change >= PAIN_MCID:
        return scoring.Responder.WORSENED.value
    return scoring.Responder.NO_CHANGE.value


def _pain(
    episode: Episode, first: date, last: date, start: datetime, end: datetime
) -> dict[str, Any]:
    zone = episode.patient.zone
    rows = (
        SymptomLog.objects.filter(
            patient_id=episode.patient_id, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(day=TruncDate("recorded_at", tzinfo=zone))
        .values("day")
        .annotate(
            total=Sum("pain_score"),
            count=Count("id"),
            mean=Avg("pain_score"),
            red=Max(
                Case(
                    When(triage_level__in=RED_FLAG_LEVELS, then=1),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by("day")
    )
    days = list(rows)

    def mean_between(low: date, high: date) -> float | None:
        chosen = [row for row in days if low <= row["day"] <= high]
        count = sum(row["count"] for row in chosen)
        return round(sum(row["total"] for row in chosen) / count, 2) if count else None

    first_mean = mean_between(first, first + timedelta(days=WEEK - 1))
    last_mean = mean_between(last - timedelta(days=WEEK - 1), last)
    change = (
        round(last_mean - first_mean, 2)
        if first_mean is not None and last_mean is not None
        else None
    )
    return {
        "first_7_days_mean": first_mean,
        "last_7_days_mean": last_mean,
        "change": change,
        "mcid": PAIN_MCID,
        "responder": pain_responder(change),
        "series": [
            {
                "date": row["day"].isoformat(),
                "mean": _number(row["mean"]),
                "red_flag": bool(row["red"]),
            }
            for row in days
        ],
    }


def _outcomes(
    responses: list[OutcomeResponse], versions: dict[str, InstrumentVersion]
) -> list[dict[str, Any]]:
    by_code: dict[str, list[OutcomeResponse]] = defaultdict(list)
    for response in responses:
        by_code[response.instrument_id].append(response)
    result = []
    for code in sorted(by_code):
        series = by_code[code]
        first, latest = series[0], series[-1]
        version = versions.get(code) or latest.version
        judged = scoring.judge(
            version.definition(),
            baseline=None if len(series) == 1 else first.score,
            score=latest.score,
        )
        result.append(
            {
                "instrument": code,
                "title": version.title,
                "baseline": _number(first.score),
                "latest": _number(latest.score),
                "change": _number(judged.change),
                "mcid": _number(version.mcid),
                "higher_is_better": version.higher_is_better,
                "responder": judged.responder.value if judged.responder else None,
                "score_min": _number(version.score_min),
                "score_max": _number(version.score_max),
                "series": [
                    {"completed_at": r.completed_at.isoformat(), "score": _number(r.score)}
                    for r in series
                ],
            }
        )
    return result


def _adherence(episode: Episode, first: date, last: date) -> list[dict[str, Any]]:
    weeks: list[dict[str, Any]] = []
    day = first
    while day <= last:
        weeks.append({"week_start": day, "done": 0, "prescribed": 0})
        day += timedelta(days=WEEK)
    for plan in plans_with_items_of(episode):
        low, high = max(first, plan.start_date), min(last, plan.end_date)
        if low > high:
            continue
        for row in plan_adherence(plan=plan, date_from=low, date_to=high)["days"]:
            week = weeks[(row["date"] - first).days // WEEK]
            week["done"] += row["done"]
            week["prescribed"] += row["expected"]
    return [
        {
            "week_start": week["week_start"].isoformat(),
            "done": week["done"],
            "prescribed": week["prescribed"],
            "rate": round(week["done"] / week["prescribed"], 2) if week["prescribed"] else None,
        }
        for week in weeks
    ]


def _adherence_7d(episode: Episode, last: date) -> dict[str, Any]:
    """The seven days ending on the report's last day, by apps.plans.adherence: for an
    active episode the same figure as the caseload's `adherence_7d`."""
    figure = plans_adherence(plans_with_items_of(episode), *window_ending(last))
    return {
        "from": figure.date_from.isoformat(),
        "to": figure.date_to.isoformat(),
        "done": figure.done,
        "prescribed": figure.expected,
        "rate": figure.ratio,
    }


def _alerts(episode: Episode, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = (
        Alert.objects.filter(
            patient_id=episode.patient_id, created_at__gte=start, created_at__lt=end
        )
        .values("kind")
        .annotate(count=Count("id"))
        .order_by("kind")
    )
    return [{"kind": row["kind"], "count": row["count"]} for row in rows]


def episode_report_build(episode: Episode, *, now: datetime | None = None) -> dict[str, Any]:
    """The report of `episode` built as of `now` (default: the clock): final once
    discharged. What discharge freezes; readers want `episode_report`."""
    now = now or timezone.now()
    first, last = episode_window(episode, now)
    start, end = window_bounds(episode, now)
    responses = episode_responses([episode], now=now)[episode.pk]
    goals = list(episode.goals.all())
    versions = versions_by_code(
        {r.instrument_id for r in responses} | {g.instrument for g in goals}
    )
    return {
        "episode": _episode_part(episode),
        "generated_at": now.isoformat(),
        "final": episode.status == EpisodeStatus.DISCHARGED,
        "pain": _pain(episode, first, last, start, end),
        "outcomes": _outcomes(responses, versions),
        "goals": [
            {
                "description": row.goal.description,
                "instrument": row.goal.instrument,
                "instrument_name": row.instrument_name,
                "target": _number(row.goal.target),
                "due_on": row.goal.due_on.isoformat(),
                "status": row.status,
                "latest": _number(row.latest),
            }
            for row in goal_rows(episode, responses, versions, now=now)
        ],
        "adherence": _adherence(episode, first, last),
        "adherence_7d": _adherence_7d(episode, last),
        "alerts": _alerts(episode, start, end),
        "note": episode.note,
        "disclaimer": DISCLAIMER,
    }


def episode_report(episode: Episode, *, now: datetime | None = None) -> dict[str, Any]:
    """A discharged episode's frozen report; an active one's progress report, as of now."""
    if episode.status == EpisodeStatus.DISCHARGED and episode.report is not None:
        frozen: dict[str, Any] = episode.report
        if "clinic" not in frozen["episode"]:
            # Frozen before reports named the clinic: the episode's clinic is the same one
            # (a handover moves episodes only within their clinic).
            frozen = {**frozen, "episode": {**frozen["episode"], "clinic": _clinic(episode)}}
        return frozen
    return episode_report_build(episode, now=now)
