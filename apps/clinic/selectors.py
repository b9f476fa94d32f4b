"""The caseload: a physiotherapist's linked patients with the figures that need attention,
composed from each app's annotations (one correlated subquery per figure, so the query
count does not grow with the number of patients)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.accounts.models import CareTeamInvite, User
from apps.accounts.selectors import linked_patients_of
from apps.alerts.models import Alert
from apps.alerts.selectors import active_alerts_of, with_open_alerts, with_unresolved_alerts
from apps.alerts.services import RED_FLAG_ALERT_LEVELS
from apps.episodes.models import Episode, EpisodeStatus
from apps.guidance.selectors import reduce_counts
from apps.messaging.selectors import with_unread_count
from apps.outcomes.selectors import outcomes_summary_for, with_latest_outcome_change
from apps.plans.adherence import adherence_7d_ratios, plan_adherence
from apps.plans.models import ExercisePlan
from apps.plans.selectors import active_plan_of
from apps.symptoms.models import SymptomLog
from apps.symptoms.selectors import referred_pain_hints_for, symptom_trend, with_pain_figures

SUMMARY_TREND_DAYS = 14

# The most urgent unresolved alert first (an acknowledged one keeps its rank until it is
# resolved), then the patients with more unresolved alerts, the steepest pain rise.
URGENCY = [
    F("most_urgent_alert_rank").desc(nulls_last=True),
    F("unresolved_alerts").desc(),
    F("pain_change_7d").desc(nulls_last=True),
    F("email").asc(),
]

DASHBOARD_ORDERINGS = {
    "urgency": URGENCY,
    "-open_alerts": [F("open_alerts").desc(), F("email").asc()],
    "-pain_change_7d": [F("pain_change_7d").desc(nulls_last=True), F("email").asc()],
    "-last_log_at": [F("last_log_at").desc(nulls_last=True), F("email").asc()],
    "-latest_pain": [F("latest_pain").desc(nulls_last=True), F("email").asc()],
    # Adherence is computed in Python (apps.plans.adherence): by e-mail here, then sorted
    # by with_adherence_7d (stable: ties stay by e-mail).
    "adherence_7d": [F("email").asc()],
    "email": [F("email").asc()],
}


def with_overview(
    patients: QuerySet[User], *, physio: User, now: datetime | None = None
) -> QuerySet[User]:
    """The dashboard figures, each one correlated subquery from the app that owns it."""
    now = now or timezone.now()
    patients = with_pain_figures(patients, now=now)
    patients = with_open_alerts(patients)
    patients = with_unresolved_alerts(patients)
    patients = with_latest_outcome_change(patients)
    return with_unread_count(patients, physio=physio)


def with_reduce_suggestions(patients: list[User], *, now: datetime | None = None) -> list[User]:
    """Set `reduce_suggestions` on each patient: the items of their active plan whose load
    guidance suggests `reduce`. Four queries for any number of patients."""
    counts = reduce_counts([patient.pk for patient in patients], now=now)
    for patient in patients:
        # Like the queryset's annotate() figures, a per-row attribute the serializers read.
        patient.reduce_suggestions = counts[patient.pk]  # type: ignore[attr-defined]
    return patients


def with_adherence_7d(
    patients: list[Any], *, ordering: str = "", now: datetime | None = None
) -> list[Any]:
    """Set each patient's `adherence_7d` (users get an attribute, `.values()` rows a key)
    from apps.plans.adherence, the one definition; sorted lowest first (no figure last)
    when `ordering` asks for it. Three queries for any number of patients."""
    ratios = adherence_7d_ratios([_pk(patient) for patient in patients], now=now)
    for patient in patients:
        if isinstance(patient, dict):
            patient["adherence_7d"] = ratios[patient["pk"]]
        else:
            patient.adherence_7d = ratios[patient.pk]
    if ordering == "adherence_7d":
        patients.sort(key=lambda p: (_adherence(p) is None, _adherence(p) or 0.0))
    return patients


def _pk(patient: Any) -> Any:
    return patient["pk"] if isinstance(patient, dict) else patient.pk


def _adherence(patient: Any) -> float | None:
    value = patient["adherence_7d"] if isinstance(patient, dict) else patient.adherence_7d
    return value if value is None else float(value)


def caseload_for(*, physio: User, ordering: str = "email") -> list[User]:
    """The physio's linked patients with the dashboard figures, in the order asked."""
    patients = with_overview(linked_patients_of(physio=physio), physio=physio).order_by(
        *DASHBOARD_ORDERINGS[ordering]
    )
    return with_adherence_7d(list(patients), ordering=ordering)


