"""Logging: plain lines to the console (named `logs`, not `logging`, so that it never
shadows the standard library's module)."""

from .environment import env

# Log lines carry ids, paths and codes, never request bodies: no health data in logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
    },
}
