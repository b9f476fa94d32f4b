"""The portal's Audit page for clinic admins: who of the staff read which patient's records
and when, filtered by staff member, patient and days (in the clinic's zone), a page at a
time; a 404 for anyone who is not the clinic's admin (docs/decisions/clinic-audit.md)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import PatientAccessAudit
from apps.clinics.models import StaffRole
from apps.clinics.services import staff_add
from tests.clock import FROZEN_NOW
from tests.factories import ClinicFactory, PatientAccessAuditFactory, PatientFactory, PhysioFactory

from .conftest import portal_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Madrid is UTC+1 after October: 23:30 there on 1 November is 22:30 UTC.
LATE_ON_THE_FIRST = dt.datetime(2026, 11, 1, 22, 30, tzinfo=dt.UTC)


def read(physio, patient, at, what="symptom_logs.list") -> int:
    row = PatientAccessAuditFactory(physio=physio, patient=patient, what=what)
    PatientAccessAudit.objects.filter(pk=row.pk).update(at=at)
    return row.pk


@pytest.fixture
def world(db):
    clinic = ClinicFactory(name="Riverside", timezone="Europe/Madrid")
    admin = PhysioFactory(display_name="Ada Admin", clinic=clinic, clinic__role=StaffRole.ADMIN)
    ana = PhysioFactory(display_name="Ana Clinician", clinic=clinic)
    ben = PhysioFactory(display_name="Ben Clinician", clinic=clinic)
    elsewhere = PhysioFactory(display_name="Hill Elsewhere", clinic=ClinicFactory())
    alice = PatientFactory(display_name="Alice Patient", email="alice@example.org")
    bob = PatientFactory(display_name="", email="bob@example.org")
    never_read = PatientFactory(display_name="Carol Never Read")
    reads = {
        "ana_alice": read(ana, alice, LATE_ON_THE_FIRST, "portal.diary"),
        "ben_bob": read(ben, bob, LATE_ON_THE_FIRST + dt.timedelta(hours=2)),
        "hill_alice": read(elsewhere, alice, LATE_ON_THE_FIRST + dt.timedelta(hours=3)),
    }
    return {
        "clinic": clinic,
        "admin": admin,
        "ana": ana,
        "ben": ben,
        "elsewhere": elsewhere,
        "alice": alice,
        "bob": bob,
        "never_read": never_read,
        "reads": reads,
    }


def audit_url(world) -> str:
    return f"/clinic/clinics/{world['clinic'].pk}/audit/"


def shown(response) -> list[int]:
    return [row.pk for row in response.context["rows"]]


def test_the_audit_link_opens_the_admins_clinic_and_lists_the_staffs_reads(world):
    portal = portal_client_for(world["admin"])

    response = portal.get("/clinic/audit/", follow=True)

    assert response.redirect_chain == [(audit_url(world), 302)]
    assert shown(response) == [world["reads"]["ben_bob"], world["reads"]["ana_alice"]]
    html = response.content.decode()
    assert re.search(r'<a href="/clinic/audit/" aria-current="page">Audit</a>', html)
    assert "Ana Clinician" in html
    assert "Alice Patient" in html
    # In the clinic's time: 23:30 in Madrid. The unnamed patient by the start of their id.
    assert "1 Nov 2026, 23:30:00" in html
    assert f"Unnamed patient ({str(world['bob'].pk)[:8]})" in html
    assert "alice@example.org" not in html
    assert "bob@example.org" not in html
    assert "Hill Elsewhere" not in html


def test_viewing_the_audit_records_no_read(world):
    before = PatientAccessAudit.objects.count()

    portal_client_for(world["admin"]).get(audit_url(world))

    assert PatientAccessAudit.objects.count() == before


@pytest.mark.parametrize("who", ["ana", "elsewhere_admin"])
def test_anyone_but_the_clinics_admin_gets_404_and_no_link(world, who):
    caller = world["ana"]
    if who == "elsewhere_admin":
        caller = PhysioFactory(clinic=ClinicFactory(), clinic__role=StaffRole.ADMIN)
    portal = portal_client_for(caller)

    assert portal.get(audit_url(world)).status_code == 404
    home = portal.get("/clinic/audit/")
    if who == "ana":
        assert home.status_code == 404
        assert "/clinic/audit/" not in portal.get("/clinic/").content.decode()
    else:
        # Their own clinic's audit, never this one.
        assert home.status_code == 302
        assert str(world["clinic"].pk) not in home["Location"]


def test_the_patient_filter_offers_only_patients_the_staff_read(world):
    response = portal_client_for(world["admin"]).get(audit_url(world))

    offered = [label for value, label in response.context["form"].fields["patient"].choices]
    assert "Alice Patient" in offered
    assert "Carol Never Read" not in offered
    staff = [label for value, label in response.context["form"].fields["staff"].choices]
    assert staff[1:] == ["Ada Admin", "Ana Clinician", "Ben Clinician"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(lambda w: {"staff": w["ana"].pk}, ["ana_alice"], id="staff"),
        pytest.param(lambda w: {"patient": w["bob"].pk}, ["ben_bob"], id="patient"),
        # 23:30 on the 1st in Madrid belongs to the 1st; Ben's read (01:30 on the 2nd) not.
        pytest.param(lambda w: {"until": "2026-11-01"}, ["ana_alice"], id="until_the_local_day"),
        pytest.param(lambda w: {"since": "2026-11-02"}, ["ben_bob"], id="since_the_local_day"),
        pytest.param(
            lambda w: {"since": "2026-11-01", "until": "2026-11-01"},
            ["ana_alice"],
            id="one_day",
        ),
    ],
)
def test_the_filters(world, params, expected):
    response = portal_client_for(world["admin"]).get(audit_url(world), params(world))

    assert response.status_code == 200
    assert shown(response) == [world["reads"][name] for name in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param(lambda w: {"staff": w["elsewhere"].pk}, "staff", id="staff_of_another"),
        pytest.param(lambda w: {"patient": w["never_read"].pk}, "patient", id="patient_not_read"),
        pytest.param(lambda w: {"since": "yesterday"}, "since", id="since_not_a_date"),
        pytest.param(
            lambda w: {"since": "2026-11-02", "until": "2026-11-01"}, "until", id="until_first"
        ),
        pytest.param(lambda w: {"page": "0"}, "page", id="page_zero"),
    ],
)
def test_a_bad_filter_is_refused_with_its_field_and_shows_nothing(world, params, field):
    response = portal_client_for(world["admin"]).get(audit_url(world), params(world))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert response.context["rows"] == []


def test_pages_of_fifty_newest_first_keep_the_filter(world):
    for minute in range(55):
        read(world["ana"], world["alice"], FROZEN_NOW - dt.timedelta(minutes=minute))
    portal = portal_client_for(world["admin"])

    first = portal.get(audit_url(world), {"staff": world["ana"].pk})
    older = first.context["older_url"]
    second = portal.get(audit_url(world) + older)

    assert len(shown(first)) == 50
    assert first.context["newer_url"] == ""
    assert f"staff={world['ana'].pk}" in older
    assert "page=2" in older
    assert len(shown(second)) == 6  # 5 more, and Ana's read of 1 November
    assert second.context["older_url"] == ""
    assert "page=1" in second.context["newer_url"]
    everyone = PatientAccessAudit.objects.filter(physio=world["ana"]).order_by("-at", "-id")
    assert shown(first) + shown(second) == list(everyone.values_list("pk", flat=True))


def test_a_page_costs_the_same_queries_however_many_rows(world):
    portal = portal_client_for(world["admin"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(audit_url(world)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(20):
        reader = PhysioFactory(clinic=world["clinic"])
        read(reader, PatientFactory(), FROZEN_NOW)

    assert queries() == few


def test_a_physio_on_two_staffs_shows_in_both_audits(world):
    staff_add(clinic=world["clinic"], user=world["elsewhere"])

    response = portal_client_for(world["admin"]).get(audit_url(world))

    assert world["reads"]["hill_alice"] in shown(response)


@pytest.mark.parametrize(
    ("language", "diary", "logs"),
    [
        pytest.param("en", "Symptom diary (portal)", "Symptom logs (API)", id="english"),
        pytest.param("es", "Diario de síntomas (portal)", "Registros de síntomas (API)", id="es"),
    ],
)
def test_what_was_read_is_named_in_the_admins_language(world, language, diary, logs):
    world["admin"].language = language
    world["admin"].save(update_fields=["language"])
    read(world["ana"], world["alice"], LATE_ON_THE_FIRST, "some.new_read")

    html = portal_client_for(world["admin"]).get(audit_url(world)).content.decode()

    assert f"<td>{diary}</td>" in html
    assert f"<td>{logs}</td>" in html
    assert "portal.diary" not in html
    assert "symptom_logs.list" not in html
    # A code without words yet is shown as stored, never dropped.
    assert "<code>some.new_read</code>" in html


# Every literal audited read in the code: `what="x.y"`, `_audit(..., "x.y")`, a portal
# page (`page="diary"`, `audited(..., "caseload")`) and the report's AUDIT_WHAT.
AUDITED = (
    re.compile(r'what="([a-z_]+\.[a-z_]+)"'),
    re.compile(r'_audit\([^)]*"([a-z_]+\.[a-z_]+)"\)'),
    re.compile(r'AUDIT_WHAT = "([a-z_]+\.[a-z_-]+)"'),
)
PORTAL_PAGES = (
    re.compile(r'page="([a-z-]+)"'),
    re.compile(r'audited\([^)]*"([a-z-]+)"\)'),
)


def test_every_audited_read_has_words():
    from pathlib import Path

    from apps.clinics.audit_words import AUDIT_WHAT

    codes = set()
    for path in Path(__file__).resolve().parents[2].joinpath("apps").rglob("*.py"):
        text = path.read_text()
        codes |= {code for pattern in AUDITED for code in pattern.findall(text)}
        if "portal" in path.parts:
            codes |= {
                f"portal.{page}" for pattern in PORTAL_PAGES for page in pattern.findall(text)
            }
    assert {"portal.diary", "symptom_logs.list", "episodes.report", "plans.list"} <= codes
    assert codes - set(AUDIT_WHAT) == set()
