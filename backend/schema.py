"""The served OpenAPI schema, told the truth about what every operation can answer.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]),
after drf-standardized-errors' own. Schema fuzzing (scripts/fuzz_api.py) holds the
schema to every answer the live server gives.

- 400 on every operation (an undeclared query parameter is one): one envelope, `type`
  validation_error or client_error, any `code`. drf-standardized-errors derives a per-field
  schema that lists DRF's own codes only; the API's domain codes (too_old,
  invalid_timezone, unknown_field for any name...) and errors about nested items broke it.
  The codes per field are listed in docs/api.md.
- 401 on the token endpoints and sign-out (wrong password, invalid refresh token) and on every
  operation that needs a token; 403 on every operation that needs a token (roles).
- 413 on every operation that takes a body (DATA_UPLOAD_MAX_MEMORY_SIZE).
- 414 on every operation: gunicorn refuses a request line (path and query) over its limit
  (gunicorn.conf.py), in the same envelope.
- 503 on every operation (the database did not answer; Retry-After says when to retry).
- Times of day (`format: time`) as the API writes them: "08:30" or "08:30:00". JSON
  Schema's `time` format is RFC 3339's full-time, which needs a UTC offset that a local
  time of day does not have.
- For generators and validators (docs/api.md, "The schema"): an enum that may also be
  blank or null is one enum (`X | BlankEnum | NullEnum` becomes X's values plus "" and
  null); `nullable` always stands beside a `type` (an object reference gets
  `type: object`), and a nullable enum lists null; an operation without a token says so
  (`security: []`).
- Response headers: `Retry-After` (seconds) on every 429 and 503; `ETag` on the 200 of
  every GET that takes `If-None-Match` (and its 304); `Content-Disposition` on the answers
  that are files to save (the export, handouts, episode reports).
- Every list declares its page parameters: a 200 answer shaped as a page (`next` with
  `count`: `page` and `page_size`; `next` without `count`: `cursor` and `page_size`) gets
  the ones its operation does not declare already. Views that page by hand (an APIView
  calling a paginator) get no parameters from drf-spectacular, and an undeclared
  parameter is refused (`backend.query_parameters`).
"""

from typing import Any

from django.db import models

TOKEN_PATHS = ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/sign-out/")
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class ErrorCode401(models.TextChoices):
    """Every 401 code: DRF's, simplejwt's (the access token) and the token endpoints'."""

    AUTHENTICATION_FAILED = "authentication_failed"
    NOT_AUTHENTICATED = "not_authenticated"
    TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105 - an error code
    NO_ACTIVE_ACCOUNT = "no_active_account"
    BAD_AUTHORIZATION_HEADER = "bad_authorization_header"
    USER_NOT_FOUND = "user_not_found"
    USER_INACTIVE = "user_inactive"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an error code


class ErrorCode429(models.TextChoices):
    THROTTLED = "throttled"
    TOO_MANY_FAILED_LOGINS = "too_many_failed_logins"


def _error_envelope(types: list[str], codes: list[str] | None, description: str) -> dict:
    code: dict[str, Any] = {"type": "string"}
    if codes:
        code["enum"] = codes
    return {
        "type": "object",
        "description": description,
        "properties": {
            "type": {"type": "string", "enum": types},
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "code": code,
                        "detail": {"type": "string"},
                        "attr": {"type": "string", "nullable": True},
                    },
                    "required": ["code", "detail", "attr"],
                },
            },
        },
        "required": ["type", "errors"],
    }


