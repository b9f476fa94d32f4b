from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from apps.accounts.models import Role, User
from apps.symptoms.vocabulary import LEVEL_RANK

from .models import ACTIVE_STATUSES, Alert, AlertStatus


def alerts_for(*, user: User) -> QuerySet[Alert]:
    """Alerts the caller may see: a patient's own; a physio's currently linked patients'."""
    alerts = Alert.objects.select_related("patient").defer("patient__password")
    if user.role == Role.PATIENT:
        return alerts.filter(patient=user)
    if user.role == Role.PHYSIO:
        return alerts.filter(
            patient__physio_links__physio=user, patient__physio_links__ended_at__isnull=True
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
                "created_at",
                "updated_at",
                "resolved_at",
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


def with_most_severe_open_alert(patients: QuerySet[User]) -> QuerySet[User]:
    """Annotate `open_alert_rank`: the rank (LEVEL_RANK: 3 emergency, 2 urgent, 1 soon,
    0 self-care) of the most severe alert not yet acknowledged, or None without one. One
    correlated subquery, so a caseload sorted by it costs the same for any number of
    patients."""
    rank = Case(
        *(When(level=level, then=Value(value)) for level, value in LEVEL_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    most_severe = (
        Alert.objects.filter(patient=OuterRef("pk"), status=AlertStatus.OPEN)
        .annotate(rank=rank)
        .order_by("-rank")
        .values("rank")[:1]
    )
    return patients.annotate(open_alert_rank=Subquery(most_severe, output_field=IntegerField()))


def active_alerts_of(*, user: User, patient: User) -> QuerySet[Alert]:
    """The patient's open and acknowledged alerts, as the caller may see them."""
    return alerts_for(user=user).filter(patient=patient, status__in=ACTIVE_STATUSES)
