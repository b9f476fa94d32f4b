"""The nightly sweeps start from what is active: patients with an active plan, episode of
care or outcome schedule, and only their logs inside the look-back windows. A discharged
patient's history costs a sweep nothing (docs/decisions/sweep-indexes.md)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import Alert
from apps.alerts.services import (
    in_care,
    sweep_chunk,
    worsening_candidates,
    worsening_check_patient,
    worsening_sweep,
)
from apps.episodes.models import Episode
from apps.plans.adherence import adherence_7d_below
from apps.symptoms.models import SymptomLog
from tests.factories import (
    EpisodeFactory,
    ExercisePlanFactory,
    OutcomeScheduleFactory,
    PatientFactory,
    PlanItemFactory,
)

pytestmark = pytest.mark.usefixtures("frozen_now")


def rising(patient, now, days=10):
    for day in range(days):
        SymptomLog.objects.create(
            patient=patient,
            client_id=uuid.uuid4(),
            recorded_at=now - dt.timedelta(days=days - 1 - day, hours=1),
            pain_score=round(2 + 4 * day / (days - 1)),
            locations=["front_of_knee"],
            triage_level="self_care",
        )


@pytest.mark.django_db
def test_a_discharged_patient_rising_inside_the_window_is_not_swept():
    now = timezone.now()
    discharged = EpisodeFactory(discharged=True).patient
    rising(discharged, now)

    assert list(worsening_candidates(now=now)) == []
    assert worsening_sweep(now=now) == 0
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_an_active_episode_or_an_active_outcome_schedule_alone_puts_a_patient_in_care():
    now = timezone.now()
    by_episode = EpisodeFactory().patient
    schedule = OutcomeScheduleFactory()
    # The schedule's episode discharged but the schedule left running: the schedule counts.
    Episode.objects.filter(pk=schedule.episode_id).update(status="discharged", discharged_at=now)
    outsider = PatientFactory()  # no plan, episode or schedule: the sweeps leave them alone
    for patient in (by_episode, schedule.patient, outsider):
        rising(patient, now)

    assert set(worsening_candidates(now=now)) == {by_episode.pk, schedule.patient_id}
    assert worsening_sweep(now=now) == 2
    assert set(Alert.objects.values_list("patient_id", flat=True)) == {
        by_episode.pk,
        schedule.patient_id,
    }


@pytest.mark.django_db
def test_a_patient_out_of_care_is_still_checked_after_each_log():
    """Only the nightly catch-up is limited to patients in care: the check that follows a
    log (worsening_check_soon) runs for anyone who logs."""
    now = timezone.now()
    outsider = PatientFactory()
    rising(outsider, now)

    alert = worsening_check_patient(patient_id=outsider.pk, now=now)

    assert alert is not None
    assert "pain_rising" in alert.codes


@pytest.mark.django_db
def test_the_candidate_queries_read_only_the_window_of_patients_in_care():
    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        list(worsening_candidates(now=now))
    (query,) = captured.captured_queries
    sql = query["sql"]
    # Each of the two halves (symptoms, exercises) filters on the active sets and on the
    # window's lower bound, which the time columns' indexes serve.
    for table in ("plans_exerciseplan", "episodes_episode", "outcomes_outcomeschedule"):
        assert sql.count(f'FROM "{table}"') == 2, table
    assert '"symptoms_symptomlog"."recorded_at" >' in sql
    assert '"plans_exerciselog"."performed_at" >' in sql


@pytest.mark.django_db
def test_the_adherence_sweep_reads_only_the_last_week_of_active_plans():
    plan = ExercisePlanFactory(start_date=timezone.localdate() - dt.timedelta(days=10))
    PlanItemFactory(plan=plan)
    with CaptureQueriesContext(connection) as captured:
        adherence_7d_below(0.5, now=timezone.now())
    sql = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":
        # One query (apps.plans.adherence._SESSIONS_SQL): the judged plans first, then
        # only their items and the window's logs.
        (query,) = (q for q in sql if "plans_exerciselog" in q)
        assert query.lstrip().startswith("WITH plan ")
        assert '"plans_exerciseplan"."status" = ' in query
        assert "log.performed_at >= '" in query
        assert "log.performed_at < '" in query
        return
    # The active plans are found first (apps.plans.adherence), then only their logs.
    plans = next(q for q in sql if 'FROM "plans_exerciseplan"' in q)
    assert '"plans_exerciseplan"."status" = ' in plans
    done = next(q for q in sql if 'FROM "plans_exerciselog"' in q)
    assert '"plans_exerciselog"."performed_at" >=' in done
    assert '"plans_planitem"."plan_id" IN' in done


@pytest.mark.django_db
def test_in_care_is_the_union_of_active_plans_episodes_and_schedules():
    active = EpisodeFactory().patient
    EpisodeFactory(discharged=True)
    PatientFactory()
    assert list(User.objects.filter(in_care("pk")).values_list("pk", flat=True)) == [active.pk]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's planner")
def test_the_windows_can_be_read_through_an_index_on_the_time_columns():
    """With sequential scans ruled out (on a table this small PostgreSQL would rightly scan
    it whole), both log tables are read through an index whose condition is the window:
    the BRIN index of the migrations, or the per-patient one from the patients in care."""
    now = timezone.now()
    rising(EpisodeFactory().patient, now)
    with CaptureQueriesContext(connection) as captured:
        list(worsening_candidates(now=now))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('symptoms_log_time_brin', 'plans_log_time_brin') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "plans_log_time_brin",
            "symptoms_log_time_brin",
        ]
    text = "\n".join(plan)
    assert "Seq Scan on symptoms_symptomlog" not in text
    assert "Seq Scan on plans_exerciselog" not in text
    conditions = [line for line in plan if "Index Cond" in line or "Recheck Cond" in line]
    assert any("recorded_at >" in line for line in conditions), text
    assert any("performed_at >" in line for line in conditions), text


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_a_sweep_chunk_lets_postgresql_keep_plans_for_its_foreign_key_checks():
    def mode():
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return cursor.fetchone()[0]

    outside = mode()
    with sweep_chunk():
        inside = mode()
    assert (outside, inside) == ("force_custom_plan", "auto")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="BRIN is PostgreSQL's")
def test_each_sweep_first_summarises_what_autovacuum_has_not_reached():
    """A range left unsummarised is read whole by every sweep; both sweeps summarise the
    new ranges of their BRIN indexes first, so the next call finds nothing left to do."""
    from apps.alerts.services import missed_exercises_sweep, sweep_indexes_summarise

    def unsummarised() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT brin_summarize_new_values('symptoms_log_time_brin')")
            return cursor.fetchone()[0]

    now = timezone.now()
    rising(EpisodeFactory().patient, now)
    worsening_sweep(now=now)
    assert unsummarised() == 0

    rising(EpisodeFactory().patient, now)
    missed_exercises_sweep(now=now)
    assert unsummarised() == 0
    assert sweep_indexes_summarise() == 0


@pytest.mark.django_db
def test_summarising_is_nothing_off_postgresql_and_never_stops_a_sweep(monkeypatch):
    from apps.alerts import services

    monkeypatch.setattr(services, "SWEEP_BRIN_INDEXES", ("no_such_index",))
    assert services.sweep_indexes_summarise() == 0
    assert worsening_sweep(now=timezone.now()) == 0  # the transaction is still usable
