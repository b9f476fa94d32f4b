"""Staff invitations by e-mail (docs/api.md, "Staff invitations"): a clinic's admin
invites, the e-mail arrives on a real SMTP server with a single-use link, and the invited
person makes a physiotherapist's account on that clinic's staff with it."""

import datetime as dt

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import AccountToken, TokenPurpose, User
from apps.accounts.services import PASSWORD_RESET_LIFETIME
from apps.accounts.single_use import single_use_issue
from apps.clinics.models import StaffInvite, StaffMembership, StaffRole
from apps.clinics.services import STAFF_INVITE_LIFETIME, staff_invite_create
from tests.conftest import client_for, post_at_once
from tests.factories import ClinicFactory, PatientFactory, PhysioFactory, StaffInviteFactory

PORTAL = "https://clinic.example.org/clinic"
ACCEPT = "/api/v1/auth/staff-invite/accept/"
PASSWORD = "knee-rehab-Journey-7"


@pytest.fixture(autouse=True)
def _links(settings):
    settings.PORTAL_LINK_BASE = PORTAL
    settings.APP_LINK_BASE = "https://app.example.org/app"


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Physiotherapy", timezone="Europe/Madrid")


@pytest.fixture
def admin(clinic):
    return PhysioFactory(
        email="admin@example.org", display_name="Ana Admin", clinic=clinic, clinic__role="admin"
    )


def invites_url(clinic) -> str:
    return f"/api/v1/clinics/{clinic.id}/staff-invites/"


def codes(response) -> list[tuple[str | None, str]]:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def invite(admin, clinic, **body):
    return client_for(admin).post(
        invites_url(clinic), {"email": "new.physio@example.org", **body}, format="json"
    )


def accept(token: str, /, **changes):
    body = {"token": token, "password": PASSWORD, "display_name": "Nico Nuevo", **changes}
    return APIClient().post(ACCEPT, body, format="json")


def issued(admin, clinic, email="new.physio@example.org", role=StaffRole.CLINICIAN) -> str:
    return staff_invite_create(clinic=clinic, by=admin, email=email, role=role).token


def state() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values("pk", "email")),
        "members": list(StaffMembership.objects.order_by("pk").values()),
        "invites": list(StaffInvite.objects.order_by("pk").values()),
    }


# --- Inviting -------------------------------------------------------------------------


def test_an_admin_invites_by_e_mail_with_a_single_use_link_into_the_portal(mail, clinic, admin):
    response = invite(admin, clinic, email="New.Physio@Example.org", role="admin")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body | {"id": None, "created_at": None, "expires_at": None} == {
        "id": None,
        "email": "new.physio@example.org",
        "role": "admin",
        "invited_by": {
            "id": str(admin.id),
            "email": "admin@example.org",
            "display_name": "Ana Admin",
        },
        "created_at": None,
        "expires_at": None,
    }
    row = StaffInvite.objects.get()
    assert row.expires_at - row.created_at == dt.timedelta(days=7)
    [message] = mail.deliver()
    assert message.envelope_to == ["new.physio@example.org"]
    assert message.subject == "Your invitation to join Riverside Physiotherapy"
    assert message.language == "en"
    assert "Ana Admin invited you to join the staff of Riverside Physiotherapy" in message.text
    assert "as a clinic admin" in message.text
    [link] = set(message.links())
    assert link.startswith(f"{PORTAL}/staff-invite/accept/?token=")
    assert link in message.html
    token = message.token()
    # Only the keyed hash is stored, and the answer never carries the token.
    assert token not in row.token_hash
    assert len(row.token_hash) == 64
    assert token not in response.content.decode()
    words = (message.text + message.html).lower()
    for health_word in ("pain", "symptom", "alert", "exercise", "patient"):
        assert health_word not in words


def test_the_e_mail_is_written_in_the_inviters_language(mail, clinic):
    admin = PhysioFactory(
        display_name="Ana", language="es", clinic=clinic, clinic__role=StaffRole.ADMIN
    )

    assert invite(admin, clinic).status_code == 201

    [message] = mail.deliver()
    assert message.language == "es"
    assert '<html lang="es">' in message.html
    assert message.subject == "Su invitación para unirse a Riverside Physiotherapy"
    assert StaffInvite.objects.get().language == "es"


@pytest.mark.parametrize(
    "email", ["admin@example.org", "ADMIN@example.org", "patient@example.org"], ids=str
)
def test_an_address_that_has_an_account_is_a_409_and_nothing_is_sent(mail, clinic, admin, email):
    PatientFactory(email="patient@example.org")
    before = state()

    response = invite(admin, clinic, email=email)

    assert response.status_code == 409
    assert codes(response) == [(None, "already_registered")]
    assert state() == before
    assert mail.deliver() == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"email": "not-an-address"}, [("email", "invalid")], id="bad_email"),
        pytest.param({"email": ""}, [("email", "blank")], id="blank_email"),
        pytest.param({"email": None}, [("email", "null")], id="null_email"),
        pytest.param(
            {"email": "a@" + "b" * 250 + ".org"},
            [("email", "max_length"), ("email", "invalid")],
            id="long",
        ),
        pytest.param({"role": "owner"}, [("role", "invalid_choice")], id="unknown_role"),
        pytest.param({"role": 1}, [("role", "invalid_choice")], id="role_not_text"),
        pytest.param({"clinic": "x"}, [("clinic", "unknown_field")], id="unknown_field"),
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(mail, clinic, admin, body, expected):
    before = state()
    full = {"email": "new.physio@example.org", "role": "clinician", **body}

    response = client_for(admin).post(invites_url(clinic), full, format="json")

    assert response.status_code == 400
    assert codes(response) == expected
    assert state() == before
    assert mail.deliver() == []


