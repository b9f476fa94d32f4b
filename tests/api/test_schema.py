import pytest
from django.core.management import call_command


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
