from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(acks_late=True)
def prune_change_log() -> int:
    """Daily: the change log keeps SYNC_CHANGE_RETENTION_DAYS of changes."""
    return services.change_log_prune(
        now=timezone.now(), keep=timedelta(days=settings.SYNC_CHANGE_RETENTION_DAYS)
    )
