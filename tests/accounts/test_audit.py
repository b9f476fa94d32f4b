import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib import admin
from django.test import Client

from apps.accounts.models import CareTeamInvite, PatientAccessAudit, User
from apps.accounts.services import care_invite_create, patient_access_record
from tests.conftest import client_for
from tests.second_factor import admin_sign_in

AUDIT_ADMIN = "/admin/accounts/patientaccessaudit/"
INVITE_ADMIN = "/admin/accounts/careteaminvite/"


def logs_url(patient_id) -> str:
    return f"/api/v1/patients/{patient_id}/symptom-logs/"


@pytest.fixture
def audit_row(physio, patient, linked) -> PatientAccessAudit:
    patient_access_record(physio=physio, patients=patient, what="symptom_logs.list")
    return PatientAccessAudit.objects.get()


@pytest.mark.django_db
def test_a_linked_physio_reading_logs_writes_one_audit_row(physio, patient, linked):
    read_at = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
    with time_machine.travel(read_at, tick=False):
        response = client_for(physio).get(logs_url(patient.id))

    assert response.status_code == 200
    row = PatientAccessAudit.objects.get()
    assert (row.physio, row.patient, row.what, row.at) == (
        physio,
        patient,
        "symptom_logs.list",
        read_at,
    )


@pytest.mark.django_db
def test_each_read_is_recorded(physio, patient, linked):
    for _ in range(2):
        client_for(physio).get(logs_url(patient.id))

    assert PatientAccessAudit.objects.filter(physio=physio, patient=patient).count() == 2


@pytest.mark.django_db
def test_refused_reads_write_no_audit_row(physio, patient, other_physio, linked, patient_client):
    assert client_for(other_physio).get(logs_url(patient.id)).status_code == 404
    assert client_for(physio).get(logs_url(uuid.uuid4())).status_code == 404
    assert patient_client.get(logs_url(patient.id)).status_code == 403
    # A refused range shows no records either.
    assert client_for(physio).get(logs_url(patient.id), {"since": "soon"}).status_code == 400

    assert not PatientAccessAudit.objects.exists()


@pytest.mark.django_db
def test_an_ended_link_writes_no_further_rows(physio, patient, linked):
    client_for(physio).get(logs_url(patient.id))
    client_for(patient).delete(f"/api/v1/care-team/{linked.id}/")

    assert client_for(physio).get(logs_url(patient.id)).status_code == 404
    assert PatientAccessAudit.objects.count() == 1


@pytest.mark.django_db
def test_recording_many_patients_is_one_insert_with_one_row_each(
    physio, patient, other_patient, django_assert_num_queries
):
    # one INSERT for all rows; a patient named twice (object, id, text id) counts once
    with django_assert_num_queries(1):
        patient_access_record(
            physio=physio,
            patients=[patient, other_patient.pk, str(patient.pk)],
            what="patients.list",
        )

    rows = PatientAccessAudit.objects.order_by("patient__email")  # outsider@ before owner@
    assert [(row.physio, row.patient, row.what) for row in rows] == [
        (physio, other_patient, "patients.list"),
        (physio, patient, "patients.list"),
    ]


@pytest.mark.django_db
def test_recording_no_patients_writes_nothing(physio, django_assert_num_queries):
    with django_assert_num_queries(0):
        patient_access_record(physio=physio, patients=[], what="patients.list")

    assert not PatientAccessAudit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["", "x" * 65])
def test_an_audit_row_must_say_what_was_read(physio, patient, what):
    with pytest.raises(ValueError, match="what"):
        patient_access_record(physio=physio, patients=patient, what=what)

    assert not PatientAccessAudit.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")  # the row is read back by its year, 2026
def test_staff_read_the_audit_in_the_admin(staff_browser, audit_row, physio, patient):
    for params in ({}, {"what": "symptom_logs.list"}, {"q": patient.email}, {"at__year": "2026"}):
        response = staff_browser.get(AUDIT_ADMIN, params)

        assert response.status_code == 200
        assert physio.email in response.content.decode()
    assert staff_browser.get(f"{AUDIT_ADMIN}{audit_row.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_the_audit_cannot_be_added_changed_or_deleted_in_the_admin(
    staff_browser, audit_row, other_physio
):
    model_admin = admin.site._registry[PatientAccessAudit]
    request = type("Request", (), {"user": User.objects.get(email="staff@example.org")})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, audit_row)
    assert not model_admin.has_delete_permission(request, audit_row)

    assert staff_browser.get(f"{AUDIT_ADMIN}add/").status_code == 403
    assert staff_browser.get(f"{AUDIT_ADMIN}{audit_row.pk}/delete/").status_code == 403
    assert (
        staff_browser.post(f"{AUDIT_ADMIN}{audit_row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changed = staff_browser.post(
        f"{AUDIT_ADMIN}{audit_row.pk}/change/",
        {"physio": str(other_physio.pk), "what": "nothing"},
    )

    assert changed.status_code == 403
    assert list(PatientAccessAudit.objects.values_list("physio", "what")) == [
        (audit_row.physio_id, "symptom_logs.list")
    ]


@pytest.mark.django_db
def test_editors_cannot_see_the_audit(editor, audit_row):
    client = Client()
    admin_sign_in(client, editor)

    assert client.get(AUDIT_ADMIN).status_code == 403


@pytest.mark.django_db
def test_invites_in_the_admin_are_read_only_and_show_no_code(staff_browser, physio):
    issued = care_invite_create(physio=physio)
    page = staff_browser.get(f"{INVITE_ADMIN}{issued.invite.pk}/change/")

    assert page.status_code == 200
    content = page.content.decode()
    assert physio.email in content
    assert issued.code not in content
    assert issued.code.replace("-", "") not in content
    assert issued.invite.code_hash not in content
    assert staff_browser.get(INVITE_ADMIN).status_code == 200
    assert staff_browser.get(f"{INVITE_ADMIN}add/").status_code == 403
    assert staff_browser.get(f"{INVITE_ADMIN}{issued.invite.pk}/delete/").status_code == 403
    assert CareTeamInvite.objects.count() == 1
