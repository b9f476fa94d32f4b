"""DRF's JSON parser with the depth limit of backend/safejson.py: JSON nested too deep,
not UTF-8 or with NaN/Infinity is a 400 `parse_error` in the envelope."""

import codecs
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from backend.safejson import MAX_DEPTH, TooDeep, check_depth, loads

__all__ = ["MAX_DEPTH", "JSONParser", "TooDeep", "check_depth", "loads"]


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth limit: too deep is a 400 `parse_error`."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text, strict=self.strict)
        except ValueError as exc:  # UnicodeDecodeError and TooDeep are ValueErrors too
            raise ParseError(f"JSON parse error - {exc}") from None
