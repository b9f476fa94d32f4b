"""JSON parsing with a depth limit, for request bodies and for JSON carried inside them.

Python's json module recurses once per nesting level: a body nested about a thousand
levels deep raises RecursionError (a 500) in the parser or in whatever walks the result
afterwards (serializers, the error formatter). No body of this API nests more than a few
levels, so anything deeper than MAX_DEPTH is refused as a parse error (a 400 in the
envelope) before any other code sees it.
"""

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH (a ValueError, like every other JSON error)."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep.")


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """TooDeep if `value` nests lists and objects more than `limit` levels (iterative, so
    it never recurses itself)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise TooDeep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _strict_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON.")


def loads(text: str | bytes, *, strict: bool = True) -> Any:
    """json.loads that raises ValueError (TooDeep included) instead of RecursionError, and
    refuses NaN and Infinity (not JSON) unless strict=False."""
    try:
        value = json.loads(text, parse_constant=_strict_constant if strict else None)
    except RecursionError:
        raise TooDeep() from None
    check_depth(value)
    return value


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
