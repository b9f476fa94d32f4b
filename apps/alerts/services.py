"""Writes for alerts: raising them from findings and the physiotherapist's workflow."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.symptoms.models import SymptomLog

from .models import Alert, AlertEvent, AlertEventAction, AlertKind, AlertStatus


class AlertTransitionError(ValidationError):
    """The alert is not in a state that allows this change (409)."""


def alert_raise_red_flag(*, log: SymptomLog) -> Alert:
    """The alert for a log whose triage reached urgent or emergency; written in the
    log's transaction so the two exist together or not at all."""
    alert = Alert.objects.create(
        patient_id=log.patient_id,
        kind=AlertKind.RED_FLAG,
        level=log.triage_level,
        codes=list(log.triage_codes),
        symptom_log=log,
    )
    AlertEvent.objects.create(alert=alert, action=AlertEventAction.RAISED)
    return alert


def alerts_raise_red_flags(*, logs: list[SymptomLog]) -> list[Alert]:
    """Bulk form of alert_raise_red_flag for offline sync: two writes for any number."""
    if not logs:
        return []
    created = Alert.objects.bulk_create(
        [
            Alert(
                patient_id=log.patient_id,
                kind=AlertKind.RED_FLAG,
                level=log.triage_level,
                codes=list(log.triage_codes),
                symptom_log=log,
            )
            for log in logs
        ]
    )
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert=alert, action=AlertEventAction.RAISED) for alert in created]
    )
    return created


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise AlertTransitionError(
            f"This alert is {alert.status}; only an open alert can be acknowledged.",
            code="invalid_transition",
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    AlertEvent.objects.create(alert=alert, action=AlertEventAction.ACKNOWLEDGED, actor=by)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by: User) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise AlertTransitionError("This alert is already resolved.", code="invalid_transition")
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
    AlertEvent.objects.create(alert=alert, action=AlertEventAction.RESOLVED, actor=by)
    return alert
