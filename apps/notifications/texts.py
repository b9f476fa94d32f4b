"""Reminder and notification texts in the reader's language, chosen when they are read or
sent, never when the row is written (docs/decisions/texts-rendered-when-read.md).

A row keeps its `title` and `body` as the English text a source marked with
`gettext_noop`, with `%(name)s` placeholders, and the values for them in `text_params`
(a plan's title, a number of minutes, a colleague's name: data, never translated). The
dispatcher sends a reminder made last week in the language the patient reads today, and an
inbox read or a push renders the same row for whoever it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.utils import translation

from backend.language import supported_language


def rendered(text: str, params: Mapping[str, Any] | None = None) -> str:
    """`text` in the active language with `params` put in. A text no catalogue knows
    (a row written before texts were marked) comes out as stored: never empty, never a
    failure, even if a translation and its values disagree."""
    if not text:
        return ""  # gettext("") is the catalogue's header, not an empty text
    translated = translation.gettext(text)
    if not params:
        return translated
    for template in (translated, text):
        try:
            return template % dict(params)
        except (KeyError, ValueError, TypeError):
            continue
    return text


def in_language_of(language: str | None) -> AbstractContextManager[None]:
    """Render in a recipient's language: theirs when the service offers it, else English."""
    return translation.override(supported_language(language) or settings.LANGUAGE_CODE)
