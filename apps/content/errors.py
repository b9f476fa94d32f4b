"""Error codes of the content endpoints (docs/api.md, Error codes)."""

from enum import StrEnum


class ContentError(StrEnum):
    UNSUPPORTED_MEDIA = "unsupported_media"  # 400: not a JPEG, PNG, WebP, MP4 or WebM
    TOO_LARGE = "too_large"  # 413: over 10 MB (pictures) or 200 MB (videos)
    TOO_MANY_PIXELS = "too_many_pixels"  # 413: a picture over 50 megapixels (a bomb)
    POSTER_NOT_ACCEPTED = "poster_not_accepted"  # 400: a poster sent with a picture
