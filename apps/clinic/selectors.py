"""The caseload: a physiotherapist's linked patients with the figures that need attention,
composed from each app's annotations (one correlated subquery per figure, so the query
count does not grow with the number of patients)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import linked_patients_of
from apps.alerts.models import Alert
from apps.alerts.selectors import active_alerts_of, with_open_alerts
from apps.messaging.selectors import with_unread_count
from apps.plans.models import ExercisePlan
from apps.plans.selectors import active_plan_of, with_adherence_7d
from apps.symptoms.selectors import referred_pain_hints_for, symptom_trend, with_pain_figures

SUMMARY_TREND_DAYS = 14

DASHBOARD_ORDERINGS = {
    "-open_alerts": [F("open_alerts").desc(), F("email").asc()],
    "-pain_change_7d": [F("pain_change_7d").desc(nulls_last=True), F("email").asc()],
    "-last_log_at": [F("last_log_at").desc(nulls_last=True), F("email").asc()],
    "-latest_pain": [F("latest_pain").desc(nulls_last=True), F("email").asc()],
    "adherence_7d": [F("adherence_7d").asc(nulls_last=True), F("email").asc()],
    "email": [F("email").asc()],
}


def with_overview(
    patients: QuerySet[User], *, physio: User, now: datetime | None = None
) -> QuerySet[User]:
    """The dashboard figures, each one correlated subquery from the app that owns it."""
    now = now or timezone.now()
    patients = with_pain_figures(patients, now=now)
    patients = with_adherence_7d(patients, now=now)
    patients = with_open_alerts(patients)
    return with_unread_count(patients, physio=physio)


def caseload_for(*, physio: User, ordering: str = "email") -> QuerySet[User]:
    """The physio's linked patients with the dashboard figures, in the order asked."""
    return with_overview(linked_patients_of(physio=physio), physio=physio).order_by(
        *DASHBOARD_ORDERINGS[ordering]
    )


@dataclass(frozen=True)
class PatientSummary:
    """One linked patient at a glance: the dashboard figures and what lies behind them."""

    patient: User
    trend: list[dict[str, Any]]
    active_plan: ExercisePlan | None
    alerts: QuerySet[Alert]
    hints: list[dict[str, Any]]

    def __getattr__(self, name: str) -> Any:
        # The dashboard figures and profile fields are the annotated patient's.
        return getattr(self.patient, name)


def patient_summary(*, physio: User, patient_id) -> PatientSummary:
    """A patient the physio is linked to now, summarised; 404 for anyone else."""
    patient = get_object_or_404(
        with_overview(linked_patients_of(physio=physio), physio=physio), pk=patient_id
    )
    return PatientSummary(
        patient=patient,
        trend=symptom_trend(patient=patient, days=SUMMARY_TREND_DAYS),
        active_plan=active_plan_of(patient=patient),
        alerts=active_alerts_of(user=physio, patient=patient),
        hints=referred_pain_hints_for(patient=patient),
    )
