"""Worsening and missed-exercise alerts: one active alert per patient and kind."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.services import care_link_create
from apps.alerts.models import Alert, AlertEvent
from apps.alerts.services import (
    missed_exercises_sweep,
    worsening_candidates,
    worsening_check_patient,
    worsening_sweep,
)
from apps.notifications.models import Notification
from apps.plans.models import PlanItem
from apps.plans.services import exercise_log_create
from apps.symptoms.models import SymptomLog
from backend.queue import hand_off
from tests.factories import EpisodeFactory, PatientFactory
from tests.workers import purge_suite_queues

# Worsening windows and the 7-day adherence behind missed-exercise alerts count back from now.
pytestmark = pytest.mark.usefixtures("frozen_now")


def log(patient, when, pain, **extra):
    fields = {"locations": ["front_of_knee"], "triage_level": "self_care", **extra}
    return SymptomLog.objects.create(
        patient=patient, client_id=uuid.uuid4(), recorded_at=when, pain_score=pain, **fields
    )


def rising(patient, now, days=10, start=2, end=6):
    for day in range(days):
        pain = round(start + (end - start) * day / (days - 1))
        log(patient, now - dt.timedelta(days=days - 1 - day, hours=1), pain)


@pytest.mark.django_db
def test_pain_rising_from_2_to_6_over_ten_days_makes_exactly_one_open_alert(patient, physio):
    care_link_create(physio=physio, patient=patient)
    now = timezone.now()
    rising(patient, now)

    first = worsening_check_patient(patient_id=patient.id, now=now)
    for extra_day in range(1, 4):  # more rising logs, checked again each time
        log(patient, now + dt.timedelta(days=extra_day), 7)
        worsening_check_patient(
            patient_id=patient.id, now=now + dt.timedelta(days=extra_day, hours=1)
        )

    alerts = Alert.objects.filter(patient=patient, kind="worsening")
    assert alerts.count() == 1
    assert alerts.get().pk == first.pk
    assert first.status == "open"
    assert "pain_rising" in alerts.get().codes
    assert Notification.objects.filter(user=physio, kind="alert", alert=first).count() == 1
    assert Notification.objects.filter(user=patient, kind="advice").count() == 1


@pytest.mark.django_db
def test_a_new_finding_updates_the_active_alert(patient, physio):
    care_link_create(physio=physio, patient=patient)
    now = timezone.now()
    rising(patient, now)
    alert = worsening_check_patient(patient_id=patient.id, now=now)

    log(patient, now + dt.timedelta(hours=1), 6, swelling="mild")
    worsening_check_patient(patient_id=patient.id, now=now + dt.timedelta(hours=2))

    alert.refresh_from_db()
    assert set(alert.codes) == {"pain_rising", "new_swelling"}
    assert Alert.objects.filter(patient=patient, kind="worsening").count() == 1
    assert list(AlertEvent.objects.filter(alert=alert).values_list("action", flat=True)) == [
        "raised",
        "updated",
    ]
    assert Notification.objects.filter(user=physio, alert=alert).count() == 2


@pytest.mark.django_db
def test_after_resolution_a_new_worsening_opens_a_new_alert(patient, physio):
    now = timezone.now()
    rising(patient, now)
    first = worsening_check_patient(patient_id=patient.id, now=now)
    Alert.objects.filter(pk=first.pk).update(status="resolved")

    second = worsening_check_patient(patient_id=patient.id, now=now)

    assert second.pk != first.pk
    assert Alert.objects.filter(patient=patient, kind="worsening", status="open").count() == 1


@pytest.mark.django_db
def test_steady_pain_raises_nothing(patient):
    now = timezone.now()
    for day in range(10):
        log(patient, now - dt.timedelta(days=day), 4)
    assert worsening_check_patient(patient_id=patient.id, now=now) is None
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_pain_above_the_plan_limit_twice_in_a_row_is_worsening(patient, make_plan):
    item = PlanItem.objects.get(plan=make_plan(), exercise__slug="wall-calf-stretch")  # max_pain 3
    now = timezone.now()
    for minutes in (20, 10):
        exercise_log_create(
            patient=patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=now - dt.timedelta(minutes=minutes),
            sets_done=2,
            pain_during=6,
        )

    alert = worsening_check_patient(patient_id=patient.id, now=now)

    assert alert.codes == ["exercise_pain_above_limit"]


def session(patient, item, when, pain):
    return exercise_log_create(
        patient=patient,
        plan_item=item,
        client_id=uuid.uuid4(),
        performed_at=when,
        sets_done=2,
        pain_during=pain,
    ).log


@pytest.mark.django_db
def test_seven_painful_calf_sessions_each_followed_by_a_painless_stretch_raise_the_alert(
    patient, make_plan, physio
):
    """The fault found in a clinician's day: the rule read the last two sessions of any
    exercise, and the painless exercise logged after each painful one hid the streak."""
    plan = make_plan()
    painful = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")  # max_pain 3
    painless = PlanItem.objects.get(plan=plan, exercise__slug="quad-sets")
    now = timezone.now()
    for day in range(7, 0, -1):
        session(patient, painful, now - dt.timedelta(days=day, hours=1), 6)
        session(patient, painless, now - dt.timedelta(days=day), 0)

    assert patient.pk in set(worsening_candidates(now=now))
    alert = worsening_check_patient(patient_id=patient.id, now=now)

    assert alert.codes == ["exercise_pain_above_limit"]
    (item,) = alert.details["exercise_pain_above_limit"]["items"]
    assert (item["plan_item"], item["exercise"], item["pains"], item["max_pain"]) == (
        str(painful.pk),
        painful.exercise.name,
        [6, 6],
        3,
    )
    assert alert.recorded_at == now - dt.timedelta(days=1, hours=1)


@pytest.mark.django_db
def test_one_painful_session_each_of_two_exercises_is_no_streak(patient, make_plan):
    plan = make_plan()
    first, second = PlanItem.objects.filter(plan=plan).order_by("position")
    now = timezone.now()
    session(patient, first, now - dt.timedelta(hours=2), 6)
    session(patient, second, now - dt.timedelta(hours=1), 6)

    assert patient.pk not in set(worsening_candidates(now=now))
    assert worsening_check_patient(patient_id=patient.id, now=now) is None


@pytest.mark.django_db
def test_the_sweep_finds_candidates_with_aggregates_and_checks_only_them(
    patient, other_patient, django_assert_max_num_queries
):
    now = timezone.now()
    rising(patient, now)
    for day in range(10):
        log(other_patient, now - dt.timedelta(days=day), 3)
    quiet_ones = PatientFactory.create_batch(20)
    for quiet in quiet_ones:
        log(quiet, now - dt.timedelta(days=1), 2)
    for someone in [patient, other_patient, *quiet_ones]:
        EpisodeFactory(patient=someone)  # in care: the sweeps read only those

    with django_assert_max_num_queries(1):
        candidates = list(worsening_candidates(now=now))
    assert candidates == [patient.pk]

    assert worsening_sweep(now=now) == 1
    assert Alert.objects.filter(kind="worsening").count() == 1
    assert worsening_sweep(now=now) == 1  # checked again, still one alert
    assert Alert.objects.filter(kind="worsening").count() == 1


@pytest.mark.django_db
def test_missed_exercises_alert_when_adherence_falls_under_half(patient, physio, make_plan):
    import time_machine

    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        plan = make_plan()
    item = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")  # 14 sessions a week
    exercise_log_create(
        patient=patient,
        plan_item=item,
        client_id=uuid.uuid4(),
        performed_at=timezone.now(),
        sets_done=2,
        pain_during=1,
    )

    assert missed_exercises_sweep() == 1
    assert missed_exercises_sweep() == 0  # one active alert, not another

    alert = Alert.objects.get(patient=patient, kind="missed_exercises")
    assert alert.details["adherence_7d"] < 0.5
    assert Notification.objects.filter(user=physio, alert=alert).count() == 1


@pytest.mark.django_db
def test_a_plan_younger_than_a_week_is_not_judged(patient, make_plan):
    make_plan()
    assert missed_exercises_sweep() == 0


@pytest.mark.django_db
def test_a_log_schedules_a_debounced_check(
    patient_client, patient, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from tests.bodies import symptom_log_body

    purge_suite_queues()
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post("/api/v1/symptom-logs/", symptom_log_body(), format="json")
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post("/api/v1/symptom-logs/", symptom_log_body(), format="json")
    hand_off.drain()

    # One check, in a minute; the second log found it scheduled (debounced after commit).
    assert queued_checks() == [str(patient.id)]
    assert cache.get(f"worsening-check:{patient.id}") == 1


@pytest.mark.django_db
def test_an_exercise_log_schedules_the_check_too(
    patient_client, patient, make_plan, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from tests.bodies import exercise_log_body

    item = make_plan().items.first()
    purge_suite_queues()
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            "/api/v1/exercise-logs/", exercise_log_body(item, pain_during=8), format="json"
        )
    hand_off.drain()

    assert response.status_code == 201
    assert queued_checks() == [str(patient.id)]  # the worsening check, in a minute
    assert cache.get(f"worsening-check:{patient.id}") == 1


def queued_checks() -> list[str]:
    """Patient ids of the worsening checks waiting on the broker's default queue."""
    from backend.celery import app

    found = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("default")
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                if message.headers.get("task") == "apps.alerts.tasks.check_worsening":
                    found.append(message.payload[0][0])
                message.ack()
        finally:
            queue.close()
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions_done", "alerted"), [(8, True), (9, False)])
def test_missed_exercises_threshold_is_half_of_the_weeks_sessions(
    patient, make_plan, sessions_done, alerted, frozen_now
):
    import time_machine

    with time_machine.travel(frozen_now - dt.timedelta(days=10), tick=False):
        plan = make_plan()  # 2 stretches a day + quad sets 3 days a week: 17 sessions a week
    item = PlanItem.objects.get(plan=plan, exercise__slug="wall-calf-stretch")
    # Two stretches a day, today (a Wednesday, 12:30) and back: 8/17 = 0.47, 9/17 = 0.53.
    sessions = [(day, hour) for day in range(7) for hour in (9, 10)][:sessions_done]
    for day, hour in sessions:
        exercise_log_create(
            patient=patient,
            plan_item=item,
            client_id=uuid.uuid4(),
            performed_at=frozen_now.replace(hour=hour) - dt.timedelta(days=day),
            sets_done=2,
            pain_during=1,
        )

    assert missed_exercises_sweep() == (1 if alerted else 0)


