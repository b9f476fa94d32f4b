import django_filters

from .models import TargetArea
from .selectors import search_filter
from .vocabulary import Region


class ContentFilter(django_filters.FilterSet):
    """`?region=`, `?search=` and `?updated_since=` of API.md, validated: a bad value is
    a 400 naming the parameter."""

    search_fields: tuple[str, ...] = ()

    region = django_filters.ChoiceFilter(choices=Region.choices, field_name="regions__code")
    search = django_filters.CharFilter(method="filter_search", max_length=100)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_filter(self.search_fields, value.strip()))


class ConditionFilter(ContentFilter):
    search_fields = ("name", "other_names", "summary")


class ProtocolFilter(ContentFilter):
    search_fields = ("title", "summary")


class ExerciseFilter(ContentFilter):
    search_fields = ("name", "summary")

    target_area = django_filters.ChoiceFilter(choices=TargetArea.choices)
