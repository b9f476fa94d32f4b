"""One item of a bulk upload validated exactly as its serializer's `run_validation` would,
in one pass over the item's keys (docs/decisions/bulk-validation-fast-path.md).

DRF walks every declared field of every item through half a dozen calls (get_value,
validate_empty_values, to_internal_value, run_validators, set_value): for a 500-log sync
with 26 fields that walk was a third of the request. Most fields of a symptom log are a
JSON boolean, a small integer, a code or a list of codes; `ItemValidator` checks those
inline and hands every other field to the field's own `run_validation`. It never decides
that an item is wrong: at the first doubt (a value of another shape, a missing required
field, an error from a field or from `validate`) it runs the serializer itself, which
accepts the item or raises DRF's own errors. So every refusal, and its wording, is DRF's;
the fast path only ever returns what DRF would have returned
(tests/api/test_item_validation.py holds the two equal on generated items).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from rest_framework import exceptions, serializers
from rest_framework.fields import SkipField, empty

from backend.rest import (
    StrictBooleanField,
    StrictChoiceField,
    StrictFieldsMixin,
    StrictIntegerField,
)


class _Doubt(Exception):
    """The fast path cannot vouch for this item: let DRF decide."""


Check = Callable[[Any], Any]


def _doubt() -> Any:
    raise _Doubt


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Doubt
    return value


def _integer(field: StrictIntegerField) -> Check | None:
    if not all(isinstance(v, (MinValueValidator, MaxValueValidator)) for v in field.validators):
        return None
    low = field.min_value if field.min_value is not None else -float("inf")
    high = field.max_value if field.max_value is not None else float("inf")

    def check(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise _Doubt
        return value

    return check


def _choice(field: StrictChoiceField) -> Check | None:
    if field.validators:
        return None

    # The field's own mapping, read at each call: a field's choices may be set again.
    def check(value: Any) -> Any:
        if type(value) is not str:
            raise _Doubt
        if value == "" and field.allow_blank:
            return ""
        try:
            return field.choice_strings_to_values[value]
        except KeyError:
            raise _Doubt from None

    return check


def _code_list(field: serializers.ListField) -> Check | None:
    child = field.child
    if (
        type(child) is not StrictChoiceField
        or child.validators
        or child.allow_blank
        or not all(
            isinstance(v, (MinLengthValidator, MaxLengthValidator)) for v in field.validators
        )
    ):
        return None
    low = max(field.min_length or 0, 0 if field.allow_empty else 1)
    high = field.max_length if field.max_length is not None else float("inf")

    def check(value: Any) -> list:
        if type(value) is not list or not low <= len(value) <= high:
            raise _Doubt
        choices = child.choice_strings_to_values
        try:
            return [choices[code] if type(code) is str else _doubt() for code in value]
        except KeyError:
            raise _Doubt from None

    return check


def _fast_check(field: serializers.Field) -> Check | None:
    """An inline check for the field's common, valid values, or None (the field's own
    run_validation). Only for these exact classes: a subclass may validate differently."""
    kind = type(field)
    if field.allow_null:
        return None
    if kind is StrictBooleanField and not field.validators:
        return _boolean
    if kind is StrictIntegerField:
        return _integer(field)  # type: ignore[arg-type]
    if kind is StrictChoiceField:
        return _choice(field)  # type: ignore[arg-type]
    if kind is serializers.ListField:
        return _code_list(field)  # type: ignore[arg-type]
    return None


class ItemValidator:
    """`serializer.run_validation(item)`, faster for items DRF would accept: the same
    validated data, and for any other item DRF's own ValidationError. A serializer this
    class cannot follow exactly (a custom to_internal_value or run_validation, validators,
    validate_<field> methods, fields with another source, a partial update) is simply
    run by DRF every time."""

    def __init__(self, serializer: serializers.Serializer) -> None:
        self.serializer = serializer
        self._plan = self._plan_for(serializer)
        # The keys StrictFieldsMixin lets through (a hidden field's key is refused).
        self._accepted: frozenset[str] = getattr(serializer, "_writable", frozenset())

    @staticmethod
    def _plan_for(
        serializer: serializers.Serializer,
    ) -> dict[str, tuple[serializers.Field, Check | None]] | None:
        kind = type(serializer)
        if (
            kind.to_internal_value is not StrictFieldsMixin.to_internal_value
            or kind.run_validation is not serializers.Serializer.run_validation
            or kind.run_validators is not serializers.Serializer.run_validators
            or serializer.validators
            or serializer.partial
        ):
            return None
        plan: dict[str, tuple[serializers.Field, Check | None]] = {}
        for field in serializer._writable_fields:
            name = field.field_name
            if (
                name is None
                or field.source_attrs != [name]
                or hasattr(serializer, f"validate_{name}")
            ):
                return None
            plan[name] = (field, _fast_check(field))
        return plan

    def run_validation(self, data: Any) -> Any:
        plan = self._plan
        if plan is not None and type(data) is dict:
            try:
                return self._fast(plan, data)
            except (_Doubt, SkipField, exceptions.ValidationError, DjangoValidationError):
                pass
        return self.serializer.run_validation(data)

    def _fast(self, plan: dict[str, tuple[serializers.Field, Check | None]], data: dict) -> Any:
        if not data.keys() <= self._accepted:
            raise _Doubt  # an unknown or read-only field: StrictFieldsMixin words it
        validated: dict[str, Any] = {}
        for name, (field, check) in plan.items():
            value = data.get(name, empty)
            if value is empty:
                if field.required:
                    raise _Doubt  # DRF's "This field is required."
                if field.default is not empty:  # else DRF leaves the key out
                    validated[name] = field.get_default()
            elif check is not None:
                validated[name] = check(value)
            else:
                validated[name] = field.run_validation(value)
        result = self.serializer.validate(validated)
        if result is None:
            raise _Doubt  # DRF's own assertion says what is wrong
        return result


def item_validator(serializer: serializers.Serializer) -> ItemValidator:
    """The serializer's ItemValidator, made once and kept on the instance (like DRF's own
    `fields`): the module-level input serializers validate every item of every request."""
    found = serializer.__dict__.get("_item_validator")
    if found is None:
        found = serializer.__dict__["_item_validator"] = ItemValidator(serializer)
    return found
