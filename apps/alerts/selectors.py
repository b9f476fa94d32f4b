from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import Role, User

from .models import ACTIVE_STATUSES, Alert, AlertStatus


def alerts_for(*, user: User) -> QuerySet[Alert]:
    """Alerts the caller may see: a patient's own; a physio's currently linked patients'."""
    alerts = Alert.objects.select_related("patient")
    if user.role == Role.PATIENT:
        return alerts.filter(patient=user)
    if user.role == Role.PHYSIO:
        return alerts.filter(
            patient__physio_links__physio=user, patient__physio_links__ended_at__isnull=True
        )
    return alerts.none()


def export_for(patient: User) -> dict:
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


def active_alerts_of(*, user: User, patient: User) -> QuerySet[Alert]:
    """The patient's open and acknowledged alerts, as the caller may see them."""
    return alerts_for(user=user).filter(patient=patient, status__in=ACTIVE_STATUSES)