def test_a_missing_address_is_required(clinic, admin):
    response = client_for(admin).post(invites_url(clinic), {}, format="json")

    assert (response.status_code, codes(response)) == (400, [("email", "required")])


def test_inviting_again_replaces_the_earlier_invitation(mail, clinic, admin):
    first = issued(admin, clinic)
    second = issued(admin, clinic, role=StaffRole.ADMIN)

    listed = client_for(admin).get(invites_url(clinic)).json()["results"]
    assert [(row["email"], row["role"]) for row in listed] == [("new.physio@example.org", "admin")]
    assert codes(accept(first)) == [("token", "invalid_token")]
    assert accept(second).status_code == 201
    assert StaffMembership.objects.get(user__email="new.physio@example.org").role == "admin"


def test_invitations_are_throttled_per_admin_with_care_team_invites(
    mail, clinic, admin, monkeypatch
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "invite_email", "2/hour")
    client = client_for(admin)
    client.post("/api/v1/care-team/invites/", {"email": "patient@example.org"}, format="json")

    answers = [
        client.post(invites_url(clinic), {"email": f"p{n}@example.org"}, format="json").status_code
        for n in range(2)
    ]

    assert answers == [201, 429]
    assert StaffInvite.objects.count() == 1
    # Reading the list is not counted.
    assert client.get(invites_url(clinic)).status_code == 200


# --- Listing and revoking -----------------------------------------------------------------


def test_the_list_shows_only_invitations_waiting_for_an_answer(
    clinic, admin, time_machine, django_assert_num_queries
):
    waiting = StaffInviteFactory(clinic=clinic, invited_by=admin, email="waiting@example.org")
    StaffInviteFactory(clinic=clinic, invited_by=admin, revoked_at=dt.datetime.now(dt.UTC))
    StaffInviteFactory(clinic=clinic, invited_by=admin, used_at=dt.datetime.now(dt.UTC))
    StaffInviteFactory(
        clinic=clinic, invited_by=admin, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(1)
    )
    StaffInviteFactory(email="other-clinic@example.org")
    for n in range(3):
        StaffInviteFactory(clinic=clinic, invited_by=admin, email=f"more{n}@example.org")
    client = client_for(admin)

    # the caller, the clinic they administer, the count, the page (with who invited)
    with django_assert_num_queries(4):
        response = client.get(invites_url(clinic))

    assert response.status_code == 200
    emails = [row["email"] for row in response.json()["results"]]
    assert sorted(emails) == sorted([waiting.email] + [f"more{n}@example.org" for n in range(3)])


def test_a_revoked_invitation_no_longer_works(clinic, admin):
    token = issued(admin, clinic)
    row = StaffInvite.objects.get()
    client = client_for(admin)

    response = client.delete(f"{invites_url(clinic)}{row.id}/")

    assert response.status_code == 204
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get(invites_url(clinic)).json()["results"] == []
    before = state()
    assert codes(accept(token)) == [("token", "invalid_token")]
    assert state() == before
    # Again: nothing more to do.
    assert client.delete(f"{invites_url(clinic)}{row.id}/").status_code == 204


def test_an_accepted_invitation_cannot_be_revoked(clinic, admin):
    assert accept(issued(admin, clinic)).status_code == 201
    row = StaffInvite.objects.get()
    before = state()

    response = client_for(admin).delete(f"{invites_url(clinic)}{row.id}/")

    assert (response.status_code, codes(response)) == (409, [(None, "invite_accepted")])
    assert state() == before


def test_another_clinics_invitation_is_not_found_through_ones_own_clinic(clinic, admin):
    elsewhere = StaffInviteFactory()
    before = state()

    response = client_for(admin).delete(f"{invites_url(clinic)}{elsewhere.id}/")

    assert response.status_code == 404
    assert state() == before


def test_revoking_takes_no_body(clinic, admin):
    row = StaffInviteFactory(clinic=clinic, invited_by=admin)

    response = client_for(admin).delete(
        f"{invites_url(clinic)}{row.id}/", {"why": "x"}, format="json"
    )

    assert (response.status_code, codes(response)) == (400, [("why", "unknown_field")])
    row.refresh_from_db()
    assert row.revoked_at is None


# --- Accepting ----------------------------------------------------------------------------


