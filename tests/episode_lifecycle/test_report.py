"""The report data of an episode (apps/episode_lifecycle/report.py): its exact shape, and each figure
computed over the episode's window from the patient's logs, scores, plans and alerts."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.alerts.models import Alert
from apps.content.vocabulary import DISCLAIMER
from apps.episode_lifecycle.report import episode_report, episode_report_build
from apps.episode_lifecycle.selectors import episode_for
from apps.plans.models import PlanItem
from tests.clock import FROZEN_NOW
from tests.factories import (
    AlertFactory,
    ConditionFactory,
    EpisodeFactory,
    ExerciseLogFactory,
    ExercisePlanFactory,
    GoalFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
    PatientFactory,
    PhysioFactory,
    PlanItemFactory,
    SymptomLogFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TODAY = FROZEN_NOW.date()  # Wednesday 18 November 2026
START = TODAY - dt.timedelta(days=20)  # Wednesday 28 October


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def episode(physio, patient, linked):
    return EpisodeFactory(
        patient=patient,
        physio=physio,
        started_on=START,
        title="Right knee",
        condition=ConditionFactory(slug="pfp", name="Patellofemoral pain"),
    )


def test_the_report_has_exactly_the_agreed_shape(episode, instruments):
    report = episode_report_build(episode)

    assert set(report) == {
        "episode",
        "generated_at",
        "final",
        "pain",
        "outcomes",
        "goals",
        "adherence",
        "adherence_7d",
        "alerts",
        "note",
        "disclaimer",
    }
    assert report["episode"] == {
        "id": str(episode.id),
        "title": "Right knee",
        "condition": {"slug": "pfp", "name": "Patellofemoral pain"},
        "started_on": str(START),
        "ended_on": None,
        "status": "active",
        "patient": {
            "id": str(episode.patient.id),
            "email": episode.patient.email,
            "display_name": episode.patient.email,
        },
        "physio": {
            "id": str(episode.physio.id),
            "email": episode.physio.email,
            "display_name": episode.physio.email,
        },
        "clinic": {"id": str(episode.clinic.id), "name": episode.clinic.name},
    }
    assert set(report["pain"]) == {
        "first_7_days_mean",
        "last_7_days_mean",
        "change",
        "mcid",
        "responder",
        "series",
    }
    assert report["pain"]["mcid"] == 2
    assert report["final"] is False
    assert report["disclaimer"] == DISCLAIMER
    assert dt.datetime.fromisoformat(report["generated_at"]) >= FROZEN_NOW
    assert (report["outcomes"], report["goals"], report["alerts"]) == ([], [], [])
    assert [week["week_start"] for week in report["adherence"]] == [
        str(START),
        str(START + dt.timedelta(days=7)),
        str(START + dt.timedelta(days=14)),
    ]


def test_pain_compares_the_first_and_last_seven_days_of_the_window(episode, patient):
    def log(day, pain, **flags):
        SymptomLogFactory(patient=patient, recorded_at=noon(day), pain_score=pain, **flags)

    log(START - dt.timedelta(days=1), 10)  # before the episode: left out
    log(START, 6)
    log(START + dt.timedelta(days=3), 8)
    log(START + dt.timedelta(days=6), 7)
    log(START + dt.timedelta(days=10), 5, fever=True, redness=True, warmth=True)
    log(TODAY - dt.timedelta(days=6), 3)
    log(TODAY, 4)
    log(TODAY, 2)
    SymptomLogFactory(recorded_at=noon(TODAY), pain_score=9)  # another patient

    pain = episode_report_build(episode)["pain"]

    assert pain["first_7_days_mean"] == 7.0
    assert pain["last_7_days_mean"] == 3.0
    assert pain["change"] == -4.0
    assert pain["responder"] == "improved"
    assert pain["series"] == [
        {"date": str(START), "mean": 6.0, "red_flag": False},
        {"date": str(START + dt.timedelta(days=3)), "mean": 8.0, "red_flag": False},
        {"date": str(START + dt.timedelta(days=6)), "mean": 7.0, "red_flag": False},
        {"date": str(START + dt.timedelta(days=10)), "mean": 5.0, "red_flag": True},
        {"date": str(TODAY - dt.timedelta(days=6)), "mean": 3.0, "red_flag": False},
        {"date": str(TODAY), "mean": 3.0, "red_flag": False},
    ]


@pytest.mark.parametrize(
    ("first", "last", "responder"),
    [(5, 7, "worsened"), (5, 6, "no_change"), (5, 4, "no_change"), (5, 3, "improved")],
)
def test_pain_change_is_judged_against_two_points(episode, patient, first, last, responder):
    SymptomLogFactory(patient=patient, recorded_at=noon(START), pain_score=first)
    SymptomLogFactory(patient=patient, recorded_at=noon(TODAY), pain_score=last)
    assert episode_report_build(episode)["pain"]["responder"] == responder


def test_without_logs_the_pain_figures_are_null(episode):
    pain = episode_report_build(episode)["pain"]
    assert (pain["first_7_days_mean"], pain["last_7_days_mean"], pain["change"]) == (
        None,
        None,
        None,
    )
    assert (pain["responder"], pain["series"]) == (None, [])


def test_outcomes_and_goals_come_from_the_episodes_own_scores(
    episode, patient, physio, instruments
):
    schedule = OutcomeScheduleFactory(
        patient=patient, physio=physio, episode=episode, instrument_id="lefs"
    )

    def answer(day, score, on=schedule):
        return OutcomeResponseFactory(
            schedule=on,
            instrument_id="lefs",
            score=Decimal(score),
            completed_at=noon(day),
            answers=[{"item": "1", "value": 1}],
        )

    answer(START + dt.timedelta(days=1), 30)
    answer(START + dt.timedelta(days=8), 35)
    answer(TODAY, 41)
    other = OutcomeScheduleFactory(
        patient=patient,
        physio=PhysioFactory(),
        instrument_id="psfs",
        episode=EpisodeFactory(patient=patient),
    )
    OutcomeResponseFactory(
        schedule=other, instrument_id="psfs", score=Decimal(2), completed_at=noon(TODAY)
    )
    GoalFactory(episode=episode, instrument="lefs", target=40, due_on=TODAY)
    GoalFactory(episode=episode, instrument="lefs", target=60, due_on=TODAY - dt.timedelta(days=1))

    report = episode_report_build(episode)

    assert report["outcomes"] == [
        {
            "instrument": "lefs",
            "title": report["outcomes"][0]["title"],
            "baseline": 30.0,
            "latest": 41.0,
            "change": 11.0,
            "mcid": 9.0,
            "higher_is_better": True,
            "responder": "improved",
            "score_min": 0.0,
            "score_max": 80.0,
            "series": [
                {"completed_at": noon(START + dt.timedelta(days=1)).isoformat(), "score": 30.0},
                {"completed_at": noon(START + dt.timedelta(days=8)).isoformat(), "score": 35.0},
                {"completed_at": noon(TODAY).isoformat(), "score": 41.0},
            ],
        }
    ]
    assert "Lower Extremity" in report["outcomes"][0]["title"]
    assert report["goals"] == [
        {
            "description": "Climb stairs without a rail",
            "instrument": "lefs",
            "instrument_name": report["outcomes"][0]["title"],
            "target": 60.0,
            "due_on": str(TODAY - dt.timedelta(days=1)),
            "status": "not_met",
            "latest": 41.0,
        },
        {
            "description": "Climb stairs without a rail",
            "instrument": "lefs",
            "instrument_name": report["outcomes"][0]["title"],
            "target": 40.0,
            "due_on": str(TODAY),
            "status": "met",
            "latest": 41.0,
        },
    ]


def test_adherence_is_counted_per_week_of_the_episodes_plans(episode, patient, physio):
    plan = ExercisePlanFactory(
        patient=patient,
        physio=physio,
        episode=episode,
        start_date=START + dt.timedelta(days=7),
        end_date=TODAY + dt.timedelta(days=30),
    )
    item = PlanItemFactory(plan=plan, times_per_day=1)
    PlanItem.objects.filter(pk=item.pk).update(created_at=noon(START))
    for offset in (7, 8, 9, 14):
        ExerciseLogFactory(plan_item=item, performed_at=noon(START + dt.timedelta(days=offset)))
    # Another episode's plan of the same patient does not count here.
    ExerciseLogFactory(performed_at=noon(START + dt.timedelta(days=7)))

    assert episode_report_build(episode)["adherence"] == [
        {"week_start": str(START), "done": 0, "prescribed": 0, "rate": None},
        {"week_start": str(START + dt.timedelta(days=7)), "done": 3, "prescribed": 7, "rate": 0.43},
        {
            "week_start": str(START + dt.timedelta(days=14)),
            "done": 1,
            "prescribed": 7,
            "rate": 0.14,
        },
    ]


def test_alerts_raised_in_the_window_are_counted_by_kind(episode, patient):
    def alert(day, **traits):
        row = AlertFactory(patient=patient, **traits)
        Alert.objects.filter(pk=row.pk).update(created_at=noon(day))

    alert(START - dt.timedelta(days=2))  # before the episode
    alert(START + dt.timedelta(days=2))
    alert(START + dt.timedelta(days=9))
    alert(TODAY, worsening=True)
    AlertFactory()  # another patient's

    assert episode_report_build(episode)["alerts"] == [
        {"kind": "red_flag", "count": 2},
        {"kind": "worsening", "count": 1},
    ]


def test_the_report_is_only_for_the_patient_and_linked_physios(episode, patient, physio):
    assert episode_for(user=patient, episode_id=episode.id) == episode
    readable = episode_for(user=physio, episode_id=episode.id)
    assert episode_report(readable)["episode"]["id"] == str(episode.id)
    for outsider in (PatientFactory(), PhysioFactory()):
        assert episode_for(user=outsider, episode_id=episode.id) is None
    assert episode_for(user=patient, episode_id="not-a-uuid") is None
