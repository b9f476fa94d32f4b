"""DRF's JSON parser with the limits of backend/safejson.py: JSON nested too deep, not
UTF-8 or with NaN/Infinity is a 400 `parse_error` in the envelope, and a string holding a
character no database can store (NUL, a lone surrogate) is a 400 `invalid_character`
naming where it is. This is the one place bodies are checked for them: no field, lookup
or service behind it sees such a string."""

import codecs
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.settings import api_settings

from backend.errors import CommonError
from backend.safejson import MAX_DEPTH, TooDeep, check_depth, loads, unstorable_at

__all__ = ["MAX_DEPTH", "JSONParser", "TooDeep", "check_depth", "loads"]


def unstorable_error(where: str | None) -> ValidationError:
    """The 400 for a NUL byte or a lone surrogate, naming where it was (null: a key of the
    top-level object, or the body itself)."""
    return ValidationError(
        {
            where or api_settings.NON_FIELD_ERRORS_KEY: [
                ErrorDetail(
                    gettext(
                        "Contains a character that cannot be stored (a NUL byte or a lone "
                        "surrogate)."
                    ),
                    code=CommonError.INVALID_CHARACTER,
                )
            ]
        }
    )


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth limit and the check for unstorable characters."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            value = loads(text, strict=self.strict)
        except TooDeep:
            raise ParseError(
                gettext("JSON parse error - JSON nested more than %(depth)d levels deep.")
                % {"depth": MAX_DEPTH}
            ) from None
        except ValueError as exc:  # UnicodeDecodeError is a ValueError too
            # Python's own description of the fault stays as it is.
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from None
        found, where = unstorable_at(value)
        if found:
            raise unstorable_error(where)
        return value
