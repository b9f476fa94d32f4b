"""apps/plans/adherence.py: one definition of adherence (docs/domain.md, "Adherence"),
and every place that shows a patient's figure showing the same one.

The fault this guards against: a patient seen at 46 % in the caseload and 0 % in the
chart and the PDF, because the caseload divided every log of the week (some logged
before their item existed) by the plan's sessions a week, while the chart counted day
by day what each day prescribed."""

import datetime as dt
import io
import uuid
from collections import defaultdict

import pypdf
import pytest
import time_machine
from django.db.models import Count
from django.db.models.functions import TruncDate

from apps.clinic.selectors import weekly_adherence
from apps.episodes.models import Episode
from apps.plans.adherence import adherence_7d_for, adherence_7d_ratios, plan_adherence
from apps.plans.models import ExerciseLog, PlanItem
from apps.plans.services import exercise_log_create
from tests.clock import FROZEN_NOW, FROZEN_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LONDON = dt.UTC  # the factories' Europe/London is UTC in November


def _log(patient, item, day: dt.date, hour: int = 9) -> None:
    exercise_log_create(
        patient=patient,
        plan_item=item,
        client_id=uuid.uuid4(),
        performed_at=dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON),
        sets_done=2,
        pain_during=1,
    )


def _items(plan):
    return (
        PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch"),  # 2 a day, daily
        PlanItem.objects.get(plan=plan, exercise__slug="quad-sets"),  # 1 a day, Mon Wed Fri
    )


@pytest.fixture
def kept_plan(patient, make_plan):
    """A plan made ten days ago (Sunday 8 November); in the window Thursday 12 to
    Wednesday 18 November: the stretch twice daily (14), quad sets on Friday 13, Monday 16
    and Wednesday 18 (3): 17 prescribed."""
    with time_machine.travel(FROZEN_NOW - dt.timedelta(days=10), tick=False):
        plan = make_plan()
    stretch, quads = _items(plan)
    day = FROZEN_TODAY
    _log(patient, stretch, day - dt.timedelta(days=7))  # 11 Nov: before the window
    for hour in (8, 12, 18):  # 16 Nov: three, of two prescribed
        _log(patient, stretch, day - dt.timedelta(days=2), hour)
    _log(patient, stretch, day - dt.timedelta(days=1))
    _log(patient, stretch, day, 8)
    _log(patient, stretch, day, 11)
    _log(patient, quads, day - dt.timedelta(days=5))  # Friday 13: prescribed
    _log(patient, quads, day - dt.timedelta(days=4))  # Saturday 14: not prescribed
    return plan


@pytest.fixture
def late_items_plan(patient, make_plan):
    """The fault's patient: a plan entered today that began two weeks ago, with sessions
    synced from the past week, logged before their items existed."""
    plan = make_plan(start_date=str(FROZEN_TODAY - dt.timedelta(days=14)))
    stretch, _ = _items(plan)
    for days_ago in range(1, 7):
        _log(patient, stretch, FROZEN_TODAY - dt.timedelta(days=days_ago))
    return plan


def _hand_count() -> tuple[int, int]:
    prescribed = 2 * 7 + 3
    done = 2 + 1 + 2 + 1  # 16 Nov capped at 2; 17 Nov; 18 Nov; quads on Friday 13
    return done, prescribed


def _orm_count(plan, date_from: dt.date, date_to: dt.date) -> tuple[int, int]:
    """Logs counted by the database per (day, exercise), capped by what each day
    prescribes, items read as rows: no code of apps.plans.adherence."""
    zone = plan.patient.zone
    counted = (
        ExerciseLog.objects.filter(plan_item__plan=plan)
        .annotate(day=TruncDate("performed_at", tzinfo=zone))
        .filter(day__gte=date_from, day__lte=date_to)
        .values("day", "plan_item__exercise_id")
        .annotate(n=Count("id"))
    )
    logged = {(row["day"], row["plan_item__exercise_id"]): row["n"] for row in counted}
    items = list(
        PlanItem.objects.filter(plan=plan).values(
            "exercise_id", "times_per_day", "days_of_week", "created_at"
        )
    )
    done = prescribed = 0
    for offset in range((date_to - date_from).days + 1):
        day = date_from + dt.timedelta(days=offset)
        wanted: dict = defaultdict(int)
        for item in items:
            if day.weekday() in item["days_of_week"] and item["created_at"].date() <= day:
                wanted[item["exercise_id"]] += item["times_per_day"]
        prescribed += sum(wanted.values())
        done += sum(min(logged.get((day, ex), 0), n) for ex, n in wanted.items())
    return done, prescribed


