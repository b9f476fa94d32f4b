"""Episode report dicts, shaped as `GET episodes/{id}/report/` returns them (docs/api.md),
built from plain values: no database, so the PDF rendering can be tested and benchmarked
on its own.

    report = episode_report_dict()          # a 60-day discharged episode, seeded
    report = episode_report_dict(days=0)    # an episode with nothing recorded
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from typing import Any

EPISODE_ID = "0b8f3c1e-5d2a-4f67-9a41-3e7c2d9b8a10"
STARTED_ON = date(2026, 9, 14)  # a Monday: the adherence weeks start on the first day
PAIN_MCID = 2


def _responder(change: float | None, mcid: float, *, higher_is_better: bool) -> str | None:
    if change is None:
        return None
    gain = change if higher_is_better else -change
    if gain >= mcid:
        return "improved"
    if gain <= -mcid:
        return "worsened"
    return "no_change"


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 2) if values else None


def _outcome(
    instrument: str,
    title: str,
    scores: list[float],
    *,
    start: date,
    every_days: int,
    mcid: float,
    higher_is_better: bool,
    score_min: float,
    score_max: float,
) -> dict[str, Any]:
    series = [
        {
            "completed_at": datetime.combine(
                start + timedelta(days=n * every_days), time(9, 15), tzinfo=UTC
            ).isoformat(),
            "score": score,
        }
        for n, score in enumerate(scores)
    ]
    baseline = scores[0] if scores else None
    latest = scores[-1] if scores else None
    change = round(latest - baseline, 2) if len(scores) > 1 else None
    return {
        "instrument": instrument,
        "title": title,
        "baseline": baseline,
        "latest": latest,
        "change": change,
        "mcid": mcid,
        "higher_is_better": higher_is_better,
        "responder": _responder(change, mcid, higher_is_better=higher_is_better),
        "score_min": score_min,
        "score_max": score_max,
        "series": series,
    }


def episode_report_dict(
    *, days: int = 60, seed: int = 15, final: bool = True, note: str | None = None
) -> dict[str, Any]:
    """A realistic report: pain easing from about 6 to about 3 over `days` days with a few
    days unlogged and two red-flag days, LEFS, PSFS and weekly pain every 14 days, three
    goals (met, progressing, not met), weekly adherence and alerts. `days=0` gives an
    episode where nothing was recorded."""
    rng = random.Random(seed)
    start = STARTED_ON
    end = start + timedelta(days=max(days, 1) - 1)
    pain_series = []
    for n in range(days):
        if n % 11 == 5:  # a day without logs
            continue
        trend = 6.2 - 3.2 * n / max(days - 1, 1)
        mean = round(min(10.0, max(0.0, trend + rng.uniform(-0.8, 0.8))), 1)
        pain_series.append(
            {
                "date": (start + timedelta(days=n)).isoformat(),
                "mean": mean,
                "red_flag": n in (9, 33),
            }
        )
    first = [p["mean"] for p in pain_series if date.fromisoformat(p["date"]) < start + timedelta(7)]
    last = [p["mean"] for p in pain_series if date.fromisoformat(p["date"]) > end - timedelta(7)]
    first_mean, last_mean = _mean(first), _mean(last)
    change = (
        round(last_mean - first_mean, 2)
        if first_mean is not None and last_mean is not None
        else None
    )
    outcomes = []
    if days:
        count = days // 14 + 1
        outcomes = [
            _outcome(
                "lefs",
                "Lower Extremity Functional Scale",
                [32.0, 38.0, 45.0, 51.0, 56.0][:count],
                start=start,
                every_days=14,
                mcid=9,
                higher_is_better=True,
                score_min=0,
                score_max=80,
            ),
            _outcome(
                "psfs",
                "Patient-Specific Functional Scale",
                [3.33, 4.0, 4.67, 5.67, 6.33][:count],
                start=start,
                every_days=14,
                mcid=2,
                higher_is_better=True,
                score_min=0,
                score_max=10,
            ),
            _outcome(
                "pain_week",
                "Pain over the past week",
                [6.5, 5.5, 4.5, 3.5, 2.5][:count],
                start=start,
                every_days=14,
                mcid=2,
                higher_is_better=False,
                score_min=0,
                score_max=10,
            ),
        ]
    goals = []
    if days:
        goals = [
            {
                "description": "Climb two flights of stairs without holding the rail",
                "instrument": "lefs",
                "target": 60.0,
                "due_on": (start + timedelta(days=days + 14)).isoformat(),
                "status": "progressing",
                "latest": outcomes[0]["latest"],
            },
            {
                "description": "Average weekly pain at 3 or below",
                "instrument": "pain_week",
                "target": 3.0,
                "due_on": (start + timedelta(days=days - 4)).isoformat(),
                "status": "met",
                "latest": outcomes[2]["latest"],
            },
            {
                "description": "Jog for 20 minutes",
                "instrument": "psfs",
                "target": 8.0,
                "due_on": (start + timedelta(days=days - 10)).isoformat(),
                "status": "not_met",
                "latest": outcomes[1]["latest"],
            },
        ]
    adherence = []
    for week in range(0, days, 7):
        prescribed = 14 * min(7, days - week) // 7
        done = min(prescribed, round(prescribed * rng.uniform(0.55, 0.95)))
        adherence.append(
            {
                "week_start": (start + timedelta(days=week)).isoformat(),
                "done": done,
                "prescribed": prescribed,
                "rate": round(done / prescribed, 2) if prescribed else None,
            }
        )
    if adherence:
        adherence[3]["done"] = 0  # a week away: a bar of 0 %, not a missing one
        adherence[3]["rate"] = 0.0
    alerts = [{"kind": "red_flag", "count": 2}, {"kind": "worsening", "count": 1}] if days else []
    if note is None:
        note = (
            "Knee pain eased steadily & stairs are now managed step-over-step.\n"
            "Keep the home programme 3x/week for 6 more weeks; review if pain > 5 returns."
        )
    return {
        "episode": {
            "id": EPISODE_ID,
            "title": "Right knee: patellofemoral pain",
            "condition": {"slug": "patellofemoral-pain", "name": "Patellofemoral pain"},
            "started_on": start.isoformat(),
            "ended_on": end.isoformat() if final else None,
            "status": "discharged" if final else "active",
            "patient": {"id": "7d2e8c55-1f3b-4e0a-b6c9-2a4d5e6f7081", "email": "pat@example.org"},
            "physio": {"id": "91c4b7a2-6e5d-4c3b-8a29-1f0e9d8c7b6a", "email": "phy@example.org"},
            "clinic": {"id": "3f1a2b4c-5d6e-4f70-8192-a3b4c5d6e7f8", "name": "Harbour Physio"},
        },
        "generated_at": datetime.combine(end, time(16, 45), tzinfo=UTC).isoformat(),
        "final": final,
        "pain": {
            "first_7_days_mean": first_mean,
            "last_7_days_mean": last_mean,
            "change": change,
            "mcid": PAIN_MCID,
            "responder": _responder(change, PAIN_MCID, higher_is_better=False),
            "series": pain_series,
        },
        "outcomes": outcomes,
        "goals": goals,
        "adherence": adherence,
        "alerts": alerts,
        "note": note,
        "disclaimer": (
            "This report summarises what the patient recorded in a self-care service. The "
            "service educates and supports; it does not diagnose or prescribe. Clinical "
            "decisions rest with the treating clinicians."
        ),
    }
