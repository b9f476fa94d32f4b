import pytest
from django.core.management import call_command

# The schema is generated from the code, not from the database: one run is enough.
pytestmark = pytest.mark.backend_neutral


@pytest.mark.django_db
def test_the_schema_is_valid_and_generates_without_warnings(tmp_path):
    # --fail-on-warn: an endpoint whose request, response or errors cannot be described fails.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/v1/auth/register/" in (tmp_path / "schema.yml").read_text()


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


@pytest.mark.django_db
def test_the_schema_documents_error_responses(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    register = schema["paths"]["/api/v1/auth/register/"]["post"]
    assert {"201", "400", "429"} <= set(register["responses"])


def served_schema(api_client) -> dict:
    return api_client.get("/api/schema/?format=json").json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


@pytest.mark.django_db
def test_every_400_is_the_envelope_whatever_the_code(api_client):
    schema = served_schema(api_client)
    for method, path, operation in operations(schema):
        if "400" in operation["responses"]:
            ref = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorResponse400", (method, path)
    envelope = schema["components"]["schemas"]["ErrorResponse400"]
    assert envelope["properties"]["type"]["enum"] == ["validation_error", "client_error"]
    assert "enum" not in envelope["properties"]["errors"]["items"]["properties"]["code"]


@pytest.mark.django_db
def test_operations_document_401_403_413_and_503_where_they_can_answer_them(api_client):
    schema = served_schema(api_client)
    for method, path, operation in operations(schema):
        statuses = set(operation["responses"])
        needs_token = operation.get("security") and {} not in operation["security"]
        if needs_token:
            assert {"401", "403"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert "413" in statuses, (method, path)
        assert "503" in statuses, (method, path)
    for path in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/sign-out/"):
        assert "401" in schema["paths"][path]["post"]["responses"]
    codes = schema["components"]["schemas"]["ErrorCode401Enum"]["enum"]
    assert {"token_not_valid", "no_active_account", "not_authenticated"} <= set(codes)
    assert "too_many_failed_logins" in schema["components"]["schemas"]["ErrorCode429Enum"]["enum"]


@pytest.mark.django_db
def test_times_of_day_are_documented_as_the_api_writes_them(api_client):
    import re

    text = api_client.get("/api/schema/?format=json").content.decode()
    assert '"format": "time"' not in text
    settings = served_schema(api_client)["components"]["schemas"]["ReminderSettings"]
    pattern = settings["properties"]["checkin_time"]["pattern"]
    assert all(re.match(pattern, ok) for ok in ("20:00", "20:00:00", "08:30:15.5"))
    assert not any(re.match(pattern, bad) for bad in ("24:00", "8:00", "20:00+01:00"))


def test_the_fhir_renderer_answers_fhir_json():
    from django.test import RequestFactory
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from apps.interop.renderers import FhirJsonRenderer

    class Fhir(APIView):
        renderer_classes = [FhirJsonRenderer, JSONRenderer]
        permission_classes = []

        def get(self, request):
            return Response({"resourceType": "Bundle"})

    response = Fhir.as_view()(RequestFactory().get("/fhir/"))
    response.render()
    assert response["Content-Type"] == "application/fhir+json"
    assert response.content == b'{"resourceType":"Bundle"}'