def test_three_ways_of_counting_give_one_answer(patient, kept_plan):
    date_from, date_to = FROZEN_TODAY - dt.timedelta(days=6), FROZEN_TODAY
    figure = adherence_7d_for([patient.pk])[patient.pk]
    by_plan = plan_adherence(plan=kept_plan, date_from=date_from, date_to=date_to)

    assert (figure.date_from, figure.date_to) == (date_from, date_to)
    assert (figure.done, figure.expected) == _hand_count() == (6, 17)
    assert _orm_count(kept_plan, date_from, date_to) == (6, 17)
    assert (by_plan["done"], by_plan["expected"]) == (6, 17)
    assert figure.ratio == by_plan["ratio"] == 0.35


def test_logs_before_their_item_existed_count_for_nothing(patient, late_items_plan):
    figure = adherence_7d_for([patient.pk])[patient.pk]
    # Only today prescribes (the items exist since today): 2 stretches + quad sets.
    assert (figure.done, figure.expected) == (0, 3)
    assert _orm_count(late_items_plan, FROZEN_TODAY - dt.timedelta(days=6), FROZEN_TODAY) == (0, 3)


def test_a_replaced_plan_prescribes_nothing_from_the_day_it_was_archived(patient, make_plan):
    from apps.plans.services import plan_archive

    with time_machine.travel(FROZEN_NOW - dt.timedelta(days=10), tick=False):
        old = make_plan()
    with time_machine.travel(FROZEN_NOW - dt.timedelta(days=3), tick=False):
        old = plan_archive(plan=old, by=old.physio)
    figure = plan_adherence(
        plan=old, date_from=FROZEN_TODAY - dt.timedelta(days=6), date_to=FROZEN_TODAY
    )
    assert [day["expected"] > 0 for day in figure["days"]] == [True] * 3 + [False] * 4


def test_no_active_plan_or_nothing_prescribed_is_none(patient, other_patient, late_items_plan):
    late_items_plan.start_date = FROZEN_TODAY + dt.timedelta(days=1)
    late_items_plan.save()
    assert adherence_7d_ratios([patient.pk, other_patient.pk]) == {
        patient.pk: None,
        other_patient.pk: None,
    }


def test_many_patients_in_three_queries(patient, kept_plan, django_assert_num_queries):
    with django_assert_num_queries(3):
        adherence_7d_for([patient.pk, uuid.uuid4(), uuid.uuid4()])


def _pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _figures(patient, physio_client) -> dict[str, object]:
    """The patient's 7-day figure wherever a person reads it, as a whole percentage."""
    listed = physio_client.get("/api/v1/patients/").json()["results"][0]["adherence_7d"]
    summary = physio_client.get(f"/api/v1/patients/{patient.id}/summary/").json()
    episode = Episode.objects.get(patient=patient)
    report = physio_client.get(f"/api/v1/episodes/{episode.id}/report/").json()
    pdf = _pdf_text(
        physio_client.get(
            f"/api/v1/episodes/{episode.id}/report/", HTTP_ACCEPT="application/pdf"
        ).content
    )
    bundle = physio_client.get(f"/api/v1/patients/{patient.id}/fhir/").json()
    (observation,) = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation"
        and entry["resource"]["code"].get("text") == "Exercise sessions done, last 7 days"
    ]
    last_week = weekly_adherence(plan=summary_plan(patient))[-1]
    return {
        "patients/": round(listed * 100),
        "summary": round(summary["adherence_7d"] * 100),
        "report": round(report["adherence_7d"]["rate"] * 100),
        "pdf": "Last 7 days (12 November 2026 to 18 November 2026): "
        f"{report['adherence_7d']['done']} of {report['adherence_7d']['prescribed']} "
        f"sessions done ({round(report['adherence_7d']['rate'] * 100)} %)"
        in pdf
        and round(report["adherence_7d"]["rate"] * 100),
        "fhir": observation["valueQuantity"]["value"],
        "chart": round(100 * last_week.done / last_week.expected),
    }


def summary_plan(patient):
    from apps.plans.selectors import active_plan_of

    return active_plan_of(patient=patient)


@pytest.mark.parametrize(("plan", "percent"), [("kept_plan", 35), ("late_items_plan", 0)])
def test_one_patient_has_one_figure_everywhere(request, patient, physio_client, plan, percent):
    request.getfixturevalue(plan)
    figures = _figures(patient, physio_client)
    assert figures == dict.fromkeys(figures, percent)
