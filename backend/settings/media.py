"""Exercise media: pictures and videos (docs/decisions/media-storage.md).

Through Django's storage API: the filesystem under MEDIA_ROOT by default (served at
MEDIA_URL by the app itself, so a local run shows pictures), any S3-compatible store with
MEDIA_STORAGE=s3 (django-storages; the usual AWS_* settings).
"""

from pathlib import Path

from .core import STORAGES
from .environment import VAR_DIR, env

MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = env("MEDIA_URL", default="/media/")
# Serve MEDIA_ROOT from Django (filesystem storage only): on for local runs; a production
# deployment on the filesystem may leave it on or let its proxy serve the folder.
MEDIA_SERVE = env.bool("MEDIA_SERVE", default=MEDIA_STORAGE == "filesystem")


def media_storage(kind: str) -> dict:
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {"BACKEND": "storages.backends.s3.S3Storage"}
    raise ValueError(f"MEDIA_STORAGE must be filesystem or s3, not {kind!r}")


STORAGES = {**STORAGES, "default": media_storage(MEDIA_STORAGE)}
# django-storages reads these names. Object names are random (never the uploaded name) and
# content ETags hash the URLs the API serves, so URLs are plain (no expiring signatures):
# the bucket, or AWS_S3_CUSTOM_DOMAIN's CDN, serves the objects to the apps.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
AWS_S3_FILE_OVERWRITE = False
AWS_DEFAULT_ACL = env("AWS_DEFAULT_ACL", default=None)
# Uploads over this many bytes are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The store's or CDN's origin, allowed for pictures by the portal's Content Security
# Policy (portal.py).
CSP_MEDIA_ORIGIN = env("CSP_MEDIA_ORIGIN", default="")
