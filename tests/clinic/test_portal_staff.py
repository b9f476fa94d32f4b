"""A clinic admin's Staff pages in the portal and the staff invitation's acceptance page:
who reaches them (clinic admins only; 404 for every other physio), inviting, withdrawing,
deactivating with a handover, and making the account from the e-mail's link."""

import pytest
from django.test import Client

from apps.accounts.models import CareTeamLink, User
from apps.accounts.services import care_link_create
from apps.clinics.models import StaffInvite, StaffMembership, StaffRole
from apps.clinics.services import staff_invite_create
from tests.factories import ClinicFactory, EditorFactory, PatientFactory, PhysioFactory

from .conftest import portal_client_for

pytestmark = pytest.mark.django_db

PASSWORD = "knee-rehab-Journey-7"
ACCEPT = "/clinic/staff-invite/accept/"


@pytest.fixture
def clinic():
    return ClinicFactory(name="Riverside Physiotherapy")


@pytest.fixture
def admin(clinic):
    return PhysioFactory(email="admin@example.org", clinic=clinic, clinic__role=StaffRole.ADMIN)


@pytest.fixture
def colleague(clinic):
    return PhysioFactory(email="colleague@example.org", display_name="Cara", clinic=clinic)


def staff_url(clinic) -> str:
    return f"/clinic/clinics/{clinic.pk}/staff/"


def pages(clinic, colleague, invite) -> list[tuple[str, str, dict]]:
    base = staff_url(clinic)
    return [
        ("get", "/clinic/staff/", {}),
        ("get", base, {}),
        ("post", f"{base}invite/", {"email": "x@example.org", "role": "clinician"}),
        ("post", f"{base}invites/{invite.pk}/revoke/", {}),
        ("get", f"{base}{colleague.pk}/deactivate/", {}),
        ("post", f"{base}{colleague.pk}/deactivate/", {"confirm": "on"}),
    ]


def send(client: Client, method: str, url: str, data: dict):
    return client.get(url) if method == "get" else client.post(url, data)


def snapshot() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values("pk", "is_active")),
        "members": list(StaffMembership.objects.order_by("pk").values()),
        "invites": list(StaffInvite.objects.order_by("pk").values()),
    }


def test_only_the_clinics_admins_reach_its_staff_pages(clinic, admin, colleague):
    invite = staff_invite_create(clinic=clinic, by=admin, email="invited@example.org").row
    other_admin = PhysioFactory(clinic=ClinicFactory(), clinic__role=StaffRole.ADMIN)
    refused = (PatientFactory(), EditorFactory())
    before = snapshot()

    for method, url, data in pages(clinic, colleague, invite):
        for visitor in (colleague, other_admin):
            response = send(portal_client_for(visitor), method, url, data)
            if visitor == other_admin and url == "/clinic/staff/":
                continue  # the Staff link of the clinic they administer (below)
            assert response.status_code == 404, (visitor.email, url)
        for visitor in refused:
            assert send(portal_client_for(visitor), method, url, data).status_code == 403
        anonymous = send(Client(), method, url, data)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/clinic/sign-in/")
    assert snapshot() == before
    own = portal_client_for(other_admin).get("/clinic/staff/")
    assert own["Location"] == staff_url(other_admin.clinic_memberships.get().clinic)


def test_the_staff_link_is_shown_to_clinic_admins_only(clinic, admin, colleague):
    assert 'href="/clinic/staff/"' in portal_client_for(admin).get("/clinic/").content.decode()
    assert 'href="/clinic/staff/"' not in (
        portal_client_for(colleague).get("/clinic/").content.decode()
    )


def test_the_staff_page_lists_the_staff_with_counts_and_the_open_invitations(
    clinic, admin, colleague
):
    patient = PatientFactory(email="patient@example.org")
    care_link_create(physio=colleague, patient=patient)
    staff_invite_create(clinic=clinic, by=admin, email="invited@example.org")
    client = portal_client_for(admin)

    response = client.get("/clinic/staff/", follow=True)

    assert response.redirect_chain == [(staff_url(clinic), 302)]
    body = response.content.decode()
    assert "Staff of Riverside Physiotherapy" in body
    assert "colleague@example.org" in body
    assert "invited@example.org" in body
    assert f"{colleague.pk}/deactivate/" in body
    assert f"{admin.pk}/deactivate/" not in body  # not oneself, from here
    assert "patient@example.org" not in body  # counts, never a patient


def test_an_admin_invites_from_the_portal(clinic, admin):
    client = portal_client_for(admin)

    response = client.post(
        f"{staff_url(clinic)}invite/", {"email": "new@example.org", "role": "admin"}, follow=True
    )

    assert response.status_code == 200
    assert "The invitation is on its way to new@example.org" in response.content.decode()
    invite = StaffInvite.objects.get()
    assert (invite.email, invite.role, invite.invited_by) == ("new@example.org", "admin", admin)


