"""Errors that services raise, free of any web framework.

Services (domain code) never import DRF. They raise Django's `ValidationError` for bad input
(a 400 naming the field) and `Conflict` when the request is valid but the state of what it
acts on does not allow it (a 409). `backend.rest.ExceptionHandler` turns both into the API's
error envelope, so views need no try/except around services.
"""

from enum import StrEnum


class Conflict(Exception):
    """A 409: valid input, but the object's state forbids the change.

    `code` is one of the owning app's error-code enums (listed in docs/api.md), so clients
    can rely on it; `message` is for people.
    """

    def __init__(self, message: str, code: StrEnum | str) -> None:
        super().__init__(message)
        self.message = message
        self.code = str(code)
