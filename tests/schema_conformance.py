"""Real answers held to the published schema (docs/openapi.yaml, which
tests/test_openapi_committed.py keeps equal to the served one), with schemathesis'
response checks: the status is one the operation documents, the body is valid against
its response schema (closed shapes refuse a key they do not name).

    assert answer_problems("/api/v1/alerts/", url, response) == []
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

import requests
import schemathesis
import yaml
from schemathesis.core.failures import Failure, FailureGroup

PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def as_schemathesis_response(url: str, response: Any, method: str = "GET") -> schemathesis.Response:
    """The test client's answer in the shape schemathesis validates."""
    return schemathesis.Response(
        status_code=response.status_code,
        headers={key: [value] for key, value in response.items()},
        content=response.content,
        request=requests.Request(method, f"http://testserver{url}").prepare(),
        elapsed=0.0,
        verify=True,
    )


def problems_of(operation: Any, documented: dict[str, Any], url: str, response: Any) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"GET {url} answered {status}: {response.content[:300]!r}"]
    if str(status) not in documented and "default" not in documented:
        return [f"GET {url} answered {status}, which its schema does not document"]
    try:
        operation.validate_response(as_schemathesis_response(url, response))
    except FailureGroup as failures:
        return [
            f"GET {url} ({status}): {failure.title}: {failure.message[:600]}"
            for failure in failures.exceptions
        ]
    except Failure as failure:
        return [f"GET {url} ({status}): {failure.title}: {failure.message[:600]}"]
    return []


@lru_cache(maxsize=1)
def published() -> tuple[dict[str, Any], Any]:
    raw = yaml.safe_load(PUBLISHED.read_text())
    return raw, schemathesis.openapi.from_dict(raw)


def answer_problems(path: str, url: str, response: Any, method: str = "GET") -> list[str]:
    """What is wrong with `response` (to `method url`, an instance of the schema's `path`)
    by the published schema; [] when nothing."""
    raw, schema = published()
    operation = schema[path][method.upper()]
    documented = raw["paths"][path][method.lower()]["responses"]
    return problems_of(operation, documented, url, response)