def test_accepting_makes_a_physio_on_the_clinics_staff_signed_in_as_registration_is(clinic, admin):
    token = issued(admin, clinic, role=StaffRole.ADMIN)

    response = accept(token)

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="new.physio@example.org")
    assert {key: body[key] for key in ("id", "email", "role", "display_name", "language")} == {
        "id": str(user.id),
        "email": "new.physio@example.org",
        "role": "physio",
        "display_name": "Nico Nuevo",
        "language": "en",
    }
    assert body["email_verified"] is True
    assert body["timezone"] == "Europe/Madrid"  # the clinic's
    assert body["clinic"] == {
        "id": str(clinic.id),
        "name": "Riverside Physiotherapy",
        "slug": clinic.slug,
        "timezone": "Europe/Madrid",
        "role": "admin",
    }
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/v1/me/").json()["id"] == str(user.id)
    assert user.check_password(PASSWORD)
    row = StaffInvite.objects.get()
    assert (row.used_at is not None, row.accepted_by) == (True, user)
    # The link works once.
    before = state()
    again = accept(token, display_name="Someone else")
    assert (again.status_code, codes(again)) == (400, [("token", "invalid_token")])
    assert state() == before


def test_an_expired_invitation_is_refused(clinic, admin, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), tick=False)
    token = issued(admin, clinic)
    time_machine.shift(STAFF_INVITE_LIFETIME)
    before = state()

    response = accept(token)

    assert (response.status_code, codes(response)) == (400, [("token", "invalid_token")])
    assert state() == before
    time_machine.shift(-dt.timedelta(seconds=1))
    assert accept(token).status_code == 201


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("x" * 43, id="forged"),
        pytest.param("y" * 129, id="too_long"),
        pytest.param("reset", id="a_password_reset_token"),
    ],
)
def test_a_forged_or_foreign_token_is_refused(clinic, admin, token):
    issued(admin, clinic)
    if token == "reset":
        token = single_use_issue(
            AccountToken,
            scope=TokenPurpose.PASSWORD_RESET,
            lifetime=PASSWORD_RESET_LIFETIME,
            user=admin,
            purpose=TokenPurpose.PASSWORD_RESET,
            email=admin.email,
        ).token
    before = state()

    response = accept(token)

    assert response.status_code == 400
    assert codes(response) in ([("token", "invalid_token")], [("token", "max_length")])
    assert state() == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"password": "123456789012"}, ("password", "password_entirely_numeric"), id="numeric"
        ),
        pytest.param({"password": "short"}, ("password", "password_too_short"), id="short"),
        pytest.param(
            {"password": "new.physio@example.org"},
            ("password", "password_too_similar"),
            id="like_email",
        ),
        pytest.param(
            {"display_name": "Nico\nNuevo"}, ("display_name", "invalid_display_name"), id="newline"
        ),
        pytest.param({"display_name": ""}, ("display_name", "blank"), id="blank_name"),
        pytest.param({"display_name": "n" * 81}, ("display_name", "max_length"), id="long_name"),
        pytest.param({"token": ""}, ("token", "blank"), id="blank_token"),
        pytest.param({"role": "admin"}, ("role", "unknown_field"), id="unknown_field"),
    ],
)
def test_bad_input_on_accepting_changes_nothing_and_leaves_the_link_usable(
    clinic, admin, changes, expected
):
    token = issued(admin, clinic)
    before = state()

    response = accept(token, **changes)

    assert response.status_code == 400
    assert expected in codes(response)
    assert state() == before
    assert accept(token).status_code == 201


def test_display_name_and_password_are_required(clinic, admin):
    token = issued(admin, clinic)

    response = APIClient().post(ACCEPT, {"token": token}, format="json")

    assert response.status_code == 400
    assert sorted(codes(response)) == [("display_name", "required"), ("password", "required")]


def test_an_address_registered_since_the_invitation_is_a_409(clinic, admin):
    token = issued(admin, clinic)
    PatientFactory(email="New.Physio@example.org")
    before = state()

    response = accept(token)

    assert (response.status_code, codes(response)) == (409, [(None, "already_registered")])
    assert state() == before


def test_accepting_is_throttled_per_client_address_with_the_other_links(clinic, admin, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "password_reset", "2/hour")
    token = issued(admin, clinic)

    answers = [accept("x" * 43).status_code for _ in range(2)] + [accept(token).status_code]

    assert answers == [400, 400, 429]
    assert not User.objects.filter(email="new.physio@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_racing_with_one_link_make_one_account(clinic, admin):
    token = issued(admin, clinic)
    anonymous = PatientFactory()  # post_at_once signs a user in; the endpoint ignores it
    body = {"token": token, "password": PASSWORD, "display_name": "Nico"}

    responses = post_at_once([(anonymous, ACCEPT, body), (anonymous, ACCEPT, body)])

    # The loser finds the link spent (400), or the address taken (409, or 400 `unique`
    # when both got as far as inserting the account).
    assert sorted(r.status_code for r in responses) in ([201, 400], [201, 409])
    assert User.objects.filter(email="new.physio@example.org").count() == 1
    assert StaffMembership.objects.filter(user__email="new.physio@example.org").count() == 1
