"""JSON with a depth limit, for request bodies and for JSON carried inside them (a web
push subscription in a device token). No DRF here: domain modules use it too.

Python's json module recurses once per nesting level: JSON nested about a thousand
levels deep raises RecursionError (a 500) in the parser or in whatever walks the result
afterwards (serializers, the error formatter). No body of this API nests more than a few
levels, so anything deeper than MAX_DEPTH is refused as a ValueError like any other
invalid JSON.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

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
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise TooDeep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


# Characters no database of ours can store: PostgreSQL refuses NUL in text and in jsonb,
# and a lone surrogate (JSON's "\ud800" without its pair) has no UTF-8 encoding at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_at(value: Any) -> tuple[bool, str | None]:
    """(found, where) for the first string, key or value, holding a character that cannot
    be stored: `where` is the dotted path of the value ("items.0.notes", "0.email"), of the
    object whose key is at fault, or None for the top level. Iterative, like check_depth."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if UNSTORABLE.search(node):
                return True, ".".join(path) or None
        elif isinstance(node, dict):
            for key, child in node.items():
                if UNSTORABLE.search(key):
                    return True, ".".join(path) or None
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, str(index))) for index, child in enumerate(node))
    return False, None


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
