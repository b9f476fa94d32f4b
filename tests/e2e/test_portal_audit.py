"""A clinic admin reviews who read which patient's records, in Debian's Chromium: the Audit
link (admins only), the filter by staff member, the pages; axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import PatientAccessAudit
from apps.clinics.models import StaffRole
from apps.clinics.services import staff_add
from tests.factories import PatientAccessAuditFactory, PatientFactory, PhysioFactory
from tests.factories.clinics import the_test_clinic

from .portal import LANGUAGES, Accessibility, signed_in_physio, words
from .test_portal_desktop import fits

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def reads(physio, patient, count: int, *, start_minutes_ago: int = 0) -> None:
    now = timezone.now()
    for n in range(count):
        row = PatientAccessAuditFactory(physio=physio, patient=patient, what="portal.diary")
        PatientAccessAudit.objects.filter(pk=row.pk).update(
            at=now - dt.timedelta(minutes=start_minutes_ago + n)
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_clinic_admin_filters_the_audit_by_staff_and_pages_through_it(
    portal_page, physio_account, language
):
    page, a11y, t = portal_page, Accessibility(), words(language)
    clinic = the_test_clinic()
    staff_add(clinic=clinic, user=physio_account, role=StaffRole.ADMIN)
    ana = PhysioFactory(display_name="Ana Clinician")  # on the test clinic's staff
    ben = PhysioFactory(display_name="Ben Clinician")
    alice = PatientFactory(display_name="Alice Patient")
    bob = PatientFactory(display_name="Bob Patient")
    reads(ana, alice, 55)  # more than a page
    reads(ben, bob, 3, start_minutes_ago=1)

    signed_in_physio(page, physio_account)
    audit = page.get_by_role("link", name=t.p("clinic audit", "Audit"), exact=True)
    audit.click()
    expect(
        page.get_by_role(
            "heading", name=t("Audit of record reads · %(clinic)s", clinic=clinic.name)
        )
    ).to_be_visible()
    expect(audit).to_have_attribute("aria-current", "page")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(page.get_by_role("cell", name="Ben Clinician").first).to_be_visible()
    fits(page, a11y, f"audit-01-all-{language}", language)

    staff_member = page.get_by_label(t.p("clinic audit", "Staff member"))
    staff_member.select_option(label="Ana Clinician")
    page.get_by_role("button", name=t.p("clinic audit", "Show")).click()
    first_page = t("Reads %(first)s–%(last)s (page %(page)s).", first=1, last=50, page=1)
    expect(page.get_by_role("status")).to_contain_text(first_page)
    expect(rows).to_have_count(50)
    expect(page.get_by_role("cell", name="Ben Clinician")).to_have_count(0)
    fits(page, a11y, f"audit-02-by-staff-{language}", language)

    page.get_by_role("link", name=t("Older reads")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("Reads %(first)s–%(last)s (page %(page)s).", first=51, last=55, page=2)
    )
    expect(rows).to_have_count(5)
    expect(staff_member).to_have_value(str(ana.pk))
    expect(page.get_by_role("link", name=t("Older reads"))).to_have_count(0)
    fits(page, a11y, f"audit-03-page-2-{language}", language)

    page.get_by_role("link", name=t("Newer reads")).click()
    expect(page.get_by_role("status")).to_contain_text(first_page)
    a11y.save(f"audit-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_clinician_sees_no_audit_link_and_no_audit(portal_page, physio_account, language):
    page, t = portal_page, words(language)
    signed_in_physio(page, physio_account)

    expect(page.get_by_role("link", name=t("Caseload"))).to_be_visible()
    expect(page.get_by_role("link", name=t.p("clinic audit", "Audit"), exact=True)).to_have_count(0)
    response = page.goto(f"/clinic/clinics/{the_test_clinic().pk}/audit/")
    assert response is not None
    assert response.status == 404
