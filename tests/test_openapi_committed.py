"""docs/openapi.yaml is the schema the server serves, generated and validated: a change to
the API without regenerating it fails here.

Regenerate with: .venv/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml
"""

from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
# Generated from the code, not from the database: one run is enough.
pytestmark = pytest.mark.backend_neutral

REGENERATE = (
    ".venv/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml"
)


def test_the_committed_schema_is_current_and_valid(tmp_path):
    fresh = tmp_path / "openapi.yaml"

    # --validate checks the document against the OpenAPI 3 specification;
    # --fail-on-warn refuses a schema drf-spectacular had to guess at.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fresh))

    assert fresh.read_text() == COMMITTED.read_text(), (
        f"docs/openapi.yaml is stale: regenerate it with `{REGENERATE}`"
    )
