"""An unknown query parameter is a 400 `unknown_parameter` on every operation of the
served schema; the parameters it declares are taken (docs/api.md, Conventions)."""

import uuid

import pytest

from backend.query_parameters import declared_parameters

pytestmark = pytest.mark.django_db


def _url(shape: str) -> str:
    # Every path parameter is a UUID or a slug: a UUID's text is both.
    return shape.replace("{}", str(uuid.uuid4()))


def get_operations() -> list[tuple[str, frozenset[str]]]:
    return sorted(
        (shape, names)
        for (shape, method), names in declared_parameters().items()
        if method == "GET"
    )


def test_the_schema_has_get_operations_to_check():
    shapes = [shape for shape, _ in get_operations()]
    assert len(shapes) > 40
    assert "/api/v1/sync/" in shapes
    assert ("/api/v1/sync/", "POST") in declared_parameters()


def test_every_get_operation_refuses_an_unknown_parameter(api_client, patient_client):
    for shape, _ in get_operations():
        for client in (api_client, patient_client):
            response = client.get(_url(shape), {"no_such_parameter": "1"})
            assert response.status_code == 400, (shape, response.content)
            assert response.json()["errors"] == [
                {
                    "code": "unknown_parameter",
                    "detail": "This query parameter is not accepted here.",
                    "attr": "no_such_parameter",
                }
            ], shape


def test_each_unknown_parameter_is_named_and_declared_ones_are_not(patient_client):
    response = patient_client.get(
        "/api/v1/symptom-logs/", {"page_size": "10", "pagesize": "10", "sort": "pain"}
    )

    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
        ("pagesize", "unknown_parameter"),
        ("sort", "unknown_parameter"),
    }


def test_a_declared_parameter_is_taken(patient_client):
    assert patient_client.get("/api/v1/symptom-logs/", {"page_size": "10"}).status_code == 200
    assert patient_client.get("/api/v1/conditions/", {"region": "calf"}).status_code == 200


def test_other_methods_are_checked_too(patient_client):
    response = patient_client.post("/api/v1/sync/?dry_run=1", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_parameter"


def test_pages_outside_the_schema_are_not_checked(client):
    # The portal's sign-in page takes `?next=`; the schema itself `?format=`.
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
