"""Error codes the symptoms app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class LogError(StrEnum):
    DUPLICATE = "duplicate"  # 400 on a list field: a value appears twice
    LOCATION_REQUIRED = "required"  # 400 on `locations`: pain above 0 needs a place
    NOT_A_LIST = "not_a_list"  # 400: a bulk sync is a JSON array of logs
    TOO_MANY_ITEMS = "too_many_items"  # 413: more than 500 logs in one sync
