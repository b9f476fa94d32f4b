"""A body sent with `Transfer-Encoding: chunked` is read, or refused with 413, before any view.

Django sizes a request body by `Content-Length`; a chunked body has none, so Django read it
as empty: an 11 MiB body reached the views as `{}` instead of being refused. gunicorn
decodes the chunks on `wsgi.input` and ends the stream at the last one; this middleware
reads at most the API's limit (DATA_UPLOAD_MAX_MEMORY_SIZE) plus one byte from it. Over the
limit it answers 413 `too_large` in the envelope; under it, the request carries the body
and its length as if the client had sent `Content-Length`, and everything after reads it
as usual. Chunked bodies are held to that limit even on the media upload (whose files may
be larger with a `Content-Length`): buffering an unsized upload of 200 MB is not worth it.
"""

import io

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from backend.rest import PayloadTooLarge, error_response

BLOCK = 64 * 1024
TOO_LARGE = _(
    "The request body is too large: a body sent in chunks (Transfer-Encoding: chunked) "
    "may be at most %(limit)d bytes; send a larger upload with a Content-Length."
)


def is_chunked(request: HttpRequest) -> bool:
    encodings = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in encodings and not request.META.get("CONTENT_LENGTH")


def read_at_most(stream, limit: int) -> bytes:
    """Up to `limit` bytes of the stream, fewer only if it ended first."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = stream.read(min(BLOCK, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


class ChunkedBodyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_chunked(request) and "wsgi.input" in request.META:  # ASGI sizes bodies itself
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = read_at_most(request.META["wsgi.input"], limit + 1)
            if len(body) > limit:
                return error_response(
                    lambda: PayloadTooLarge(TOO_LARGE % {"limit": limit}), request
                )
            request.META["CONTENT_LENGTH"] = str(len(body))
            # The stream Django sized at 0 when it made the request from the environ.
            request._stream = io.BytesIO(body)
        return self.get_response(request)
