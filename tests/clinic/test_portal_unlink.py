"""Unlinking a patient from the portal: a confirmation first, then the accounts service ends
the care-team link (as the API's DELETE care-team/{id}/ does) and the physio's access ends."""

import pytest

from apps.accounts.models import CareTeamLink
from apps.accounts.services import care_link_create
from apps.alerts.models import Alert
from tests.factories import OutcomeScheduleFactory, PhysioFactory

pytestmark = pytest.mark.django_db


def test_the_overview_links_to_a_confirmation_that_warns_of_unresolved_alerts(
    portal, patient, linked
):
    overview = portal.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert f'href="/clinic/patients/{patient.pk}/unlink/"' in overview

    page = portal.get(f"/clinic/patients/{patient.pk}/unlink/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Unlinking ends your care-team link with this patient, at once." in body
    assert "unresolved alert" not in body

    Alert.objects.create(patient=patient, kind="red_flag", level="urgent", codes=["possible_dvt"])
    Alert.objects.create(patient=patient, kind="worsening", level="soon", status="acknowledged")
    Alert.objects.create(
        patient=patient, kind="missed_exercises", level="self_care", status="resolved"
    )
    warned = portal.get(f"/clinic/patients/{patient.pk}/unlink/").content.decode()
    assert "has 2 unresolved alerts." in warned


def test_without_the_confirmation_nothing_changes(portal, physio, patient, linked):
    response = portal.post(f"/clinic/patients/{patient.pk}/unlink/", {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick the box to confirm the unlinking." in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_confirm_error"' in body
    assert 'id="id_confirm_error"' in body
    linked.refresh_from_db()
    assert linked.ended_at is None
    assert portal.get(f"/clinic/patients/{patient.pk}/").status_code == 200


def test_confirmed_the_link_ends_through_the_accounts_service(portal, physio, patient, linked):
    schedule = OutcomeScheduleFactory(patient=patient, physio=physio)
    other_physio = PhysioFactory(email="colleague@example.org")
    colleague_link = care_link_create(physio=other_physio, patient=patient)

    response = portal.post(f"/clinic/patients/{patient.pk}/unlink/", {"confirm": "on"}, follow=True)

    assert response.redirect_chain == [("/clinic/", 302)]
    assert f"{patient.email} is no longer linked to you." in response.content.decode()
    assert not [row for row in response.context["patients"] if row.pk == patient.pk]
    linked.refresh_from_db()
    assert (linked.ended_by, linked.ended_at is not None) == (physio, True)
    schedule.refresh_from_db()
    assert schedule.ended_at is not None  # what the physio asked for stops with the link
    # The colleague's link is untouched; this physio's access is gone.
    assert CareTeamLink.objects.get(pk=colleague_link.pk).ended_at is None
    assert portal.get(f"/clinic/patients/{patient.pk}/").status_code == 404
    assert (
        portal.post(f"/clinic/patients/{patient.pk}/unlink/", {"confirm": "on"}).status_code == 404
    )