@dataclass(frozen=True)
class PatientSummary:
    """One linked patient at a glance: the dashboard figures and what lies behind them."""

    patient: User
    trend: list[dict[str, Any]]
    active_plan: ExercisePlan | None
    alerts: QuerySet[Alert]
    hints: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]

    def __getattr__(self, name: str) -> Any:
        # The dashboard figures and profile fields are the annotated patient's.
        return getattr(self.patient, name)


def patient_summary(*, physio: User, patient_id: UUID | str) -> PatientSummary | None:
    """A patient the physio is linked to now, summarised; None for anyone else."""
    patient = (
        with_overview(linked_patients_of(physio=physio), physio=physio)
        .filter(pk=patient_id)
        .first()
    )
    if patient is None:
        return None
    with_reduce_suggestions([patient])
    with_adherence_7d([patient])
    return PatientSummary(
        patient=patient,
        trend=symptom_trend(patient=patient, days=SUMMARY_TREND_DAYS),
        active_plan=active_plan_of(patient=patient),
        alerts=active_alerts_of(user=physio, patient=patient),
        hints=referred_pain_hints_for(patient=patient),
        outcomes=outcomes_summary_for(patient),
    )


# --- The clinic portal's reads (apps/clinic/portal) -------------------------------------------

# The portal's default order puts the patients whose most severe unresolved alert is an
# emergency first, then urgent ones, so the most urgent patient is one click away.
PORTAL_ORDERINGS = DASHBOARD_ORDERINGS


def portal_caseload(
    *,
    physio: User,
    ordering: str = "urgency",
    search: str = "",
    open_alerts_only: bool = False,
    now: datetime | None = None,
) -> QuerySet[User]:
    """The caseload page: the dashboard figures (with `unresolved_alerts` and the most
    urgent unresolved alert's `most_urgent_alert_rank`, `_level` and `_status`), searched
    by email, filtered to patients with unresolved alerts (open or acknowledged) if asked.
    One query for any number of patients."""
    patients = with_overview(linked_patients_of(physio=physio), physio=physio, now=now)
    if search:
        patients = patients.filter(Q(email__icontains=search) | Q(display_name__icontains=search))
    if open_alerts_only:
        # unresolved_alerts is with_open_alerts' annotation; the Django plugin checks
        # lookups against the model's fields only, not annotations made in another function.
        patients = patients.filter(unresolved_alerts__gt=0)  # type: ignore[misc]
    return patients.order_by(*PORTAL_ORDERINGS[ordering])


def with_discharged(patients: QuerySet[User], *, physio: User) -> QuerySet[User]:
    """Annotate `discharged`: the physio discharged the patient (an episode of theirs with
    the patient is discharged) and has not opened another since. A linked patient without
    any episode yet is in care. One correlated subquery each, for any number of patients."""
    episodes = Episode.objects.filter(patient=OuterRef("pk"), physio=physio)
    return patients.annotate(
        discharged=ExpressionWrapper(
            Exists(episodes.filter(status=EpisodeStatus.DISCHARGED))
            & ~Exists(episodes.filter(status=EpisodeStatus.ACTIVE)),
            output_field=BooleanField(),
        )
    )


def red_flag_days(*, patient: User, since: date) -> set[date]:
    """Days (in the patient's zone) with a log triaged urgent or emergency: the logs that
    raise red-flag alerts."""
    start = datetime.combine(since, time.min, tzinfo=patient.zone)
    return set(
        SymptomLog.objects.filter(
            patient=patient, recorded_at__gte=start, triage_level__in=RED_FLAG_ALERT_LEVELS
        )
        .annotate(day=TruncDate("recorded_at", tzinfo=patient.zone))
        .values_list("day", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class WeekAdherence:
    start: date
    expected: int
    done: int


def weekly_adherence(
    *, plan: ExercisePlan, weeks: int = 4, now: datetime | None = None
) -> list[WeekAdherence]:
    """Sessions expected and done in each of the last `weeks` 7-day periods ending today
    (the patient's today), from plans' per-day adherence; periods before the plan began
    are left out."""
    today = (now or timezone.now()).astimezone(plan.patient.zone).date()
    first = max(today - timedelta(days=7 * weeks - 1), plan.start_date)
    if first > today:
        return []
    days = plan_adherence(plan=plan, date_from=first, date_to=today)["days"]
    result: list[WeekAdherence] = []
    for offset in range(weeks - 1, -1, -1):
        end = today - timedelta(days=7 * offset)
        start = end - timedelta(days=6)
        chunk = [day for day in days if start <= day["date"] <= end]
        if chunk:
            result.append(
                WeekAdherence(
                    start=max(start, first),
                    expected=sum(day["expected"] for day in chunk),
                    done=sum(day["done"] for day in chunk),
                )
            )
    return result


def invites_of(*, physio: User, limit: int = 20) -> QuerySet[CareTeamInvite]:
    """The physio's latest invites, with who used each."""
    return CareTeamInvite.objects.filter(physio=physio).select_related("used_by")[:limit]
