import pytest

from apps.accounts.models import CareTeamLink
from apps.accounts.services import care_link_create
from tests.conftest import client_for


@pytest.fixture
def link(physio, patient):
    return care_link_create(physio=physio, patient=patient)


@pytest.mark.django_db
def test_both_sides_see_the_link(physio_client, patient_client, link, physio, patient):
    for client in (physio_client, patient_client):
        body = client.get("/api/v1/care-team/").json()["results"]
        assert body == [
            {
                "id": str(link.id),
                "physio": {
                    "id": str(physio.id),
                    "email": physio.email,
                    "display_name": physio.email,
                },
                "patient": {
                    "id": str(patient.id),
                    "email": patient.email,
                    "display_name": patient.email,
                },
                "created_at": body[0]["created_at"],
                "unread_count": 0,  # added by apps.messaging, which serves this path
            }
        ]


@pytest.mark.django_db
def test_outsiders_do_not_see_the_link(link, other_physio, other_patient, editor):
    assert client_for(other_physio).get("/api/v1/care-team/").json()["results"] == []
    assert client_for(other_patient).get("/api/v1/care-team/").json()["results"] == []
    assert client_for(editor).get("/api/v1/care-team/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["physio", "patient"])
def test_either_side_ends_the_link(request, link, side):
    user = request.getfixturevalue(side)

    response = client_for(user).delete(f"/api/v1/care-team/{link.id}/")

    assert response.status_code == 204
    link.refresh_from_db()
    assert link.ended_at is not None
    assert link.ended_by == user
    assert client_for(user).get("/api/v1/care-team/").json()["results"] == []


@pytest.mark.django_db
def test_an_outsider_cannot_end_the_link(link, other_physio, other_patient):
    for user in (other_physio, other_patient):
        assert client_for(user).delete(f"/api/v1/care-team/{link.id}/").status_code == 404
    link.refresh_from_db()
    assert link.ended_at is None


@pytest.mark.django_db
def test_relinking_after_an_end_makes_a_new_active_link(link, physio, patient):
    client_for(patient).delete(f"/api/v1/care-team/{link.id}/")
    again = care_link_create(physio=physio, patient=patient)
    assert again.pk != link.pk
    assert (
        CareTeamLink.objects.filter(physio=physio, patient=patient, ended_at__isnull=True).count()
        == 1
    )


@pytest.mark.django_db
def test_linking_the_same_pair_twice_keeps_one_active_link(link, physio, patient):
    assert care_link_create(physio=physio, patient=patient) == link
