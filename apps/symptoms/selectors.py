from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.accounts.models import User

from .models import SymptomLog


def symptom_logs_for(*, patient: User) -> QuerySet[SymptomLog]:
    """A patient's own logs, newest first. Callers pass the patient they are allowed
    to read: the caller itself, or a linked patient (accounts.selectors)."""
    return SymptomLog.objects.filter(patient=patient).order_by("-recorded_at")


def symptom_trend(*, patient: User, days: int, now: datetime | None = None) -> list[dict]:
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
    by_day: dict[date, dict] = {row["day"]: row for row in rows}
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
