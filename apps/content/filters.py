import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from backend.errors import CommonError
from backend.rest import DATETIME_FORM, EARLIEST_YEAR, LATEST_YEAR, OUT_OF_RANGE_MESSAGE

from .models import TargetArea
from .selectors import search_filter
from .vocabulary import Region

# The widest offsets any real time zone has used: UTC-12:00 (Baker Island) to UTC+14:00
# (Line Islands). Python accepts up to ±23:59 and PostgreSQL refuses beyond ±15:59.
EARLIEST_OFFSET = dt.timedelta(hours=-12)
LATEST_OFFSET = dt.timedelta(hours=14)


class AwareIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 with a UTC offset, as everywhere in the API: a bare time is ambiguous.
    An offset no time zone has is refused; the rest is converted to UTC before the
    database sees it."""

    def to_python(self, value):
        if isinstance(value, str) and value:
            # The API's one written form and range (backend/rest.py), before parsing.
            match = DATETIME_FORM.fullmatch(value)
            if match is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
                raise ValidationError(OUT_OF_RANGE_MESSAGE, code=CommonError.OUT_OF_RANGE)
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well formed but impossible: the parent field says so
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                raise ValidationError(
                    _("Include a UTC offset, such as 2026-11-21T08:30:00Z."), code="naive"
                )
        parsed = super().to_python(value)
        if parsed is None:
            return None
        if not EARLIEST_OFFSET <= parsed.utcoffset() <= LATEST_OFFSET:
            raise ValidationError(
                _("No time zone has this UTC offset: use one from -12:00 to +14:00."),
                code="invalid_offset",
            )
        return parsed.astimezone(dt.UTC)


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareIsoDateTimeField


class ContentFilter(django_filters.FilterSet):
    """`?region=`, `?search=` and `?updated_since=` of docs/api.md, validated: a bad value is
    a 400 naming the parameter."""

    search_fields: tuple[str, ...] = ()

    region = django_filters.ChoiceFilter(choices=Region.choices, field_name="regions__code")
    search = django_filters.CharFilter(method="filter_search", max_length=100)
    updated_since = AwareIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_filter(self.search_fields, value.strip()))


# Both languages' columns (apps/content/translation.py): a reader finds an item by the
# words they see, Spanish or, where an item has no Spanish yet, English.
class ConditionFilter(ContentFilter):
    search_fields = (
        "name_en",
        "name_es",
        "other_names_en",
        "other_names_es",
        "summary_en",
        "summary_es",
    )


class ProtocolFilter(ContentFilter):
    search_fields = ("title_en", "title_es", "summary_en", "summary_es")


class ExerciseFilter(ContentFilter):
    search_fields = ("name_en", "name_es", "summary_en", "summary_es")

    target_area = django_filters.ChoiceFilter(choices=TargetArea.choices)
