"""Unknown query parameters are a 400 `unknown_parameter`, on every API operation.

Bodies are strict (`backend.rest.StrictFieldsMixin`); query strings are too: a typo
(`?updated_sinse=`) or a parameter an endpoint does not take must not be silently ignored,
answering a list the client did not ask for. The parameters an operation takes are the ones
the OpenAPI schema declares for it (its `extend_schema` parameters, filters, pagination),
so the schema and the check cannot disagree: the schema is generated once per process
(in the gunicorn master before it forks, `backend.wsgi`), and each request's query keys are
compared with its operation's. Requests outside the schema (the portal, the admin, the
schema itself) are not checked here."""

import re
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from rest_framework import exceptions

from backend.errors import CommonError
from backend.rest import error_response

_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")  # path("plans/<uuid:plan_id>/")
_PLACEHOLDER = re.compile(r"\{[^}]+\}")  # the schema's "{plan_id}"


def _without_groups(route: str) -> str:
    """A router's regular expression with each named group (which may hold groups of its
    own: `(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)`) as `{}`, and no anchors."""
    out, at = [], 0
    while (start := route.find("(?P<", at)) != -1:
        depth, end = 0, start
        for end in range(start, len(route)):
            depth += {"(": 1, ")": -1}.get(route[end], 0)
            if depth == 0:
                break
        out += [route[at:start], "{}"]
        at = end + 1
    out.append(route[at:])
    return "".join(out).replace("^", "").replace("$", "")


def _shape(path: str) -> str:
    """A path with its parameters blanked: the schema's `{id}`, Django's `<uuid:pk>` and a
    router's named group name one parameter differently."""
    return _PLACEHOLDER.sub("{}", _CONVERTER.sub("{}", _without_groups(path)))


@cache
def declared_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """{(path shape, METHOD): the query parameters the schema declares}."""
    from drf_spectacular.generators import SchemaGenerator

    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    declared: dict[tuple[str, str], frozenset[str]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            declared[(_shape(path), method.upper())] = frozenset(names)
    return declared


def unknown_parameter_error(names: list[str]) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {
            name: [
                exceptions.ErrorDetail(
                    gettext("This query parameter is not accepted here."),
                    code=CommonError.UNKNOWN_PARAMETER,
                )
            ]
            for name in names
        }
    )


class KnownParametersMiddleware:
    """A 400 `unknown_parameter` naming each query parameter the operation does not
    declare, before the view runs (and before authentication: the answer says nothing about
    the caller or the data)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, _view_func, _view_args, _view_kwargs):
        if not request.GET or request.resolver_match is None:
            return None
        method = "GET" if request.method == "HEAD" else str(request.method)
        allowed = declared_parameters().get((_shape("/" + request.resolver_match.route), method))
        if allowed is None:
            return None
        unknown = [name for name in request.GET if name not in allowed]
        if unknown:
            return error_response(lambda: unknown_parameter_error(unknown), request)
        return None
