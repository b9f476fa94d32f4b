"""The missed-exercise sweep's SQL form of adherence (apps/plans/adherence.py,
`_sessions_in_sql`) gives every patient the figure the Python rule gives: the one the
caseload, the chart and the report show.

Hypothesis builds plans across zones whose midnight moves with daylight saving, items
created and retired inside the window, weekdays, several sessions a day of one exercise,
pauses, plans ending inside the window, and logs on both sides of local midnight; each
example is compared patient by patient with `adherence_7d_for`. The SQL form is
PostgreSQL's (SQLite runs the Python rule itself, so there is nothing to compare there).
"""

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.plans.adherence import _sessions_in_sql, adherence_7d_below, adherence_7d_for
from apps.plans.models import ExerciseLog, ExercisePlan, PlanItem, PlanStatus
from tests.factories import ExerciseFactory, ExercisePlanFactory, PatientFactory, PlanItemFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL form is PostgreSQL's only"
    ),
]

# UTC; zones whose clocks change at local midnight (America/Santiago, Asia/Beirut,
# America/Havana, America/Asuncion), far east and west, and a 45-minute offset.
ZONES = [
    "UTC",
    "Europe/London",
    "America/Santiago",
    "Asia/Beirut",
    "America/Havana",
    "America/Asuncion",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kathmandu",
]
# Instants near those zones' transitions (and an ordinary one), moved by a few hours.
NOWS = [
    dt.datetime(2026, 9, 6, 4, 30, tzinfo=dt.UTC),  # Santiago springs forward at 00:00
    dt.datetime(2026, 4, 5, 3, 0, tzinfo=dt.UTC),  # Santiago falls back at 00:00
    dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC),  # Beirut and London spring forward
    dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC),  # Beirut and London fall back
    dt.datetime(2026, 3, 8, 5, 0, tzinfo=dt.UTC),  # Havana springs forward at 00:00
    dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC),
]


@st.composite
def instants(draw, now: dt.datetime, low_days: float, high_days: float) -> dt.datetime:
    minutes = draw(st.integers(int(low_days * 1440), int(high_days * 1440)))
    return now + dt.timedelta(minutes=minutes)


@st.composite
def pauses(draw, now: dt.datetime) -> list[dict]:
    spans = []
    for _ in range(draw(st.integers(0, 2))):
        began = draw(instants(now, -10, 0))
        ended = began + dt.timedelta(minutes=draw(st.integers(1, 4 * 1440)))
        spans.append({"from": began.isoformat(), "to": min(ended, now).isoformat()})
    return spans


@st.composite
def patients(draw, now: dt.datetime) -> dict:
    zone = draw(st.sampled_from(ZONES))
    start = (now - dt.timedelta(days=draw(st.integers(5, 14)))).date()
    items = [
        {
            "exercise": draw(st.integers(0, 1)),  # two items may share an exercise
            "days": draw(st.sets(st.integers(0, 6), min_size=1)),
            "times": draw(st.integers(1, 3)),
            "created": draw(instants(now, -12, 0)),
            "retired": draw(st.none() | instants(now, -7, 1)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    logs = [
        (draw(st.integers(0, len(items) - 1)), draw(instants(now, -9, 1)))
        for _ in range(draw(st.integers(0, 12)))
    ]
    return {
        "zone": zone,
        "start": start,
        "end": start + dt.timedelta(days=draw(st.integers(3, 30))),
        "pauses": draw(pauses(now)),
        "items": items,
        "logs": logs,
    }


def _build(case: dict, exercises) -> None:
    plan = ExercisePlanFactory(
        patient=PatientFactory(timezone=case["zone"]),
        start_date=case["start"],
        end_date=case["end"],
        pauses=case["pauses"],
    )
    for spec in case["items"]:
        item = PlanItemFactory(
            plan=plan,
            exercise=exercises[spec["exercise"]],
            days_of_week=sorted(spec["days"]),
            times_per_day=spec["times"],
        )
        # created_at is set on insert (auto_now_add): moved afterwards.
        PlanItem.objects.filter(pk=item.pk).update(
            created_at=spec["created"], retired_at=spec["retired"]
        )
        spec["row"] = item
    for index, performed_at in case["logs"]:
        item = case["items"][index]["row"]
        ExerciseLog.objects.create(
            patient=plan.patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=performed_at,
            sets_done=1,
            pain_during=1,
        )


def _python_figures(now: dt.datetime) -> dict:
    judged = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE,
        start_date__lte=(now - dt.timedelta(days=6)).date(),
        paused_at__isnull=True,
    )
    figures = adherence_7d_for(judged.values_list("patient_id", flat=True), now=now)
    return {
        pk: (figure.expected, figure.done)
        for pk, figure in figures.items()
        if figure is not None and figure.expected
    }


def _sql_figures(now: dt.datetime) -> dict:
    judged = ExercisePlan.objects.filter(
        status=PlanStatus.ACTIVE,
        start_date__lte=(now - dt.timedelta(days=6)).date(),
        paused_at__isnull=True,
    )
    figures = {pk: (expected, done) for pk, expected, done in _sessions_in_sql(judged, now)}
    assert all(expected > 0 for expected, _ in figures.values())
    return figures


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), base=st.sampled_from(NOWS), shift=st.integers(-30, 30))
def test_the_sql_form_gives_every_patient_the_python_rule_s_figure(data, base, shift):
    now = base + dt.timedelta(hours=shift)
    cases = data.draw(st.lists(patients(now), min_size=1, max_size=3))
    with transaction.atomic():
        exercises = [ExerciseFactory(), ExerciseFactory()]
        for case in cases:
            _build(case, exercises)
        expected = _python_figures(now)
        assert _sql_figures(now) == expected
        transaction.set_rollback(True)


def test_the_sweep_s_list_on_a_worked_week(patient):
    """A fixed example: a plan two weeks old, one item twice a day, logged three times a
    day on four days of the seven (counted two a day): 8 of 14, not under half; with
    only one of those days left, 2 of 14 is."""
    now = dt.datetime(2026, 11, 18, 20, 0, tzinfo=dt.UTC)
    plan = ExercisePlanFactory(
        patient=patient, start_date=dt.date(2026, 11, 1), end_date=dt.date(2026, 12, 31)
    )
    item = PlanItemFactory(plan=plan, times_per_day=2)
    PlanItem.objects.filter(pk=item.pk).update(created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    for day in range(4):
        for hour in (8, 12, 18):
            ExerciseLog.objects.create(
                patient=patient,
                plan_item=item,
                client_id=uuid.uuid4(),
                performed_at=now - dt.timedelta(days=day, hours=20 - hour),
                sets_done=1,
                pain_during=1,
            )
    assert _sql_figures(now) == _python_figures(now) == {patient.pk: (14, 8)}
    assert adherence_7d_below(0.6, now=now) == [(patient.pk, 0.57)]
    assert adherence_7d_below(0.5, now=now) == []
    ExerciseLog.objects.filter(performed_at__gte=now - dt.timedelta(days=2, hours=12)).delete()
    assert _sql_figures(now) == _python_figures(now) == {patient.pk: (14, 2)}
    assert adherence_7d_below(0.5, now=now) == [(patient.pk, 0.14)]
