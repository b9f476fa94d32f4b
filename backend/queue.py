"""Enqueue Celery work after the current transaction commits, never failing or blocking
the caller.

The rows a task needs are committed before it can run, and a broker outage never turns
a patient's request into an error or a wait: whatever was not enqueued is picked up by
the periodic sweeps that look for undelivered work (docs/architecture.md, Flows).

From a request, publishing is handed off to one background thread per process. The
request waits for it only while the broker answers quickly (TASK_HAND_OFF_WAIT, a fifth
of a second by default): with a healthy broker the task is on the queue when the
response leaves, as before; with a hung broker (it accepts connections and never
answers) the request goes on after that short wait and every later request does not wait
at all until the stuck publish ends (bounded by the broker's socket timeouts). Inside a
Celery task, where nobody is waiting, publishing stays inline.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import TypeAlias

from celery import Task, current_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from backend.celery import app

logger = logging.getLogger(__name__)

TaskOrName: TypeAlias = Task | str


def _task_name(task: TaskOrName) -> str:
    return task if isinstance(task, str) else task.name


def send_now(task: TaskOrName, *args, countdown: float | None = None, **kwargs) -> bool:
    """Publish one task (a Task or its registered name, routed by CELERY_TASK_ROUTES);
    False (and a log line with ids only) when the broker refuses or does not answer."""
    try:
        if isinstance(task, str):
            # By name, Celery cannot see the task's ignore_result and subscribes to the
            # result backend for every message: a needless Redis round trip, and with Redis
            # down about 20 s of reconnect attempts. Our tasks' results are not read.
            registered = app.tasks.get(task)
            ignore = getattr(registered, "ignore_result", None)
            app.send_task(
                task,
                args=args,
                kwargs=kwargs,
                countdown=countdown,
                retry=False,
                ignore_result=app.conf.task_ignore_result if ignore is None else ignore,
            )
        else:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:
        logger.warning(
            "broker unavailable: %s not enqueued; the sweep will retry", _task_name(task)
        )
        return False
    return True


# Celery's own bound on the logged form of a message's arguments (amqp.argsrepr_maxsize).
ARGSREPR_MAX = 1024


def send_many(task_name: str, arg_lists: list[tuple], *, countdown: float | None = None) -> int:
    """Publish one task per argument tuple over one broker connection (one producer), not
    a connection checkout and result-backend subscription each; how many were published.
    A broker failure stops the run with a log line: the sweeps re-enqueue the rest."""
    if not arg_lists:
        return 0

    registered = app.tasks.get(task_name)
    ignore = getattr(registered, "ignore_result", None)
    ignore_result = app.conf.task_ignore_result if ignore is None else ignore
    sent = 0
    try:
        with app.producer_or_acquire() as producer:
            for args in arg_lists:
                app.send_task(
                    task_name,
                    args=args,
                    countdown=countdown,
                    retry=False,
                    ignore_result=ignore_result,
                    producer=producer,
                    # What a worker logs of the message. Our batch arguments are ids and
                    # counts, so the C repr (cut as Celery cuts it) does; Celery's saferepr
                    # is pure Python: 26 → 22 ms for 50 messages of 20 ids, measured.
                    argsrepr=repr(args)[:ARGSREPR_MAX],
                    kwargsrepr="{}",
                )
                sent += 1
    except Exception:
        logger.warning(
            "broker unavailable: %d of %d %s not enqueued; the sweep will retry",
            len(arg_lists) - sent,
            len(arg_lists),
            task_name,
        )
    return sent


def send_once(
    key: str, seconds: int, task: TaskOrName, *args, countdown: float | None = None, **kwargs
) -> bool:
    """Publish unless a task was published under `key` in the last `seconds` (a debounce
    in the cache). With the cache unreachable nothing is published: the caller's sweep
    catches up."""

    if not cache.add(key, 1, timeout=seconds):
        return False
    return send_now(task, *args, countdown=countdown, **kwargs)


class HandOff:
    """One daemon thread per process that runs publishing jobs in order.

    submit() waits for its job up to `wait` seconds, but only when nothing else is queued
    or running: one slow job makes later submissions return at once instead of each
    waiting in turn. The queue is bounded; a job that does not fit is dropped with a log
    line (the sweeps recover it), so a long broker outage cannot grow the process."""

    def __init__(self, maxsize: int = 1000) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue | None = None
        self._busy = 0  # jobs queued or running

    def _ensure_thread(self) -> queue.Queue:
        with self._lock:
            if self._pid != os.getpid():  # first use, or first use after a fork
                self._pid = os.getpid()
                self._queue = queue.Queue(maxsize=self.maxsize)
                self._busy = 0
                threading.Thread(
                    target=self._run, args=(self._queue,), name="task-hand-off", daemon=True
                ).start()
            assert self._queue is not None  # set above in this process
            return self._queue

    def _run(self, jobs: queue.Queue) -> None:
        while True:
            job, done = jobs.get()
            try:
                job()
            except Exception:
                logger.exception("hand-off: a publishing job failed")
            finally:
                with self._lock:
                    self._busy -= 1
                done.set()
                jobs.task_done()

    def submit(self, job: Callable[[], object], wait: float = 0.0) -> None:
        jobs = self._ensure_thread()
        done = threading.Event()
        with self._lock:
            idle = self._busy == 0
            try:
                jobs.put_nowait((job, done))
            except queue.Full:
                logger.warning("hand-off: queue full, a task was dropped; the sweep will retry")
                return
            self._busy += 1
        if wait > 0 and idle:
            done.wait(wait)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted job has run (tests, process exit); False on timeout."""
        jobs = self._queue
        if jobs is None or self._pid != os.getpid():
            return True
        with jobs.all_tasks_done:
            return jobs.all_tasks_done.wait_for(lambda: jobs.unfinished_tasks == 0, timeout)


hand_off = HandOff()
atexit.register(hand_off.drain, 5.0)  # a management command's last tasks, if Redis answers


def _in_celery_task() -> bool:
    return bool(current_task) and not current_task.request.called_directly


def _publish_after_commit(job: Callable[[], object]) -> None:
    if _in_celery_task():
        job()
    else:
        hand_off.submit(job, wait=getattr(settings, "TASK_HAND_OFF_WAIT", 0.2))


def enqueue_on_commit(task: TaskOrName, *args, countdown: float | None = None, **kwargs) -> None:
    """Publish `task` (a Task or its name) once the current transaction commits."""
    transaction.on_commit(
        lambda: _publish_after_commit(lambda: send_now(task, *args, countdown=countdown, **kwargs))
    )


def enqueue_many_on_commit(task_name: str, arg_lists: list[tuple]) -> None:
    """One task per argument tuple, published together (send_many) once the current
    transaction commits: one callback and one broker connection for a whole batch."""
    if arg_lists:
        transaction.on_commit(
            lambda: _publish_after_commit(lambda: send_many(task_name, list(arg_lists)))
        )


def enqueue_once_on_commit(
    key: str, seconds: int, task: TaskOrName, *args, countdown: float | None = None, **kwargs
) -> None:
    """enqueue_on_commit with a debounce: at most one task per `key` in `seconds`. The
    cache is asked off the request too, so a hung cache does not hold the response."""
    transaction.on_commit(
        lambda: _publish_after_commit(
            lambda: send_once(key, seconds, task, *args, countdown=countdown, **kwargs)
        )
    )