COMPONENTS = {
    "ErrorResponse400": _error_envelope(
        ["validation_error", "client_error"],
        None,
        "A field or the body is not valid. `attr` names the field (dotted for nested "
        "items, such as `items.0.sets`) or is null for the whole body; `code` is one of "
        "the codes docs/api.md lists. `client_error` with `parse_error`: the body is not "
        "JSON, is nested too deep or is not UTF-8.",
    ),
    "ErrorResponse413": _error_envelope(
        ["client_error"], ["too_large"], "The request body is over 10 MB."
    ),
    "ErrorResponse414": _error_envelope(
        ["client_error"],
        ["uri_too_long"],
        "The request line (path and query string) is longer than the server accepts.",
    ),
    "ErrorResponse503": _error_envelope(
        ["server_error"],
        ["service_unavailable"],
        "The database did not answer; nothing was stored. Retry after Retry-After seconds.",
    ),
}

SHARED = {
    "401": ("ErrorResponse401", "Missing, invalid or expired credentials."),
    "403": ("ErrorResponse403", "The caller's role may not do this."),
    "413": ("ErrorResponse413", "The request body is too large."),
    "414": ("ErrorResponse414", "The query string is too long."),
    "503": ("ErrorResponse503", "Briefly unavailable."),
}


def _response(component: str, description: str) -> dict:
    return {
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
        "description": description,
    }


def _needs_token(operation: dict) -> bool:
    security = operation.get("security")
    if security is None:
        return False
    return bool(security) and {} not in security


def _time_of_day(node: Any) -> None:
    """Every `format: time` string, wherever it is nested, as a time-of-day pattern."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_OF_DAY
        for value in node.values():
            _time_of_day(value)
    elif isinstance(node, list):
        for value in node:
            _time_of_day(value)


def _referenced(result: dict) -> set[str]:
    found: set[str] = set()
    stack: list[Any] = [result["paths"]]
    seen_components: set[str] = set()
    schemas = result["components"]["schemas"]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                found.add(name)
                if name not in seen_components and name in schemas:
                    seen_components.add(name)
                    stack.append(schemas[name])
            if "mapping" in node and isinstance(node["mapping"], dict):
                stack.extend({"$ref": v} for v in node["mapping"].values())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


MARKER_ENUMS = ("BlankEnum", "NullEnum")


def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def _one_enum(node: dict, schemas: dict) -> None:
    """`oneOf: [X, BlankEnum, NullEnum]` as one enum with X's values, "" and null."""
    options = node.get("oneOf")
    if not isinstance(options, list):
        return
    names = [_ref_name(option) for option in options]
    if not all(names) or not any(name in MARKER_ENUMS for name in names):
        return
    values: list[Any] = []
    for name in names:
        if name == "BlankEnum":
            values.append("")
        elif name == "NullEnum":
            node["nullable"] = True
        elif name in schemas and "enum" in schemas[name]:
            values.extend(schemas[name]["enum"])
        else:
            return
    del node["oneOf"]
    node["type"] = "string"
    node["enum"] = values


def _nullable_typed(node: Any, schemas: dict) -> None:
    """Walk every schema: one enum for X | Blank | Null; `nullable` beside a `type`."""
    if isinstance(node, dict):
        _one_enum(node, schemas)
        if node.get("nullable") and "type" not in node:
            refs = node.get("allOf") or node.get("oneOf") or node.get("anyOf") or []
            targets = [schemas.get(_ref_name(ref) or "", {}) for ref in refs]
            kinds = {target.get("type", "object") for target in targets}
            node["type"] = kinds.pop() if len(kinds) == 1 else "object"
        if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"].append(None)
        for value in node.values():
            _nullable_typed(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _nullable_typed(value, schemas)


PAGE_PARAMETERS: dict[str, dict[str, Any]] = {
    "page": {"type": "integer", "minimum": 1, "description": "The page number; default 1."},
    "cursor": {"type": "string", "description": "Opaque: from `next` or `previous`."},
    "page_size": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "description": "Items per page: 1 to 200; default 50.",
    },
}


