"""Background work (Celery): the broker (Redis, or the embedded filesystem transport),
queues, time limits, publishing timeouts and the one beat schedule of periodic tasks."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from kombu import Queue

from .cache import REDIS_URL
from .environment import VAR_DIR, env

# Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs no
# server: web, worker and beat on one machine exchange messages through VAR_DIR/broker.
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
# Bounded waits on Redis as broker and result backend: a Redis that accepts connections
# and never answers (stopped, swapping, a dead peer behind NAT) must fail a publish in
# seconds, not hang it. The worker's BRPOP is guarded by kombu's own health check.
REDIS_CONNECT_TIMEOUT = 2
REDIS_SOCKET_TIMEOUT = 5
REDIS_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Longer than any task may run, so an acks_late task is not handed out twice.
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"apps.notifications.tasks.*": {"queue": "notifications"}}
# Declared, so a plain `celery -A backend worker` (docs/api.md) consumes both; a deployment may
# still run one worker per queue with --queues.
CELERY_TASK_QUEUES = (Queue("default"), Queue("notifications"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang when the broker is down: publishing gives up quickly and the
# periodic sweeps pick up whatever was not enqueued (docs/architecture.md, Flows).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# backend/queue.py: how long a request waits for its tasks to reach the broker. With a
# healthy broker that is a millisecond or two; a broker slower than this is left to the
# hand-off thread and the sweeps, and the response goes out.
TASK_HAND_OFF_WAIT = env.float("TASK_HAND_OFF_WAIT", default=0.2)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The one place where periodic work is declared.
REMINDER_DISPATCH_INTERVAL = env.float("REMINDER_DISPATCH_INTERVAL", default=60.0)
PUSH_SWEEP_INTERVAL = env.float("PUSH_SWEEP_INTERVAL", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "apps.notifications.tasks.dispatch_due_reminders",
        "schedule": REMINDER_DISPATCH_INTERVAL,
    },
    "sweep-undelivered-pushes": {
        "task": "apps.notifications.tasks.sweep_undelivered",
        "schedule": PUSH_SWEEP_INTERVAL,
    },
    "plan-reminders-ahead": {
        "task": "apps.notifications.tasks.plan_reminders_ahead",
        "schedule": crontab(minute=15),
    },
    "sweep-worsening": {
        "task": "apps.alerts.tasks.sweep_worsening",
        "schedule": crontab(hour=2, minute=0),
    },
    "sweep-missed-exercises": {
        "task": "apps.alerts.tasks.sweep_missed_exercises",
        "schedule": crontab(hour=3, minute=0),
    },
    "sweep-missing-renditions": {
        "task": "apps.content.tasks.sweep_missing_renditions",
        "schedule": 300.0,
    },
    "prune-sync-change-log": {
        "task": "apps.sync.tasks.prune_change_log",
        "schedule": crontab(hour=4, minute=0),
    },
}
# Offline sync: how long the change log keeps a change. An app that has not pulled for
# longer gets 410 checkpoint_expired and pulls everything again (docs/api.md).
SYNC_CHANGE_RETENTION_DAYS = env.int("SYNC_CHANGE_RETENTION_DAYS", default=90)
