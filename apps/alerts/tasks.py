"""Thin task wrappers around alerts.services; idempotent, acknowledged late."""

from backend.celery import app

from . import services


@app.task(acks_late=True)
def check_worsening(patient_id: str) -> bool:
    return services.worsening_check_patient(patient_id=patient_id) is not None


@app.task(acks_late=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def sweep_worsening() -> int:
    return services.worsening_sweep()


@app.task(acks_late=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def sweep_missed_exercises() -> int:
    return services.missed_exercises_sweep()