RETRY_AFTER = {
    "description": "How many seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}
ETAG = {"description": "Send it back as If-None-Match.", "schema": {"type": "string"}}
CONTENT_DISPOSITION = {
    "description": 'A file to save: `attachment; filename="..."`.',
    "schema": {"type": "string"},
}
# Answers that are files to save (their views set Content-Disposition).
ATTACHMENT_PATHS = (
    "/api/v1/me/export/",
    "/api/v1/plans/{plan_id}/handout/",
    "/api/v1/episodes/{episode_id}/report/",
)


def _with_header(response: dict, name: str, header: dict) -> dict:
    return {**response, "headers": {**response.get("headers", {}), name: header}}


def _response_headers(path: str, method: str, operation: dict) -> None:
    responses = operation["responses"]
    for status in ("429", "503"):
        if status in responses:
            responses[status] = _with_header(responses[status], "Retry-After", RETRY_AFTER)
    if method != "get" or "200" not in responses:
        return
    takes = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "header"}
    if "If-None-Match" in takes:
        responses["200"] = _with_header(responses["200"], "ETag", ETAG)
        responses.setdefault("304", {"description": "Not modified since the ETag sent."})
    if path in ATTACHMENT_PATHS:
        responses["200"] = _with_header(
            responses["200"], "Content-Disposition", CONTENT_DISPOSITION
        )


def _resolved(node: Any, schemas: dict) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = schemas.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node


def _page_parameters(operation: dict, schemas: dict) -> None:
    """Declare the page (or cursor) parameters of an operation that answers a page."""
    content = operation["responses"].get("200", {}).get("content", {})
    answer = _resolved(content.get("application/json", {}).get("schema"), schemas)
    fields = answer.get("properties", {}) if isinstance(answer, dict) else {}
    if "next" not in fields or "results" not in fields:
        return
    wanted = ["page", "page_size"] if "count" in fields else ["cursor", "page_size"]
    parameters = operation.setdefault("parameters", [])
    declared = {p.get("name") for p in parameters if p.get("in") == "query"}
    for name in wanted:
        if name not in declared:
            schema = dict(PAGE_PARAMETERS[name])
            description = schema.pop("description")
            parameters.append(
                {"in": "query", "name": name, "schema": schema, "description": description}
            )


def postprocess(result: dict, generator, request, public: bool) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    for path, item in result.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            # No token needed: said explicitly, so a client generator does not guess.
            operation.setdefault("security", [])
            if method == "get":
                _page_parameters(operation, schemas)
            responses = operation["responses"]
            # Every operation may answer 400: at least `unknown_parameter` for a query
            # parameter it does not declare (backend.query_parameters).
            responses["400"] = _response("ErrorResponse400", "Not valid.")
            wanted = ["414", "503"]
            if _needs_token(operation):
                wanted += ["401", "403"]
            if path in TOKEN_PATHS:
                wanted.append("401")
            if "requestBody" in operation:
                wanted.append("413")
            for status in wanted:
                if status not in responses and status in SHARED:
                    responses[status] = _response(*SHARED[status])
                elif status == "503":
                    responses.setdefault("503", _response(*SHARED["503"]))
            _response_headers(path, method, operation)
            operation["responses"] = dict(sorted(operation["responses"].items()))
    for name, codes in (("ErrorCode401Enum", ErrorCode401), ("ErrorCode429Enum", ErrorCode429)):
        if name in schemas:
            schemas[name]["enum"] = list(codes.values)
            schemas[name].pop("description", None)
    _time_of_day(result)
    _nullable_typed(result["paths"], schemas)
    _nullable_typed(schemas, schemas)
    # Drop the per-field 400 components (and the blank and null markers) nothing refers to
    # any more.
    used = _referenced(result)
    for name in list(schemas):
        if (
            name not in used
            and name not in COMPONENTS
            and (_is_error_component(name) or name in MARKER_ENUMS)
        ):
            del schemas[name]
    return result


def _is_error_component(name: str) -> bool:
    return name.endswith(
        ("ErrorComponent", "ValidationError", "ErrorResponse400", "Error")
    ) or name in {"ParseError", "ParseErrorCodeEnum", "ParseErrorResponse"}
