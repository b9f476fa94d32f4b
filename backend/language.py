"""The language of each answer: who is asking decides, then Accept-Language, then English.

`LanguageMiddleware` activates a language for the whole request and says which one the
answer is in:

1. a signed-in user's own `language` (the portal's and the admin's session users here; an
   API caller signs in with a JWT inside the DRF view, and the JWT authentication class
   calls `activate_for_user` as soon as it has read the user, before anything is
   serialised);
2. else the best match of `Accept-Language` among `settings.LANGUAGES`, q-values honoured
   and regions reduced to their language (`es-ES` → `es`);
3. else `settings.LANGUAGE_CODE` (`en`).

Every answer gets `Content-Language` (unless its view set one, as the handout does for the
patient's language) and `Vary: Accept-Language`, so that a shared cache never hands a
Spanish answer to an English reader. Codes, field names and enum values never change with
the language: only texts for people do.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header


def supported_language(code: str | None) -> str | None:
    """`code` when it is one of settings.LANGUAGES, else None."""
    offered = {language for language, _ in settings.LANGUAGES}
    return code if code in offered else None


def language_from_header(request: HttpRequest) -> str:
    """The best supported match of Accept-Language, else settings.LANGUAGE_CODE."""
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def activate_for_user(request: HttpRequest, user: object) -> None:
    """Switch the request to `user.language` when it is a supported one."""
    language = supported_language(getattr(user, "language", None))
    if language is not None:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class LanguageMiddleware:
    """Place after AuthenticationMiddleware: a session user's language wins over the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = language_from_header(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for_user(request, user)
        try:
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        finally:
            translation.deactivate()
