"""API plumbing shared by every app: pagination, strict input, error envelope for
responses Django produces outside DRF views."""

import functools
import logging
import math
import re
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import drf_standardized_errors.handler
from django import db
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from drf_standardized_errors.formatter import ExceptionFormatter, flatten_errors
from drf_standardized_errors.types import Error
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.bulk import TooManyItems
from backend.errors import CommonError, Conflict, TooLarge
from backend.language import language_from_header, supported_language
from backend.parsers import unstorable_error
from backend.safejson import unstorable_at

logger = logging.getLogger(__name__)

# The one authentication scheme of the API (docs/api.md, Authentication).
WWW_AUTHENTICATE = 'Bearer realm="api"'

# How far ahead of the server's clock a phone's clock may be.
FUTURE_TOLERANCE = timedelta(minutes=5)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


# The mixin goes before a Serializer subclass; the checker sees it as one.
if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    _SerializerBase = serializers.Serializer
else:
    _SerializerBase = object


class StrictFieldsMixin(_SerializerBase):
    """Reject fields the serializer does not accept instead of silently dropping them.

    A typo in a health record (`pain_scor`) or an attempt to set a read-only field
    (`role`) must be a 400 that names the field, not a 200 that ignored it.
    """

    @functools.cached_property
    def _writable(self) -> frozenset[str]:
        # Once per instance, like DRF's `fields`: a bulk sync validates 500 items with one.
        return frozenset(
            name
            for name, field in self.fields.items()
            if not field.read_only and not isinstance(field, serializers.HiddenField)
        )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = self._writable
            unknown = [key for key in data if key not in writable]
            if unknown:
                readonly = {name for name, field in self.fields.items() if field.read_only}
                raise serializers.ValidationError(
                    {
                        key: [
                            exceptions.ErrorDetail(
                                gettext("This field cannot be changed.")
                                if key in readonly
                                else gettext("This field is not accepted."),
                                code=CommonError.READ_ONLY
                                if key in readonly
                                else CommonError.UNKNOWN_FIELD,
                            )
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass


def _contract_attr(attr: str | None) -> str | None:
    """docs/api.md: `attr` names the field or is null. DRF says "non_field_errors" for errors
    about the whole body (null) or a whole nested object ("items.0")."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if attr == key:
        return None
    if attr and attr.endswith(f".{key}"):
        return attr[: -len(key) - 1]
    return attr


def api_errors(detail: Any) -> list[dict[str, Any]]:
    """A ValidationError's detail as the envelope's list of {code, detail, attr}."""
    return [asdict(replace(e, attr=_contract_attr(e.attr))) for e in flatten_errors(detail)]


class ErrorFormatter(ExceptionFormatter):
    def get_errors(self) -> list[Error]:
        errors = [replace(e, attr=_contract_attr(e.attr)) for e in super().get_errors()]
        attr = getattr(self.exc, "attr", None)  # a 413 naming the field (PayloadTooLarge)
        return [replace(e, attr=attr) for e in errors] if attr else errors


class ConflictError(exceptions.APIException):
    """A service's `backend.errors.Conflict` in the envelope (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's state does not allow this.")
    default_code = CommonError.CONFLICT


class TooManyItemsError(exceptions.APIException):
    """`backend.bulk.TooManyItems` in the envelope (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Send fewer items per request.")
    default_code = CommonError.TOO_MANY_ITEMS


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = CommonError.TOO_LARGE

    def __init__(self, detail=None, code=None, attr: str | None = None) -> None:
        super().__init__(detail, code)
        self.attr = attr


class Throttled(exceptions.Throttled):
    """DRF's 429 with its wait in the caller's language too: DRF puts the number into the
    sentence before looking it up, so no catalogue could translate that sentence."""

    def __init__(self, wait: float | None, detail: str | None = None) -> None:
        """`detail`: what was refused, already in the caller's language (a subclass's own
        sentence); "Request was throttled." when not given. The wait follows it."""
        detail = detail or gettext("Request was throttled.")
        seconds = None if wait is None else math.ceil(wait)
        if seconds is not None:
            detail += " " + ngettext(
                "Expected available in %(wait)d second.",
                "Expected available in %(wait)d seconds.",
                seconds,
            ) % {"wait": seconds}
        super().__init__(detail=detail)
        self.wait = seconds


class Unavailable(exceptions.APIException):
    """The database did not answer: a moment's outage, not a bug. Try again shortly."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is briefly unavailable; try again in a moment.")
    default_code = "service_unavailable"
    wait = 5


def bearer_language(request: HttpRequest) -> str | None:
    """The language of the user a valid bearer token names, read as the API's views read
    it; None without one. A missing, expired or refused token is the view's to refuse."""
    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    caller = Request(request)
    for authenticator in APIView().get_authenticators():
        try:
            # Only read: an authentication that activates the user's language (the API's
            # does) leaves the request's own as it was.
            with translation.override(translation.get_language()):
                found = authenticator.authenticate(caller)
        except (exceptions.APIException, db.DatabaseError):
            # A refused token is the view's to answer; a database that cannot look the
            # user up (an outage behind this 404 or 500) must not break the error answer.
            return None
        if found is not None:
            return supported_language(getattr(found[0], "language", None))
    return None


def answer_language(request: HttpRequest) -> str:
    """The language of an answer made outside a DRF view (a middleware's 400 or 413, an
    unknown path's 404; backend/language.py). An API caller signs in inside the view, so
    a valid bearer token's user speaks its own language here too; else the request's (a
    session user's, else Accept-Language's, as `LanguageMiddleware` chose)."""
    return (
        bearer_language(request)
        or supported_language(getattr(request, "LANGUAGE_CODE", None))
        or language_from_header(request)
    )


def error_response(
    exc: exceptions.APIException | Callable[[], exceptions.APIException],
    request: HttpRequest | None = None,
) -> JsonResponse:
    """The API's error envelope for code that runs outside a DRF view.

    Given the request, the texts are in the caller's language (`answer_language`: a
    valid bearer token's user's own, as inside a view, else the request's), so pass the
    error as a callable that makes it: its texts are read when it is made."""
    language = answer_language(request) if request is not None else translation.get_language()
    with translation.override(language):
        error = exc() if callable(exc) else exc
        # Outside a view there is no view, request or arguments to put in the context.
        context: Any = {}
        body = ErrorFormatter(error, context, error).run()
    response = JsonResponse(body, status=error.status_code)
    response.headers["Content-Language"] = language
    if request is not None:  # also where LanguageMiddleware does not run (chunked bodies)
        patch_vary_headers(response, ("Accept-Language",))
    wait = getattr(error, "wait", None)
    if wait:
        response["Retry-After"] = str(int(wait))
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler404: unknown paths answer in the same envelope as the API."""
    return error_response(exceptions.NotFound, request)


def server_error(request: HttpRequest) -> JsonResponse:
    """handler500: an unhandled error outside a DRF view still answers in the envelope."""
    return error_response(exceptions.APIException, request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(lambda: exceptions.ParseError(gettext("Bad request.")), request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(exceptions.PermissionDenied, request)


# --- Characters no database can store ----------------------------------------------------------


class UnstorableInputMiddleware:
    """Path parameters, query parameters and url-encoded form fields (the portal, the
    admin) holding a NUL byte are a 400 before any view, form, filter or lookup sees them;
    JSON bodies are checked by the API's parser (`backend.parsers`). A URL cannot carry a
    lone surrogate: Django decodes what is not UTF-8 as U+FFFD. An unknown path needs no
    check: it resolves to no view and is a 404."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, _view_func, _view_args, view_kwargs):
        sources: list[Any] = [
            {str(key): value for key, value in view_kwargs.items() if isinstance(value, str)},
            {key: request.GET.getlist(key) for key in request.GET},
        ]
        # Not multipart: a view may install its own upload handlers before the body is read
        # (exercise media); a multipart text field is refused by its serializer's CharField.
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            sources.append({key: request.POST.getlist(key) for key in request.POST})
        for source in sources:
            found, where = unstorable_at(source)
            if found:
                # A list of values per key: name the parameter, not its position.
                attr = where and where.split(".")[0]
                return error_response(functools.partial(unstorable_error, attr), request)
        return None


class ExceptionHandler(drf_standardized_errors.handler.ExceptionHandler):
    """The package's handler, plus what services raise: Django's ValidationError
    (`full_clean()` and domain checks) as a 400 naming the field,
    `backend.errors.Conflict` as a 409 with its code, and `backend.bulk.TooManyItems` as
    a 413."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
            return PayloadTooLarge()
        if isinstance(exc, db.OperationalError | db.InterfaceError):
            # PostgreSQL down, restarting or cut off; the request stored nothing.
            logger.warning("database unavailable: %s", type(exc).__name__)
            return Unavailable()
        if type(exc) is exceptions.Throttled:  # a throttle's; subclasses have their own text
            return Throttled(getattr(exc, "wait", None))
        if isinstance(exc, Conflict):
            return ConflictError(detail=exc.message, code=exc.code)
        if isinstance(exc, TooManyItems):
            return TooManyItemsError(detail=exc.message, code=exc.code)
        if isinstance(exc, TooLarge):
            return PayloadTooLarge(detail=exc.message, code=exc.code, attr=exc.attr)
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
        if isinstance(exc, exceptions.AuthenticationFailed) and isinstance(exc.detail, dict):
            # simplejwt puts {detail, code, messages} in one error; keep its code and text.
            return exceptions.AuthenticationFailed(
                detail=str(
                    exc.detail.get("detail", exceptions.AuthenticationFailed.default_detail)
                ),
                code=str(exc.detail.get("code", exceptions.AuthenticationFailed.default_code)),
            )
        return super().convert_known_exceptions(exc)

    def get_headers(self, exc: exceptions.APIException) -> dict[str, str]:
        headers: dict[str, str] = super().get_headers(exc)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            # RFC 9110 §11.6.1: every 401 names the scheme, also where DRF had no
            # authenticator to ask (the token endpoints) or a converted error lost it.
            headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
        return headers


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: 5.0, "5" and true are refused rather than coerced."""

    default_error_messages = {"invalid": _("A whole number is required.")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string only: DRF would turn 12345 into "12345"."""

    default_error_messages = {"invalid": _("Must be a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: "yes", 1 and "false" are refused rather than coerced."""

    default_error_messages = {"invalid": _("Must be true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictChoiceField(serializers.ChoiceField):
    """A JSON string among the choices (DRF would accept 1 for "1")."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


# --- Dates and times --------------------------------------------------------------------------
# The dates the API accepts anywhere: wide enough for any record of care, and far enough from
# Python's limits (years 1 and 9999) that adding days, weeks or a time zone never overflows.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199
# The one written form of each (docs/api.md): Python's parsers would also take 20261201,
# 2026-W48-2, a space for the T, and surrounding blanks.
DATE_FORM = re.compile(r"(\d{4})-\d{2}-\d{2}", re.ASCII)
DATETIME_FORM = re.compile(
    r"(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)
OUT_OF_RANGE_MESSAGE = format_lazy(
    _("Must be between the years {earliest} and {latest}."),
    earliest=EARLIEST_YEAR,
    latest=LATEST_YEAR,
)


def strict_form(field: serializers.Field, form: re.Pattern, value: Any, example: str):
    """The match of `value` against the API's one written form, with its year in range, or
    the field's 400; checked before Python parses the value or does arithmetic with it."""
    match = form.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        field.fail("invalid", format=example)
    if not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
        raise serializers.ValidationError(OUT_OF_RANGE_MESSAGE, code=CommonError.OUT_OF_RANGE)
    return match


class StrictDateField(serializers.DateField):
    """A date written as the JSON string "YYYY-MM-DD", between the years 1900 and 2199."""

    def to_internal_value(self, value: Any):
        strict_form(self, DATE_FORM, value, "YYYY-MM-DD")
        return super().to_internal_value(value)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 as "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with a UTC offset ("Z" or "+01:00";
    docs/api.md): a bare local time is ambiguous. Between the years 1900 and 2199."""

    default_error_messages = {
        "naive": _("Include a UTC offset, such as 2026-11-21T08:30:00+01:00.")
    }

    def to_internal_value(self, value: Any):
        match = strict_form(self, DATETIME_FORM, value, "YYYY-MM-DDTHH:MM:SS+01:00")
        if match.group(2) is None:
            self.fail("naive")
        return super().to_internal_value(value)


class RecentDateTimeField(AwareDateTimeField):
    """The one validator for "when it happened", as a phone reports it: a time with an
    offset, at most `future` ahead of the server's clock (phone clocks drift; 5 minutes)
    and at most `past` ago (how long offline data may wait to sync). `past_label` says
    `past` for people: mark it with gettext_lazy."""

    default_error_messages = {
        "in_future": _("Cannot be more than {minutes} minutes in the future."),
        "too_old": _("Is more than {past} ago."),
    }

    def __init__(
        self,
        *,
        past: timedelta,
        past_label: "str | StrPromise",
        future: timedelta = FUTURE_TOLERANCE,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.past, self.past_label, self.future = past, past_label, future

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        now = timezone.now()
        if moment > now + self.future:
            self.fail("in_future", minutes=int(self.future.total_seconds() // 60))
        if moment < now - self.past:
            self.fail("too_old", past=self.past_label)
        return moment


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as a JSON string (DRF would also take the integer 5)."""

    def to_internal_value(self, data: Any):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class EmptyBody(StrictSerializer):
    """For actions that take no input: `{}` or nothing. A stray field is refused by
    name, and a body that is not an object (a list, a string) is refused too."""


def require_empty_body(data: Any) -> None:
    EmptyBody(data={} if data in (None, "", b"") else data).is_valid(raise_exception=True)


@functools.cache
def page_of(serializer_class: type[serializers.Serializer], *, cursor: bool = False):
    """The schema of one page of `serializer_class`, for views that paginate by hand
    (drf-spectacular only wraps generic list views): `{next, previous, results}` for cursor
    pagination (logs, responses, messages), `{count, next, previous, results}` otherwise."""

    name = serializer_class.__name__.removesuffix("Serializer")
    fields: dict[str, serializers.Field] = {
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True, help_text="The page before, or null."),
        "results": serializer_class(many=True),
    }
    if not cursor:
        fields = {"count": serializers.IntegerField(), **fields}
    return inline_serializer(f"{'Cursor' if cursor else 'Paginated'}{name}List", fields=fields)
