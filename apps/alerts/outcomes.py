"""Worsening alerts from outcome measures (docs/domain.md, "Outcome measures"): a LEFS or
PSFS whose change from the schedule's baseline reaches the MCID in the worse direction
(`responder` worsened, judged by apps.outcomes when the response was stored) raises the
patient's one active `worsening` alert, or updates it, and tells the linked
physiotherapists. The code names the instrument (`lefs_worsened`, `psfs_worsened`).

pain_week does not raise alerts: pain worsening is the symptom logs' rule (services.py).
"""

from apps.outcomes.models import OutcomeResponse
from backend.hooks import LogKind

from .models import AlertEvent, AlertEventAction, AlertKind
from .services import alert_notify_physios, alert_upsert

ALERTING_INSTRUMENTS = ("lefs", "psfs")
WORSENED = "worsened"
LEVEL = "soon"  # like every worsening finding: worth a professional's look within days


def _detail(response) -> dict:
    return {
        "instrument": response.instrument_id,
        "version": response.version.version,
        "score": float(response.score),
        "baseline": float(response.baseline_score),
        "change": float(response.change),
        "mcid": float(response.version.mcid),
        "response_id": str(response.id),
        "completed_at": response.completed_at.isoformat(),
    }


def on_outcome_responses_recorded(sender, *, patient_id, kind: str, logs: list, **kwargs) -> None:
    """The `logs_recorded` hook for LogKind.OUTCOME, in the storing transaction. Per
    instrument only the newest of the new responses counts (an offline batch may carry
    several): if it worsened, the alert is raised, or updated with its figures."""
    if kind != LogKind.OUTCOME:
        return
    newest: dict[str, OutcomeResponse] = {}
    for response in sorted(logs, key=lambda r: r.completed_at):
        newest[response.instrument_id] = response
    patient = None
    for code in ALERTING_INSTRUMENTS:
        response = newest.get(code)
        if response is None or response.responder != WORSENED:
            continue
        patient = patient or response.patient
        finding = f"{code}_worsened"
        detail = _detail(response)
        alert, changed = alert_upsert(
            patient=patient,
            kind=AlertKind.WORSENING,
            level=LEVEL,
            codes=[finding],
            details={finding: detail},
            recorded_at=response.completed_at,
        )
        if not changed and alert.details.get(finding) != detail:
            # The code is already on the alert: a new worsened response updates its
            # figures (and is recorded) rather than stacking another alert.
            previous = alert.details.get(finding) or {}
            alert.details = {**alert.details, finding: detail}
            alert.recorded_at = max(
                alert.recorded_at or response.completed_at, response.completed_at
            )
            alert.save(update_fields=["details", "recorded_at", "updated_at"])
            AlertEvent.objects.create(
                alert=alert,
                action=AlertEventAction.UPDATED,
                details={"updated": finding, "score": detail["score"]},
            )
            # Physios hear again only when it fell further than the alert already says.
            changed = _is_worse(detail, previous, response.version.higher_is_better)
        if changed:
            alert_notify_physios(alert=alert)


def _is_worse(detail: dict, previous: dict, higher_is_better: bool) -> bool:
    if "score" not in previous:
        return True
    return (
        detail["score"] < previous["score"]
        if higher_is_better
        else detail["score"] > previous["score"]
    )
