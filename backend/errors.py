"""Errors that services raise, free of any web framework, and the codes every app shares.

Services (domain code) never import DRF. They raise Django's `ValidationError` for bad input
(a 400 naming the field) and `Conflict` when the request is valid but the state of what it
acts on does not allow it (a 409). `backend.rest.ExceptionHandler` turns both into the API's
error envelope, so views need no try/except around services. Each app lists its own codes
in `apps/<app>/errors.py`; docs/api.md lists them all.

Selectors answer None for what the caller may not see (or what does not exist: the two
are never told apart); the view turns that None into a 404 with `or_404`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.http import Http404

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

T = TypeVar("T")


class CommonError(StrEnum):
    """Codes any endpoint may answer, beside DRF's own (required, invalid, null, ...)."""

    UNKNOWN_FIELD = "unknown_field"  # 400: a field the endpoint does not accept
    UNKNOWN_PARAMETER = "unknown_parameter"  # 400: a query parameter it does not declare
    READ_ONLY = "read_only"  # 400: a field the caller may not set
    NAIVE_TIME = "naive"  # 400: a time without a UTC offset
    IN_FUTURE = "in_future"  # 400: more than 5 minutes ahead of the server's clock
    TOO_OLD = "too_old"  # 400: older than the endpoint accepts
    CONFLICT = "conflict"  # 409 (apps use their own, more precise codes)
    TOO_LARGE = "too_large"  # 413: the body is larger than 10 MB
    NOT_A_LIST = "not_a_list"  # 400: a bulk upload is a JSON array of records
    TOO_MANY_ITEMS = "too_many_items"  # 413: more records in one bulk upload than it takes
    INVALID_CHARACTER = "invalid_character"  # 400: a NUL byte or a lone surrogate
    OUT_OF_RANGE = "out_of_range"  # 400: a date or number outside what the API accepts


class Conflict(Exception):
    """A 409: valid input, but the object's state forbids the change.

    `code` is one of the owning app's error-code enums (listed in docs/api.md), so clients
    can rely on it; `message` is for people: mark it with `gettext_lazy`, so that it reaches
    the caller in the language of the request (the envelope renders it then). Never store or
    log it: the code says what happened.
    """

    def __init__(self, message: str | StrPromise, code: StrEnum | str) -> None:
        super().__init__(message)
        self.message = message
        self.code = str(code)


def or_404(value: T | None) -> T:
    """`value`, or a 404 for the view when a selector found nothing the caller may see."""
    if value is None:
        raise Http404
    return value


class TooLarge(Exception):
    """A 413: what was sent is larger than the endpoint takes (an upload over its limit).

    `attr` names the field at fault (or None), as a 400 would."""

    def __init__(
        self,
        message: str | StrPromise,
        code: StrEnum | str = CommonError.TOO_LARGE,
        attr: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.attr = attr
