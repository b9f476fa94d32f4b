"""Redis (REDIS_URL) and the cache on it, failing open; a local memory cache without it.
`production.py` reuses `redis_cache()`."""

from .environment import env

REDIS_URL = env("REDIS_URL", default="")


def redis_cache(url: str) -> dict:
    """The cache on Redis, failing open: with Redis down, a cache error costs throttling
    and the worsening check's debounce (the nightly sweep catches up), never a patient's
    request. Short timeouts so an unreachable Redis does not stall requests either."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rehab",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # logged with the key (ids only), never values
if REDIS_URL:
    CACHES = redis_cache(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
