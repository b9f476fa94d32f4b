"""Clinics and their staff: the commands that make them, the bootstrap's demo clinic, the
superusers' admin, and episodes belonging to the clinic of the physio who opens them."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import care_link_create
from apps.clinics.models import Clinic, StaffMembership, StaffRole
from apps.episodes.models import Episode
from tests.conftest import client_for
from tests.factories import ClinicFactory, EditorFactory, PhysioFactory
from tests.factories.clinics import the_test_clinic
from tests.second_factor import admin_sign_in

pytestmark = pytest.mark.django_db

STRONG = "Calf-stretch-daily-9"


def episode_body() -> dict:
    return {"title": "Knee pain", "started_on": str(timezone.localdate())}


def createuser(*extra: str, role: str = "physio", email: str = "new@example.org") -> None:
    call_command("createuser", "--role", role, "--email", email, "--password", STRONG, *extra)


def test_createclinic_makes_a_clinic():
    call_command(
        "createclinic", "--name", "Riverside", "--slug", "riverside", "--timezone", "Europe/Madrid"
    )

    clinic = Clinic.objects.get(slug="riverside")
    assert (clinic.name, clinic.timezone) == ("Riverside", "Europe/Madrid")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--name", "Again", "--slug", "taken"], "slug"),
        (["--name", "Bad slug", "--slug", "not a slug"], "slug"),
        (["--name", "Nowhere", "--slug", "nowhere", "--timezone", "Mars/Base"], "timezone"),
        (["--name", "", "--slug", "empty"], "name"),
    ],
)
def test_createclinic_refuses_bad_input_and_stores_nothing(args, field):
    ClinicFactory(slug="taken")

    with pytest.raises(CommandError, match=field):
        call_command("createclinic", *args)
    assert Clinic.objects.count() == 1


def test_createuser_puts_a_physio_on_the_named_clinics_staff():
    clinic = ClinicFactory(slug="riverside")
    ClinicFactory(slug="hillside")

    createuser("--clinic", "riverside")
    createuser("--clinic", "riverside", "--clinic-admin", email="boss@example.org")

    staff = StaffMembership.objects.filter(clinic=clinic).order_by("user__email")
    assert [(m.user.email, m.role) for m in staff] == [
        ("boss@example.org", StaffRole.ADMIN),
        ("new@example.org", StaffRole.CLINICIAN),
    ]


def test_createuser_puts_a_physio_in_the_only_clinic_without_being_told():
    clinic = ClinicFactory()

    createuser()

    assert StaffMembership.objects.get(user__email="new@example.org").clinic == clinic


@pytest.mark.parametrize(
    ("clinics", "extra", "role", "message"),
    [
        (0, [], "physio", "createclinic"),
        (2, [], "physio", "--clinic"),
        (1, ["--clinic", "unknown"], "physio", "No clinic"),
        (1, ["--clinic", "clinic-a"], "patient", "Only a physiotherapist"),
        (1, ["--clinic-admin"], "editor", "Only a physiotherapist"),
    ],
)
def test_createuser_refuses_a_physio_without_a_clinic_and_others_with_one(
    clinics, extra, role, message
):
    for letter in "ab"[:clinics]:
        ClinicFactory(slug=f"clinic-{letter}")

    with pytest.raises(CommandError, match=message):
        createuser(*extra, role=role)
    assert not User.objects.filter(email="new@example.org").exists()
    assert not StaffMembership.objects.exists()


def test_createuser_leaves_nothing_when_the_account_is_refused():
    ClinicFactory(slug="riverside")

    with pytest.raises(CommandError, match="password"):
        call_command(
            "createuser", "--role", "physio", "--email", "x@example.org", "--password", "1",
            "--clinic", "riverside",
        )  # fmt: skip
    assert not User.objects.exists()
    assert not StaffMembership.objects.exists()


def test_bootstrap_demo_makes_the_demo_physio_admin_of_a_demo_clinic():
    call_command("bootstrap", "--demo")
    call_command("bootstrap", "--demo")

    membership = StaffMembership.objects.get(user__email="physio@example.com")
    assert (membership.clinic.slug, membership.role) == ("demo", StaffRole.ADMIN)
    assert Clinic.objects.count() == 1


def test_an_episode_belongs_to_the_clinic_its_physio_joined_first(patient):
    first, second = ClinicFactory(), ClinicFactory()
    physio = PhysioFactory(clinic=first)
    StaffMembership.objects.create(clinic=second, user=physio, role=StaffRole.ADMIN)
    care_link_create(physio=physio, patient=patient)

    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(), format="json"
    )

    assert response.status_code == 201, response.content
    assert Episode.objects.get(pk=response.json()["id"]).clinic == first


def test_a_physio_on_no_clinics_staff_opens_no_episode(patient):
    physio = PhysioFactory(clinic=False)
    care_link_create(physio=physio, patient=patient)

    response = client_for(physio).post(
        f"/api/v1/patients/{patient.id}/episodes/", episode_body(), format="json"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "no_clinic"
    assert not Episode.objects.exists()


def test_superusers_manage_clinics_and_staff_in_the_admin(staff_browser):
    physio = PhysioFactory(clinic=False)
    added = staff_browser.post(
        "/admin/clinics/clinic/add/",
        {
            "name": "Hillside",
            "slug": "hillside",
            "timezone": "Europe/London",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(physio.pk),
            "memberships-0-role": "admin",
        },
    )

    assert added.status_code == 302, added.content
    membership = StaffMembership.objects.get(user=physio)
    assert (membership.clinic.slug, membership.role) == ("hillside", StaffRole.ADMIN)
    assert staff_browser.get("/admin/clinics/staffmembership/").status_code == 200


def test_editors_are_admin_staff_but_see_no_clinic_or_staff():
    editor = EditorFactory()
    the_test_clinic()
    browser = Client()
    admin_sign_in(browser, editor)

    assert browser.get("/admin/clinics/clinic/").status_code == 403
    assert browser.get("/admin/clinics/staffmembership/").status_code == 403
    assert (
        browser.post("/admin/clinics/clinic/add/", {"name": "Mine", "slug": "mine"}).status_code
        == 403
    )
    assert Clinic.objects.count() == 1
    assert b"Clinics and staff" not in browser.get("/admin/").content
