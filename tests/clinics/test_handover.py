"""Deactivating a physio hands their patients over to a colleague of the same clinic, in
one transaction: links, active episodes, active plans and running schedules change hands,
reminders go on, patients are told (inbox and push, their language, no health data) and
the account can no longer sign in. Refusals change nothing."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import CareTeamLink, User
from apps.accounts.services import care_link_create
from apps.clinics.models import StaffRole
from apps.episodes.models import Episode, EpisodeStatus
from apps.episodes.services import episode_open
from apps.notifications.models import Notification, PushDelivery, Reminder
from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.services import instruments_load, outcome_schedule_create
from apps.plans.models import ExercisePlan
from apps.plans.services import plan_create
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    ClinicFactory,
    DeviceFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
)

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside")


@pytest.fixture
def admin(clinic):
    return PhysioFactory(email="admin@example.org", clinic=clinic, clinic__role=StaffRole.ADMIN)


@pytest.fixture
def leaving(clinic):
    return PhysioFactory(email="leaving@example.org", clinic=clinic)


@pytest.fixture
def colleague(clinic):
    return PhysioFactory(email="colleague@example.org", clinic=clinic, display_name="Dr Ana Ruiz")


def care_for(physio, patient) -> None:
    """A link, an episode, an active plan with reminders and a running schedule."""
    care_link_create(physio=physio, patient=patient)
    episode = episode_open(physio=physio, patient=patient, title="Knee")
    today = timezone.now().date()
    plan_create(
        physio=physio,
        patient_id=patient.id,
        title="Knee plan",
        start_date=today,
        end_date=today + dt.timedelta(days=28),
        reminder_times=["08:00", "18:00"],
        items=[
            {
                "exercise": ExerciseFactory._meta.model.objects.get(slug="wall-calf-stretch"),
                "sets": 3,
                "reps": 10,
                "days_of_week": [0, 1, 2, 3, 4, 5, 6],
                "max_pain": 3,
            }
        ],
        episode=episode.id,
    )
    outcome_schedule_create(
        physio=physio, patient=patient, instrument="lefs", every_days=14, starts_on=today
    )


@pytest.fixture
def patients(leaving):
    ExerciseFactory(slug="wall-calf-stretch", name="Wall calf stretch")
    instruments_load()
    people = [
        PatientFactory(email="ana@example.org", language="es"),
        PatientFactory(email="ben@example.org"),
    ]
    for patient in people:
        care_for(leaving, patient)
        DeviceFactory(user=patient)
    return people


def deactivate(admin, clinic, physio, body=None):
    return client_for(admin).post(
        f"/api/v1/clinics/{clinic.id}/staff/{physio.id}/deactivate/", body or {}, format="json"
    )


def owned_by(physio) -> dict[str, int]:
    return {
        "links": CareTeamLink.objects.filter(physio=physio, ended_at__isnull=True).count(),
        "episodes": Episode.objects.filter(physio=physio, status=EpisodeStatus.ACTIVE).count(),
        "plans": ExercisePlan.objects.filter(physio=physio, status="active").count(),
        "schedules": OutcomeSchedule.objects.filter(physio=physio, ended_at__isnull=True).count(),
    }


def pending_reminders() -> list:
    return list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "status"))


def test_everything_changes_hands_and_the_patients_are_told(
    admin, clinic, leaving, colleague, patients
):
    reminders = pending_reminders()
    assert reminders  # the plans and schedules planned some
    token = client_for(leaving)

    response = deactivate(admin, clinic, leaving, {"transfer_to": str(colleague.id)})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "physio": str(leaving.id),
        "transfer_to": str(colleague.id),
        "patients": 2,
    }
    assert owned_by(leaving) == {"links": 0, "episodes": 0, "plans": 0, "schedules": 0}
    assert owned_by(colleague) == {"links": 2, "episodes": 2, "plans": 2, "schedules": 2}
    assert pending_reminders() == reminders  # reminders go on, untouched
    told = {n.user.email: n for n in Notification.objects.filter(kind="care_team")}
    assert set(told) == {"ana@example.org", "ben@example.org"}
    # Each patient reads it in their own language (rendered when read or pushed).
    for email, title, body in (
        (
            "ben@example.org",
            "Your physiotherapist has changed",
            "Dr Ana Ruiz at Riverside now looks after your care.",
        ),
        (
            "ana@example.org",
            "Ha cambiado su fisioterapeuta",
            "Dr Ana Ruiz, de Riverside, se ocupa ahora de su atención.",
        ),
    ):
        [shown] = client_for(told[email].user).get("/api/v1/notifications/").json()["results"]
        assert (shown["title"], shown["body"]) == (title, body)
    assert PushDelivery.objects.filter(notification__kind="care_team").count() == 2
    # The colleague now reaches the records; the leaving account reaches nothing.
    episode = Episode.objects.filter(physio=colleague).first()
    assert client_for(colleague).get(f"/api/v1/episodes/{episode.id}/").status_code == 200
    assert token.get("/api/v1/me/").status_code == 401
    signed_in = APIClient().post(
        "/api/v1/auth/token/", {"email": leaving.email, "password": PASSWORD}, format="json"
    )
    assert signed_in.status_code == 401
    leaving.refresh_from_db()
    assert leaving.is_active is False


def test_with_patients_and_no_colleague_it_is_a_409_and_nothing_changes(
    admin, clinic, leaving, patients
):
    before = owned_by(leaving)

    response = deactivate(admin, clinic, leaving)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "has_patients"
    assert owned_by(leaving) == before
    assert User.objects.get(pk=leaving.pk).is_active is True


def test_without_patients_no_colleague_is_needed(admin, clinic, leaving):
    response = deactivate(admin, clinic, leaving)

    assert response.status_code == 200
    assert response.json()["transfer_to"] is None
    assert User.objects.get(pk=leaving.pk).is_active is False


@pytest.mark.parametrize(
    "successor",
    ["another clinic", "themselves", "deactivated", "a patient", "unknown"],
)
def test_a_successor_who_is_not_an_active_colleague_is_a_400(
    admin, clinic, leaving, patients, successor
):
    candidates = {
        "another clinic": lambda: PhysioFactory(clinic=ClinicFactory()).id,
        "themselves": lambda: leaving.id,
        "deactivated": lambda: PhysioFactory(clinic=clinic, is_active=False).id,
        "a patient": lambda: patients[0].id,
        "unknown": lambda: "5e000000-0000-0000-0000-000000000001",
    }
    before = owned_by(leaving)

    response = deactivate(admin, clinic, leaving, {"transfer_to": str(candidates[successor]())})

    assert response.status_code == 400
    assert response.json()["errors"][0] | {"detail": None} == {
        "code": "invalid_transfer",
        "attr": "transfer_to",
        "detail": None,
    }
    assert owned_by(leaving) == before
    assert User.objects.get(pk=leaving.pk).is_active is True


def test_a_colleague_with_an_active_episode_of_the_same_patient_is_a_409(
    admin, clinic, leaving, colleague, patients
):
    care_link_create(physio=colleague, patient=patients[1])
    episode_open(physio=colleague, patient=patients[1], title="Calf")
    before = owned_by(leaving)

    response = deactivate(admin, clinic, leaving, {"transfer_to": str(colleague.id)})

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "colleague_has_episode"
    assert owned_by(leaving) == before
    assert not Notification.objects.filter(kind="care_team").exists()


@pytest.mark.parametrize("caller", ["clinician", "other admin", "leaving"])
def test_only_the_clinics_admin_deactivates(clinic, leaving, colleague, caller):
    callers = {
        "clinician": lambda: colleague,
        "other admin": lambda: PhysioFactory(clinic=ClinicFactory(), clinic__role=StaffRole.ADMIN),
        "leaving": lambda: leaving,
    }

    response = deactivate(callers[caller](), clinic, leaving, {"transfer_to": str(colleague.id)})

    assert response.status_code == 404
    assert User.objects.get(pk=leaving.pk).is_active is True


def test_a_physio_of_another_clinic_is_not_found(admin, clinic):
    outsider = PhysioFactory(clinic=ClinicFactory())

    assert deactivate(admin, clinic, outsider).status_code == 404
    assert User.objects.get(pk=outsider.pk).is_active is True
