"""`GET clinics/{id}/audit/`: a clinic's admins see who of its staff read which patient's
records and when (docs/api.md, "Clinics and staff"; docs/decisions/clinic-audit.md).

Riverside has an admin, two clinicians and Sam, who also works at Hillside; Hillside has its
own clinician. Each reads a patient's records at a known time."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import PatientAccessAudit, User
from apps.accounts.services import patient_access_record
from apps.clinics.models import Clinic, StaffRole
from apps.clinics.services import staff_add
from tests.clock import FROZEN_NOW
from tests.conftest import client_for
from tests.factories import ClinicFactory, PatientAccessAuditFactory, PatientFactory, PhysioFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

T0 = FROZEN_NOW - dt.timedelta(days=3)


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def read(physio: User, patient: User, at: dt.datetime, what: str = "symptom_logs.list"):
    row = PatientAccessAuditFactory(physio=physio, patient=patient, what=what)
    # `at` is set on insert (auto_now_add): place the read where the test needs it.
    PatientAccessAudit.objects.filter(pk=row.pk).update(at=at)
    return row.pk


@dataclass
class Clinics:
    riverside: Clinic
    hillside: Clinic
    admin: User
    ana: User
    ben: User
    sam: User  # on both clinics' staff
    hill: User  # Hillside only
    alice: User
    bob: User
    reads: dict[str, int]

    def audit(self, caller: User | None = None, **params):
        client = client_for(caller or self.admin)
        return client.get(f"/api/v1/clinics/{self.riverside.id}/audit/", params)


@pytest.fixture
def clinics(db) -> Clinics:
    riverside = ClinicFactory(name="Riverside")
    hillside = ClinicFactory(name="Hillside")
    admin = PhysioFactory(
        email="admin@example.org", display_name="Ada Admin", clinic=riverside,
        clinic__role=StaffRole.ADMIN,
    )  # fmt: skip
    ana = PhysioFactory(email="ana@example.org", display_name="Ana", clinic=riverside)
    ben = PhysioFactory(email="ben@example.org", display_name="", clinic=riverside)
    sam = PhysioFactory(email="sam@example.org", display_name="Sam", clinic=hillside)
    staff_add(clinic=riverside, user=sam)
    hill = PhysioFactory(email="hill@example.org", display_name="Hill", clinic=hillside)
    alice = PatientFactory(email="alice@example.org", display_name="Alice")
    bob = PatientFactory(email="bob@example.org", display_name="")
    reads = {
        "ana_alice": read(ana, alice, minutes(1), "patients.summary"),
        "ben_bob": read(ben, bob, minutes(2), "portal.diary"),
        "sam_alice": read(sam, alice, minutes(3), "plans.detail"),
        "hill_alice": read(hill, alice, minutes(4)),
        "ana_bob": read(ana, bob, minutes(5)),
    }
    return Clinics(riverside, hillside, admin, ana, ben, sam, hill, alice, bob, reads)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_the_admin_sees_who_of_the_staff_read_whom_and_when_newest_first(clinics):
    response = clinics.audit()

    r = clinics.reads
    assert ids(response) == [r["ana_bob"], r["sam_alice"], r["ben_bob"], r["ana_alice"]]
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert body["results"][-1] == {
        "id": r["ana_alice"],
        "at": minutes(1).isoformat().replace("+00:00", "Z"),
        "what": "patients.summary",
        "staff": {"id": str(clinics.ana.id), "display_name": "Ana", "email": "ana@example.org"},
        "patient": {"id": str(clinics.alice.id), "display_name": "Alice"},
    }
    # An unnamed patient stays unnamed: no e-mail address stands in for the name.
    assert body["results"][0]["patient"] == {"id": str(clinics.bob.id), "display_name": ""}
    assert "alice@example.org" not in response.content.decode()
    assert "bob@example.org" not in response.content.decode()


def test_a_physio_on_two_clinics_staff_shows_in_both_audits(clinics):
    hillside_admin = PhysioFactory(clinic=clinics.hillside, clinic__role=StaffRole.ADMIN)

    response = client_for(hillside_admin).get(f"/api/v1/clinics/{clinics.hillside.id}/audit/")

    r = clinics.reads
    assert ids(response) == [r["hill_alice"], r["sam_alice"]]


def test_a_deactivated_staff_members_reads_stay_in_the_audit(clinics):
    # Deactivation is the account's is_active (the handover's last step).
    User.objects.filter(pk=clinics.ben.pk).update(is_active=False)

    assert clinics.reads["ben_bob"] in ids(clinics.audit())


def test_reading_the_audit_is_not_itself_a_read_of_records(clinics):
    before = PatientAccessAudit.objects.count()

    ids(clinics.audit())

    assert PatientAccessAudit.objects.count() == before


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(lambda c: {"staff": c.ana.id}, ["ana_bob", "ana_alice"], id="staff"),
        pytest.param(lambda c: {"patient": c.alice.id}, ["sam_alice", "ana_alice"], id="patient"),
        pytest.param(
            lambda c: {"staff": c.ana.id, "patient": c.bob.id}, ["ana_bob"], id="staff_and_patient"
        ),
        # Hill reads Alice, but is not on Riverside's staff.
        pytest.param(lambda c: {"staff": c.hill.id}, [], id="staff_of_another_clinic"),
        pytest.param(lambda c: {"staff": c.alice.id}, [], id="staff_who_is_a_patient"),
        pytest.param(
            lambda c: {"since": minutes(2).isoformat(), "until": minutes(3).isoformat()},
            ["sam_alice", "ben_bob"],
            id="since_and_until_inclusive",
        ),
        pytest.param(
            lambda c: {"since": (minutes(2) + dt.timedelta(microseconds=1)).isoformat()},
            ["ana_bob", "sam_alice"],
            id="since_just_after_a_read",
        ),
        pytest.param(
            lambda c: {"until": (minutes(2) - dt.timedelta(microseconds=1)).isoformat()},
            ["ana_alice"],
            id="until_just_before_a_read",
        ),
        pytest.param(
            lambda c: {"since": minutes(3).isoformat(), "until": minutes(3).isoformat()},
            ["sam_alice"],
            id="since_equals_until",
        ),
    ],
)
def test_the_filters(clinics, params, expected):
    response = clinics.audit(**params(clinics))

    assert ids(response) == [clinics.reads[name] for name in expected]


@pytest.mark.parametrize(
    ("params", "code", "attr"),
    [
        pytest.param({"staff": "ana"}, "invalid", "staff", id="staff_not_a_uuid"),
        pytest.param({"patient": "12"}, "invalid", "patient", id="patient_not_a_uuid"),
        pytest.param({"since": "2026-01-01T10:00:00"}, "naive", "since", id="since_naive"),
        pytest.param({"until": "yesterday"}, "invalid", "until", id="until_not_a_time"),
        pytest.param(
            {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
            "invalid",
            "until",
            id="until_before_since",
        ),
        pytest.param({"physio": "x"}, "unknown_parameter", "physio", id="unknown_parameter"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(clinics, params, code, attr):
    response = clinics.audit(**params)

    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [(code, attr)]


@pytest.mark.parametrize(
    "who", ["ana", "sam", "hill", "hillside_admin", "patient"], ids=lambda who: who
)
def test_only_the_clinics_admins_reach_its_audit(clinics, who):
    callers = {
        "ana": clinics.ana,  # a clinician of the clinic
        "sam": clinics.sam,  # on its staff, and another clinic's
        "hill": clinics.hill,
        "hillside_admin": PhysioFactory(clinic=clinics.hillside, clinic__role=StaffRole.ADMIN),
        "patient": clinics.alice,
    }
    before = PatientAccessAudit.objects.count()

    response = clinics.audit(callers[who])

    assert response.status_code == (403 if who == "patient" else 404)
    assert PatientAccessAudit.objects.count() == before


def test_an_admin_of_no_such_clinic_gets_404(clinics):
    response = client_for(clinics.admin).get(f"/api/v1/clinics/{clinics.bob.id}/audit/")

    assert response.status_code == 404


def test_pages_follow_one_another_without_gaps_or_repeats(clinics):
    # Three reads at the very same instant: the cursor must still not lose or repeat one.
    patient_access_record(
        physio=clinics.ana, patients=[clinics.alice, clinics.bob, PatientFactory()], what="x.y"
    )
    PatientAccessAudit.objects.filter(what="x.y").update(at=minutes(6))
    expected = list(
        PatientAccessAudit.objects.filter(
            physio__in=[clinics.admin, clinics.ana, clinics.ben, clinics.sam]
        )
        .order_by("-at", "-id")
        .values_list("id", flat=True)
    )
    client = client_for(clinics.admin)

    seen: list[int] = []
    url = f"/api/v1/clinics/{clinics.riverside.id}/audit/?page_size=2"
    while url:
        response = client.get(url)
        seen += ids(response)
        assert len(ids(response)) <= 2
        url = response.json()["next"]

    assert seen == expected
    assert len(seen) == 7


def test_a_page_costs_the_same_queries_however_many_rows_and_people(
    clinics, django_assert_num_queries
):
    def page_queries() -> int:
        client = client_for(clinics.admin)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/clinics/{clinics.riverside.id}/audit/").status_code == 200
        return len(captured.captured_queries)

    small = page_queries()
    for _ in range(30):
        read(PhysioFactory(clinic=clinics.riverside), PatientFactory(), minutes(9))

    client = client_for(clinics.admin)
    # 1 the caller (authentication), 1 the clinic they administer, 1 the page of reads
    # with who read and whose records (one join).
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/clinics/{clinics.riverside.id}/audit/")
    assert len(ids(response)) == 34
    assert page_queries() == small
