"""backend/item_validation.py: the one-pass check of a bulk item returns exactly what the
item's serializer returns, and refuses with exactly DRF's errors.

Hypothesis builds items field by field from valid values, values of the wrong shape and
left-out keys (plus now and then a field no serializer accepts), for the symptom log, which
the fast path covers, and for every other type a sync takes; each item goes through
`ItemValidator` and through the serializer itself and the two outcomes must be equal.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import exceptions, serializers

from apps.content.vocabulary import Region, Side
from apps.symptoms.serializers import BOOLEAN_FIELDS, SymptomLogInputSerializer
from apps.symptoms.vocabulary import Quality, Swelling, Trigger
from apps.sync.push import PUSH_KINDS
from backend.item_validation import ItemValidator, item_validator
from backend.rest import (
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
)
from tests.bodies import care_session_body, symptom_log_body

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=250),
    st.floats(allow_nan=False, min_value=-2, max_value=12),
    st.text(max_size=4),
    st.sampled_from(["", " ", "left", "calf", "none", "mild", "aching", "1", "true", "\x00"]),
    st.lists(st.sampled_from(["calf", "calf", "front_of_knee", "", "x", 1, None]), max_size=4),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def _codes(choices, at_most: int):
    return st.lists(st.sampled_from([value for value, _label in choices]), max_size=at_most)


def _moment():
    # Well inside the accepted span (two years back, five minutes ahead), or far outside
    # it, so that the two runs' clocks, microseconds apart, cannot disagree.
    return st.one_of(
        st.integers(min_value=-60 * 24 * 700, max_value=0).map(
            lambda minutes: (timezone.now() + dt.timedelta(minutes=minutes)).isoformat()
        ),
        st.sampled_from(
            ["2026-12-01T08:30", "2100-01-01T00:00:00Z", "1899-12-31T23:00:00Z", "yesterday"]
        ),
    )


VALID = {
    "client_id": st.uuids().map(str),
    "recorded_at": _moment(),
    "pain_score": st.integers(min_value=0, max_value=10),
    "side": st.sampled_from(["", *Side.values]),
    "locations": _codes(Region.choices, len(Region) + 1),
    "qualities": _codes(Quality.choices, 3),
    "swelling": st.sampled_from(Swelling.values),
    "triggers": _codes(Trigger.choices, 3),
    "note": st.text(max_size=6),
    **{name: st.booleans() for name in BOOLEAN_FIELDS},
}
# Just wrong: one past a bound, a blank code, a code of another list, a string for a bool.
NEAR = {
    "client_id": st.sampled_from(["", "1234", str(uuid.uuid4()).upper(), uuid.uuid4().hex]),
    "pain_score": st.sampled_from([-1, 11, 5.0, "5", True]),
    "side": st.sampled_from(["Left", " ", "calf", None]),
    "locations": st.sampled_from([["front_of_knee", ""], ["left"], "calf", [None], [], [["calf"]]]),
    "qualities": st.sampled_from([[""], ["calf"], ["aching", "aching"], "aching"]),
    "swelling": st.sampled_from(["", "None", "left", None]),
    "triggers": st.sampled_from([["stairs", "stairs"], [""], [1]]),
    "note": st.sampled_from(["x" * 2001, "a\x00b", None, 5]),
    **{name: st.sampled_from(["true", 1, 0, None]) for name in BOOLEAN_FIELDS},
}


@st.composite
def log_items(draw):
    """Mostly logs DRF accepts (some fields left out), else one with one or two fields
    just wrong or of another shape, now and then a field no log has."""
    item = {}
    for name, valid in VALID.items():
        if draw(st.integers(min_value=0, max_value=4)):
            item[name] = draw(valid)
    for name in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=2, unique=True)):
        item[name] = draw(st.one_of(NEAR.get(name, JUNK), JUNK))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        item[draw(st.sampled_from(["pain_scor", "id", "triage_level", "created_at"]))] = 1
    return item


def outcome(run, item):
    try:
        return "accepted", run(item)
    except exceptions.ValidationError as error:
        return "refused", error.detail


FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(item=log_items())
def test_a_symptom_log_is_judged_as_drf_judges_it(item):
    serializer = SymptomLogInputSerializer()
    assert outcome(ItemValidator(serializer).run_validation, item) == outcome(
        serializer.run_validation, item
    )


@FAST
@given(
    kind=st.sampled_from(sorted(PUSH_KINDS)),
    item=st.dictionaries(
        st.sampled_from(
            [
                "client_id",
                "kind",
                "started_at",
                "planned_minutes",
                "performed_at",
                "plan_item",
                "sets_done",
                "reps_done",
                "pain_during",
                "difficulty",
                "note",
                "body",
                "instrument",
                "answers",
                "unknown",
            ]
        ),
        st.one_of(JUNK, st.uuids().map(str), _moment()),
        max_size=8,
    ),
)
def test_every_sync_type_is_judged_as_drf_judges_it(kind, item):
    serializer = PUSH_KINDS[kind].validator
    assert outcome(ItemValidator(serializer).run_validation, item) == outcome(
        serializer.run_validation, item
    )


def test_a_valid_log_and_an_ice_session_are_accepted_as_drf_accepts_them():
    log, ice = symptom_log_body(), care_session_body()
    assert ItemValidator(SymptomLogInputSerializer()).run_validation(log) == (
        SymptomLogInputSerializer().run_validation(log)
    )
    sessions = PUSH_KINDS["care_sessions"].validator
    assert ItemValidator(sessions).run_validation(ice) == sessions.run_validation(ice)


def test_a_valid_log_takes_the_fast_path_and_defaults_are_drf_s():
    """The serializer itself is not asked about a plain valid log (else the fast path is
    dead weight), and what was left out gets the serializer's defaults: a log that says
    nothing about weight bearing is one where the patient can bear weight."""
    validator = ItemValidator(SymptomLogInputSerializer())

    def refuse(data):
        raise AssertionError("the fast path fell back to DRF")

    validator.serializer.run_validation = refuse  # type: ignore[method-assign]
    client_id = uuid.uuid4()
    body = symptom_log_body(client_id=str(client_id), note="", side="")
    del body["swelling"]
    fields = validator.run_validation(body)
    assert fields["client_id"] == client_id
    assert fields["can_bear_weight"] is True
    assert fields["redness"] is False
    assert fields["locations"] == ["front_of_knee"]
    assert fields["swelling"] == Swelling.NONE


def test_an_invalid_log_is_refused_with_all_of_drf_s_errors():
    item = symptom_log_body(pain_score=11, redness="yes", pain_scor=3)
    with pytest.raises(exceptions.ValidationError) as refused:
        ItemValidator(SymptomLogInputSerializer()).run_validation(item)
    assert set(refused.value.detail) == {"pain_scor"}  # StrictFieldsMixin speaks first
    del item["pain_scor"]
    with pytest.raises(exceptions.ValidationError) as refused:
        ItemValidator(SymptomLogInputSerializer()).run_validation(item)
    assert set(refused.value.detail) == {"pain_score", "redness"}


class _Checked(StrictSerializer):
    level = StrictIntegerField(min_value=0, max_value=3)
    flag = StrictBooleanField(required=False, default=False)

    def validate_level(self, value):
        raise serializers.ValidationError("never")


class _Generic(StrictSerializer):
    """A field of each kind the fast path checks inline, with bounds, blanks and lists
    that no `validate` stands behind."""

    level = StrictIntegerField(min_value=0, max_value=3)
    size = StrictIntegerField(required=False, allow_null=True, min_value=1)
    side = StrictChoiceField(choices=Side.choices, required=False, allow_blank=True, default="")
    swelling = StrictChoiceField(choices=Swelling.choices, required=False)
    places = serializers.ListField(
        child=StrictChoiceField(choices=Region.choices), min_length=1, max_length=2
    )
    flag = StrictBooleanField(required=False, default=True)


@FAST
@given(
    item=st.fixed_dictionaries(
        {},
        optional={
            "level": st.integers(min_value=-1, max_value=4),
            "size": st.one_of(st.none(), st.integers(min_value=-1, max_value=3)),
            "side": st.sampled_from(["", "left", "right", "calf", " "]),
            "swelling": st.sampled_from(["", "none", "mild", "left"]),
            "places": st.lists(
                st.sampled_from(["calf", "front_of_knee", "", "x", ["calf"], None]), max_size=3
            ),
            "flag": st.one_of(st.booleans(), st.just("true")),
        },
    )
)
def test_each_inline_check_keeps_drf_s_bounds(item):
    serializer = _Generic()
    assert outcome(ItemValidator(serializer).run_validation, item) == outcome(
        serializer.run_validation, item
    )


def test_a_serializer_it_cannot_follow_is_left_to_drf():
    validator = ItemValidator(_Checked())
    assert validator._plan is None  # a validate_<field> method
    with pytest.raises(exceptions.ValidationError):
        validator.run_validation({"level": 1})


def test_the_validator_is_made_once_per_serializer():
    serializer = SymptomLogInputSerializer()
    assert item_validator(serializer) is item_validator(serializer)
