"""The HTTP side of a bulk upload (backend.bulk is the domain side): the body as a list
(or, for an offline sync of several types, an object of lists), each item validated alone
by the record type's input serializer, and the results rendered as
`{"results": [{index, status, <record> | errors}]}` (docs/api.md)."""

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from backend.bulk import BulkItem, BulkResult, ItemError, size_check
from backend.errors import CommonError
from backend.item_validation import item_validator
from backend.rest import api_errors

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Fields = TypeVar("Fields")
Record = TypeVar("Record")


class BulkItemErrorSerializer(serializers.Serializer):
    """One of a refused item's errors (the error envelope's entries)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(
        allow_null=True, help_text="The field within the item; null: the item as a whole."
    )


def bulk_payload(data: Any, *, wrapper: str, noun: "str | StrPromise") -> list[Any]:
    """The items of a bulk body: a JSON array, or an object whose one key is `wrapper`
    holding the array. Anything else is a 400 `not_a_list`; more than BULK_MAX_ITEMS items
    a 413 `too_many_items` (nothing is read or stored). `noun` names the items for people
    (mark it with gettext_lazy)."""
    if isinstance(data, dict) and set(data) == {wrapper}:
        data = data[wrapper]
    if not isinstance(data, list):
        raise exceptions.ValidationError(
            {
                "non_field_errors": [
                    exceptions.ErrorDetail(
                        gettext("Send a JSON array of %(noun)s.") % {"noun": noun},
                        code=CommonError.NOT_A_LIST,
                    )
                ]
            }
        )
    size_check(len(data), noun=noun)
    return data


def _body_error(attr: str, message: str, code: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({attr: [exceptions.ErrorDetail(message, code=code)]})


def bulk_payloads(data: Any, *, kinds: Sequence[str]) -> dict[str, list[Any]]:
    """The lists of a sync body: an object whose keys are among `kinds`, each a JSON array
    (a kind left out is an empty list). Another body is a 400 (`invalid`; a key not among
    `kinds` is `unknown_field`, a value not an array `not_a_list`, each naming its key);
    more than BULK_MAX_ITEMS items in all a 413 `too_many_items`. Nothing is read or
    stored then."""
    if not isinstance(data, dict):
        raise _body_error("non_field_errors", gettext("Send a JSON object of lists."), "invalid")
    unknown = [key for key in data if key not in kinds]
    if unknown:
        raise exceptions.ValidationError(
            {
                key: [
                    exceptions.ErrorDetail(
                        gettext("This field is not accepted."), code=CommonError.UNKNOWN_FIELD
                    )
                ]
                for key in unknown
            }
        )
    for kind in kinds:
        if kind in data and not isinstance(data[kind], list):
            raise _body_error(kind, gettext("Send a JSON array."), CommonError.NOT_A_LIST)
    payloads = {kind: data.get(kind, []) for kind in kinds}
    size_check(sum(len(items) for items in payloads.values()), noun=_("items"))
    return payloads


def bulk_items(
    payload: Sequence[Any], *, validator: serializers.Serializer, fields: type[Fields]
) -> list[BulkItem[Fields]]:
    """Each item validated alone by one serializer instance (DRF builds its fields once,
    not once per item: most of a 500-item sync's time otherwise), in one pass where it
    can (backend/item_validation.py: the same data and errors as DRF's). A refused item
    keeps its errors; the others their validated fields, of the TypedDict `fields`."""
    validate = item_validator(validator).run_validation
    items: list[BulkItem[Fields]] = []
    for index, data in enumerate(payload):
        try:
            validated = validate(data)
        except exceptions.ValidationError as error:
            items.append(BulkItem.invalid(index, cast(list[ItemError], api_errors(error.detail))))
        else:
            items.append(BulkItem.valid(index, cast(Fields, validated), validated["client_id"]))
    return items


def bulk_results(
    results: Sequence[BulkResult[Record]],
    *,
    name: str,
    render: Callable[[list[Record]], Iterable[Any]],
) -> list[dict[str, Any]]:
    """One entry per result in order: the record under `name` (rendered by `render`, all
    at once) or the item's errors."""
    rendered = iter(render([result.record for result in results if result.record is not None]))
    body = []
    for result in results:
        entry: dict[str, Any] = {"index": result.index, "status": result.status}
        if result.record is not None:
            entry[name] = next(rendered)
        else:
            entry["errors"] = result.errors
        body.append(entry)
    return body


def bulk_response(
    results: Sequence[BulkResult[Record]],
    *,
    name: str,
    render: Callable[[list[Record]], Iterable[Any]],
) -> Response:
    """`{"results": [...]}`: `bulk_results` as the bulk endpoints answer."""
    return Response({"results": bulk_results(results, name=name, render=render)})
