"""Background work of content: renditions of pictures (thin: ids in, one service)."""

from datetime import timedelta

from django.utils import timezone

from backend.celery import app
from backend.queue import send_many

from . import services

RENDITIONS_GRACE = timedelta(minutes=2)


@app.task(acks_late=True)
def make_renditions(media_id: str) -> int:
    return services.media_renditions_make(media_id=media_id)


@app.task(acks_late=True)
def sweep_missing_renditions() -> int:
    """Pictures whose rendition task never ran (a broker outage) get it again."""
    due = services.media_renditions_due(older_than=timezone.now() - RENDITIONS_GRACE)
    return send_many("apps.content.tasks.make_renditions", [(pk,) for pk in due])
