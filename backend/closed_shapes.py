"""Shapes declared for the schema only, closed: `additionalProperties: false`.

Some answers are stored JSON passed through as it is (an alert's `details`, the rows of
`me/export/`): their serializers only describe them for drf-spectacular, nothing renders
through them. Declared closed, a key the schema does not name is a schema violation that
the conformance tests and the fuzzer catch, instead of a field a generated client never
sees (docs/api.md, "The schema").
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers


class ClosedShape(serializers.Serializer):
    """A read-only shape whose objects hold exactly the fields declared (the required
    ones always, the others when present)."""


class ClosedShapeExtension(OpenApiSerializerExtension):
    target_class = ClosedShape
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
