from django.db.models import QuerySet

from apps.accounts.models import Role, User

from .models import Alert


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
