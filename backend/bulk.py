"""Offline sync in bulk: the typed values every bulk write passes between its phases.

A phone that was offline sends many records at once. Each record type's service stores
them in phases (load, validate, score or triage, persist, announce), in the manner of
Zulip's `check_message` → `do_send_messages`; this module holds what the phases share:

- `BulkItem`: one record as the HTTP layer found it, its validated fields (a TypedDict of
  the record type) or the errors that refused it;
- `first_copies`: the items to store, one per `client_id` not stored before;
- `results_in_order`: one `BulkResult` per item, in the order sent, with an `ItemStatus`;
- `size_check`: at most `BULK_MAX_ITEMS` in one request (`TooManyItems`, a 413).

Domain code: no DRF here (import-linter holds it). The HTTP side (unwrapping the body,
validating each item, rendering the results) is `backend.bulk_api`.
docs/decisions/one-bulk-pipeline.md says why it has this shape.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypedDict, TypeVar
from uuid import UUID

from django.utils.translation import gettext

from backend.errors import CommonError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The most records one sync may carry (docs/api.md): 500 logs take well under a second to
# validate, triage and store, and a phone rarely holds more between two connections.
BULK_MAX_ITEMS = 500


class ItemStatus(StrEnum):
    CREATED = "created"  # stored by this request
    EXISTING = "existing"  # its client_id was stored before (or earlier in the batch)
    INVALID = "invalid"  # refused; `errors` says why; nothing of it was stored

    @classmethod
    def values(cls) -> list[str]:
        return [status.value for status in cls]


class ItemError(TypedDict):
    """One entry of an item's `errors`, as in the error envelope."""

    code: str
    detail: str
    attr: str | None


def item_error(attr: str | None, code: str, detail: str) -> ItemError:
    return {"code": str(code), "detail": detail, "attr": attr}


Fields = TypeVar("Fields")  # a record type's validated fields (a TypedDict)
Record = TypeVar("Record")  # the stored record (a model instance)


@dataclass(frozen=True)
class BulkItem(Generic[Fields]):
    """One item of a bulk upload, at its `index` in the request: valid (`fields`, and the
    `client_id` it is known by) or refused by the HTTP layer (`errors`)."""

    index: int
    fields: Fields | None = None
    client_id: UUID | None = None
    errors: list[ItemError] | None = None

    @classmethod
    def valid(cls, index: int, fields: Fields, client_id: UUID) -> "BulkItem[Fields]":
        return cls(index, fields=fields, client_id=client_id)

    @classmethod
    def invalid(cls, index: int, errors: list[ItemError]) -> "BulkItem[Fields]":
        return cls(index, errors=errors)


@dataclass(frozen=True)
class Valid(Generic[Fields]):
    """A valid item, as the phases see it: fields and client_id are there."""

    index: int
    fields: Fields
    client_id: UUID


@dataclass(frozen=True)
class BulkResult(Generic[Record]):
    index: int
    status: ItemStatus
    record: Record | None = None
    errors: list[ItemError] | None = None


class TooManyItems(Exception):
    """More items than one request may carry: the request is refused whole (413)."""

    code = CommonError.TOO_MANY_ITEMS

    def __init__(self, *, noun: "str | StrPromise", limit: int = BULK_MAX_ITEMS) -> None:
        # `noun` in the request's language: the caller's (gettext_lazy) name of the items.
        self.message = gettext("Send at most %(limit)d %(noun)s per request.") % {
            "limit": limit,
            "noun": noun,
        }
        super().__init__(self.message)


def size_check(count: int, *, noun: "str | StrPromise", limit: int = BULK_MAX_ITEMS) -> None:
    """Refuse a request of more than `limit` items before any is read."""
    if count > limit:
        raise TooManyItems(noun=noun, limit=limit)


def valid_items(items: Iterable[BulkItem[Fields]]) -> list[Valid[Fields]]:
    """The items the HTTP layer accepted, in the order sent."""
    return [
        Valid(item.index, item.fields, item.client_id)
        for item in items
        if item.fields is not None and item.client_id is not None
    ]


def first_copies(items: Iterable[Valid[Fields]], *, known: Collection[UUID]) -> list[Valid[Fields]]:
    """The items to store: the first copy (in the order given) of each client_id not in
    `known`. Later copies are answered as `existing` (or as the first copy's refusal)."""
    seen: set[UUID] = set(known)
    first: list[Valid[Fields]] = []
    for item in items:
        if item.client_id not in seen:
            seen.add(item.client_id)
            first.append(item)
    return first


def results_in_order(
    items: Sequence[BulkItem[Fields]],
    *,
    created: Mapping[UUID, Record],
    known: Mapping[UUID, Record],
    refused: Mapping[int, list[ItemError]] | None = None,
) -> list[BulkResult[Record]]:
    """One result per item, in the order sent. `created`: the records this request stored,
    by client_id (the first item of that client_id is `created`, later copies `existing`);
    `known`: records stored before; `refused`: the errors of items the service refused, by
    index (a later copy of a refused item gets the same errors)."""
    refused = refused or {}
    refused_ids = {
        item.client_id: refused[item.index]
        for item in items
        if item.index in refused and item.client_id is not None
    }
    results: list[BulkResult[Record]] = []
    reported: set[UUID] = set()
    for item in items:
        client_id = item.client_id
        if item.fields is None or client_id is None:
            results.append(BulkResult(item.index, ItemStatus.INVALID, errors=item.errors))
        elif item.index in refused:
            results.append(BulkResult(item.index, ItemStatus.INVALID, errors=refused[item.index]))
        elif client_id in created and client_id not in reported:
            reported.add(client_id)
            results.append(BulkResult(item.index, ItemStatus.CREATED, record=created[client_id]))
        elif client_id in known or client_id in created:
            record = known[client_id] if client_id in known else created[client_id]
            results.append(BulkResult(item.index, ItemStatus.EXISTING, record=record))
        else:  # a later copy of an item the service refused
            results.append(
                BulkResult(item.index, ItemStatus.INVALID, errors=refused_ids[client_id])
            )
    return results