@pytest.mark.django_db
def test_rising_logs_sent_through_the_api_make_one_open_alert_via_the_task(patient, physio):
    """Issue 6's Done-when end to end in one process: the phone logs pain rising from 2 to
    6 over ten days, the after-log task runs each time, more rising logs follow."""
    import time_machine

    from apps.alerts.tasks import check_worsening
    from tests.bodies import symptom_log_body
    from tests.conftest import client_for

    care_link_create(physio=physio, patient=patient)
    start = timezone.now() - dt.timedelta(days=12)
    pains = [2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
    for day, pain in enumerate(pains):
        with time_machine.travel(start + dt.timedelta(days=day), tick=False):
            response = client_for(patient).post(
                "/api/v1/symptom-logs/",
                symptom_log_body(recorded_at=timezone.now().isoformat(), pain_score=pain),
                format="json",
            )
            assert response.status_code == 201
            check_worsening.apply(args=[str(patient.id)])

    alerts = Alert.objects.filter(patient=patient, kind="worsening")
    assert alerts.count() == 1
    assert alerts.get().status == "open"
    assert Notification.objects.filter(user=physio, kind="alert", alert=alerts.get()).count() == 1


# --- The sweeps are set-based: queries do not grow with the number of patients ----------------


def _sweep_queries(sweep, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        sweep(**kwargs)
    return len(captured)


def _linked_patients(physio, count):
    patients = PatientFactory.create_batch(count)
    for patient in patients:
        care_link_create(physio=physio, patient=patient)
        EpisodeFactory(patient=patient, physio=physio)
    return patients


@pytest.mark.django_db
def test_the_worsening_sweep_costs_the_same_queries_for_two_patients_as_for_eight(physio):
    now = timezone.now()
    few, many = _linked_patients(physio, 2), _linked_patients(physio, 8)
    for patient in few:
        rising(patient, now)
    first = _sweep_queries(worsening_sweep, now=now)
    assert Alert.objects.filter(kind="worsening").count() == 2

    for patient in many:
        rising(patient, now)
    # The two already alerted are candidates again (unchanged); eight are new.
    assert _sweep_queries(worsening_sweep, now=now) == first
    assert Alert.objects.filter(kind="worsening").count() == 10
    assert Notification.objects.filter(user=physio, alert__kind="worsening").count() == 10
    advice = Notification.objects.filter(kind="advice", user__in=many)
    assert advice.count() == 8


@pytest.mark.django_db
def test_the_missed_exercises_sweep_costs_the_same_queries_for_two_patients_as_for_eight(
    physio, exercise, other_exercise
):
    import time_machine

    from apps.plans.services import plan_create
    from tests.bodies import plan_body

    def plan_for(patient):
        body = plan_body(patient)
        plan_create(
            physio=physio,
            patient_id=patient.id,
            title=body["title"],
            start_date=dt.date.fromisoformat(body["start_date"]),
            end_date=dt.date.fromisoformat(body["end_date"]),
            reminder_times=body["reminder_times"],
            items=[
                {**item, "exercise": type(exercise).objects.get(slug=item["exercise"])}
                for item in body["items"]
            ],
        )

    few, many = _linked_patients(physio, 2), _linked_patients(physio, 8)
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        for patient in few + many:
            plan_for(patient)

    first = _sweep_queries(missed_exercises_sweep)
    assert Alert.objects.filter(kind="missed_exercises").count() == 10
    Alert.objects.filter(patient__in=many).delete()

    assert _sweep_queries(missed_exercises_sweep) == first
    assert Alert.objects.filter(kind="missed_exercises").count() == 10


@pytest.mark.django_db
def test_low_adherence_is_found_as_the_caseload_computes_it(
    physio, exercise, other_exercise, django_assert_num_queries
):
    import time_machine

    from apps.accounts.models import User
    from apps.plans.adherence import adherence_7d_below, adherence_7d_ratios
    from apps.plans.services import plan_create
    from tests.bodies import plan_body

    patients = _linked_patients(physio, 4)
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        for patient in patients:
            body = plan_body(patient)
            plan_create(
                physio=physio,
                patient_id=patient.id,
                title=body["title"],
                start_date=dt.date.fromisoformat(body["start_date"]),
                end_date=dt.date.fromisoformat(body["end_date"]),
                reminder_times=body["reminder_times"],
                items=[
                    {**item, "exercise": type(exercise).objects.get(slug=item["exercise"])}
                    for item in body["items"]
                ],
            )
    item = PlanItem.objects.filter(plan__patient=patients[0]).first()
    for day in range(7):  # the first patient keeps up with one item, daily
        for _ in range(3):
            exercise_log_create(
                patient=patients[0],
                plan_item=item,
                client_id=uuid.uuid4(),
                performed_at=timezone.now() - dt.timedelta(days=day, minutes=5),
                sets_done=2,
                pain_during=1,
            )

    # PostgreSQL: the judged plans' zones, then one query (in a savepoint, with its
    # work_mem). SQLite: the patients judged, their plans, items and logs.
    queries = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(queries):
        below = dict(adherence_7d_below(0.5))

    figures = adherence_7d_ratios(
        User.objects.filter(pk__in=[p.pk for p in patients]).values_list("pk", flat=True)
    )
    assert below == {pk: value for pk, value in figures.items() if value < 0.5}
    assert patients[0].pk not in below
    assert len(below) == 3