@pytest.mark.parametrize(
    ("data", "status", "shown"),
    [
        pytest.param({"email": "nope", "role": "clinician"}, 400, "Enter a valid email", id="bad"),
        pytest.param({"email": "x@example.org", "role": "owner"}, 400, "Select a valid", id="role"),
        pytest.param(
            {"email": "colleague@example.org", "role": "clinician"},
            409,
            "exists already",
            id="already_registered",
        ),
    ],
)
def test_a_refused_invitation_says_why_and_stores_nothing(
    clinic, admin, colleague, data, status, shown
):
    before = snapshot()

    response = portal_client_for(admin).post(f"{staff_url(clinic)}invite/", data)

    assert response.status_code == status
    assert shown in response.content.decode()
    assert snapshot() == before


def test_an_admin_withdraws_an_invitation(clinic, admin):
    issued = staff_invite_create(clinic=clinic, by=admin, email="invited@example.org")

    response = portal_client_for(admin).post(
        f"{staff_url(clinic)}invites/{issued.row.pk}/revoke/", follow=True
    )

    assert "was withdrawn" in response.content.decode()
    issued.row.refresh_from_db()
    assert issued.row.revoked_at is not None
    assert Client().get(f"{ACCEPT}?token={issued.token}").status_code == 400


def test_deactivating_a_physio_with_patients_needs_a_colleague(clinic, admin, colleague):
    care_link_create(physio=colleague, patient=PatientFactory())
    url = f"{staff_url(clinic)}{colleague.pk}/deactivate/"
    client = portal_client_for(admin)
    assert "They look after 1 patient." in client.get(url).content.decode()
    before = snapshot()

    unconfirmed = client.post(url, {"transfer_to": str(admin.pk)})
    nobody = client.post(url, {"confirm": "on"})

    assert unconfirmed.status_code == 400
    assert nobody.status_code == 409
    assert "name a colleague" in nobody.content.decode()
    assert snapshot() == before


def test_deactivating_hands_the_patients_over_to_the_chosen_colleague(clinic, admin, colleague):
    patient = PatientFactory()
    care_link_create(physio=colleague, patient=patient)
    successor = PhysioFactory(email="successor@example.org", clinic=clinic)
    elsewhere = PhysioFactory(email="elsewhere@example.org", clinic=ClinicFactory())
    url = f"{staff_url(clinic)}{colleague.pk}/deactivate/"
    client = portal_client_for(admin)
    page = client.get(url).content.decode()
    assert "successor@example.org" in page
    assert "elsewhere@example.org" not in page

    refused = client.post(url, {"transfer_to": str(elsewhere.pk), "confirm": "on"})
    assert refused.status_code == 400
    response = client.post(url, {"transfer_to": str(successor.pk), "confirm": "on"}, follow=True)

    assert "Patients handed over: 1." in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.is_active is False
    assert CareTeamLink.objects.get(patient=patient, ended_at__isnull=True).physio == successor
    assert client.get(url).status_code == 404  # deactivated: nothing more to do


def test_the_e_mails_link_opens_a_page_that_makes_the_account(clinic, admin):
    token = staff_invite_create(clinic=clinic, by=admin, email="new@example.org").token
    client = Client()

    page = client.get(f"{ACCEPT}?token={token}")

    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "Join the staff of Riverside Physiotherapy" in page.content.decode()
    assert "new@example.org" in page.content.decode()
    response = client.post(
        ACCEPT,
        {"token": token, "display_name": "Nico", "password": PASSWORD, "password_again": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/clinic/sign-in/", 302)]
    assert "Your account is ready" in response.content.decode()
    user = User.objects.get(email="new@example.org")
    assert (user.role, user.display_name, user.check_password(PASSWORD)) == ("physio", "Nico", True)
    assert StaffMembership.objects.get(user=user).clinic == clinic
    assert client.get(f"{ACCEPT}?token={token}").status_code == 400


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        pytest.param(
            {"password_again": "something-else-9"}, "The two passwords differ", id="differ"
        ),
        pytest.param(
            {"password": "123456789012", "password_again": "123456789012"},
            "entirely numeric",
            id="numeric",
        ),
        pytest.param({"display_name": ""}, "This field is required", id="no_name"),
    ],
)
def test_a_refused_acceptance_says_why_and_keeps_the_link_working(clinic, admin, data, shown):
    token = staff_invite_create(clinic=clinic, by=admin, email="new@example.org").token
    before = snapshot()
    full = {
        "token": token,
        "display_name": "Nico",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }

    response = Client().post(ACCEPT, {**full, **data})

    assert response.status_code == 400
    assert shown in response.content.decode()
    assert snapshot() == before
    assert Client().get(f"{ACCEPT}?token={token}").status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 43], ids=["none", "forged"])
def test_a_dead_link_says_so(token):
    response = Client().get(f"{ACCEPT}?token={token}")

    assert response.status_code == 400
    assert "This invitation no longer works" in response.content.decode()


def test_the_staff_page_speaks_the_admins_language(clinic):
    admin = PhysioFactory(language="es", clinic=clinic, clinic__role=StaffRole.ADMIN)

    body = portal_client_for(admin).get(staff_url(clinic)).content.decode()

    assert "Personal de Riverside Physiotherapy" in body
    assert "Invitar a un fisioterapeuta" in body
