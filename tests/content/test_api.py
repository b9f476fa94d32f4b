from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.content.models import Condition, Status
from apps.content.services import content_publish, content_unpublish
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    IceStepFactory,
    ProtocolFactory,
    ProtocolStepFactory,
    link,
)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.django_db
def test_only_published_conditions_are_listed_and_served(api_client):
    ConditionFactory(slug="published-one")
    ConditionFactory(slug="draft-one", status=Status.DRAFT)

    assert slugs(api_client.get("/api/v1/conditions/")) == ["published-one"]
    assert api_client.get("/api/v1/conditions/published-one/").status_code == 200
    draft = api_client.get("/api/v1/conditions/draft-one/")
    assert draft.status_code == 404
    assert draft.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_a_condition_shows_its_content_links_and_disclaimer(api_client):
    protocol = ProtocolFactory(slug="back-of-knee-home-care", title="Home care")
    hidden = ProtocolFactory(slug="draft-protocol", status=Status.DRAFT)
    exercise = ExerciseFactory(slug="calf-stretch", name="Calf stretch")
    condition = ConditionFactory(
        slug="bakers-cyst",
        name="Baker's cyst",
        other_names="Popliteal cyst\nBursa behind the knee",
        regions=["back_of_knee", "calf"],
        mechanisms=["pressure_swelling"],
        typical_symptoms="Tight pain behind the knee\n\nSwelling",
        red_flag_codes=["possible_dvt"],
    )
    link(condition, protocols=[protocol, hidden], exercises=[exercise])

    body = api_client.get("/api/v1/conditions/bakers-cyst/").json()

    assert body["other_names"] == ["Popliteal cyst", "Bursa behind the knee"]
    assert body["regions"] == ["back_of_knee", "calf"]
    assert body["typical_symptoms"] == ["Tight pain behind the knee", "Swelling"]
    assert body["mechanisms"] == [{"code": "pressure_swelling", "title": "Pressure or swelling"}]
    assert body["red_flags"] == [{"code": "possible_dvt", "title": "Possible blood clot (DVT)"}]
    assert body["protocols"] == [{"slug": "back-of-knee-home-care", "title": "Home care"}]
    assert body["exercises"] == [
        {"slug": "calf-stretch", "name": "Calf stretch", "target_area": "calf"}
    ]
    assert body["source"] == {
        "code": "seed-003",
        "title": "What Causes Back Knee Pain When Walking?",
    }
    assert "does not diagnose" in body["disclaimer"]
    assert body["updated_at"]


@pytest.mark.django_db
def test_protocol_steps_come_in_order_with_their_limits(api_client):
    protocol = ProtocolFactory(slug="calf-care")
    IceStepFactory(protocol=protocol, position=2, cautions="Never on bare skin\nStop if numb")
    ProtocolStepFactory(protocol=protocol, position=1, title="Rest")

    body = api_client.get("/api/v1/protocols/calf-care/").json()

    assert [step["title"] for step in body["steps"]] == ["Rest", "Ice"]
    ice = body["steps"][1]
    assert ice == {
        "position": 2,
        "kind": "ice",
        "session_kind": "ice",
        "title": "Ice",
        "instructions": ice["instructions"],
        "min_minutes": 15,
        "max_minutes": 20,
        "times_per_day": 3,
        "cautions": ["Never on bare skin", "Stop if numb"],
    }


@pytest.mark.django_db
def test_exercises_show_instructions_as_steps_and_default_dosage(api_client):
    ExerciseFactory(slug="wall-calf-stretch", default_reps=None, default_hold_seconds=30)

    body = api_client.get("/api/v1/exercises/wall-calf-stretch/").json()

    assert body["instructions"] == ["Stand facing a wall.", "Step one foot back.", "Hold."]
    assert (body["default_sets"], body["default_reps"], body["default_hold_seconds"]) == (
        3,
        None,
        30,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/conditions/", "/api/v1/protocols/", "/api/v1/exercises/"])
def test_region_filters_content(api_client, url):
    factory = {
        "conditions": ConditionFactory,
        "protocols": ProtocolFactory,
        "exercises": ExerciseFactory,
    }[url.split("/")[3]]
    factory(slug="behind", regions=["back_of_knee", "calf"])
    factory(slug="spine", regions=["lower_back", "front_of_knee"])

    assert slugs(api_client.get(url, {"region": "back_of_knee"})) == ["behind"]
    assert slugs(api_client.get(url, {"region": "lower_back"})) == ["spine"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"region": "elbow"}, "region"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-13-45T00:00:00Z"}, "updated_since"),
        ({"updated_since": "2026-11-21T00:00:00"}, "updated_since"),  # no offset
        ({"updated_since": "2026-11-21"}, "updated_since"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(api_client, params, attr):
    response = api_client.get("/api/v1/conditions/", params)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.django_db
def test_search_looks_at_name_other_names_and_summary(api_client):
    ConditionFactory(slug="by-name", name="Knee osteoarthritis")
    ConditionFactory(slug="by-other-name", name="Baker's cyst", other_names="Popliteal cyst")
    ConditionFactory(
        slug="by-summary", name="Tendinopathy", summary="Overuse near the POPLITEAL fossa."
    )
    ConditionFactory(slug="unrelated", name="Spinal stenosis", summary="Narrowed canal.")

    assert sorted(slugs(api_client.get("/api/v1/conditions/", {"search": "popliteal"}))) == [
        "by-other-name",
        "by-summary",
    ]
    assert slugs(api_client.get("/api/v1/conditions/", {"search": "OSTEO"})) == ["by-name"]


@pytest.mark.django_db
def test_updated_since_returns_what_changed(api_client):
    old = ConditionFactory(slug="old")
    ConditionFactory(slug="fresh")
    Condition.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert slugs(api_client.get("/api/v1/conditions/", {"updated_since": since})) == ["fresh"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/conditions/", "/api/v1/conditions/knee/"])
def test_an_unchanged_response_is_a_304_for_its_etag(api_client, url):
    condition = ConditionFactory(slug="knee", summary="Before.")

    first = api_client.get(url)
    etag = first["ETag"]
    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""

    condition.summary = "After."
    condition.save()
    changed = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_a_step_change_moves_the_protocols_updated_at(api_client):
    from apps.content.services import protocol_touch

    step = IceStepFactory(protocol=ProtocolFactory(slug="p"))
    before = api_client.get("/api/v1/protocols/p/").json()["updated_at"]
    step.max_minutes = 18
    step.save()
    protocol_touch(protocol=step.protocol)

    assert api_client.get("/api/v1/protocols/p/").json()["updated_at"] > before


@pytest.mark.django_db
def test_content_is_read_only(editor_client):
    assert (
        editor_client.post("/api/v1/conditions/", {"slug": "x"}, format="json").status_code == 405
    )


def _conditions_with_links(count: int) -> None:
    protocol = ProtocolFactory()
    IceStepFactory(protocol=protocol)
    exercise = ExerciseFactory(regions=["calf"])
    for _ in range(count):
        condition = ConditionFactory(regions=["back_of_knee", "calf"])
        link(condition, protocols=[protocol], exercises=[exercise])


def _queries(api_client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/conditions/", "/api/v1/protocols/", "/api/v1/exercises/"])
def test_a_list_costs_the_same_queries_for_3_or_30_rows(api_client, url):
    _conditions_with_links(3)
    few = _queries(api_client, url)
    _conditions_with_links(27)
    many = _queries(api_client, url)
    assert few == many


@pytest.mark.django_db
def test_condition_list_and_detail_query_budget(api_client, django_assert_max_num_queries):
    _conditions_with_links(30)
    slug = Condition.objects.first().slug
    # count, conditions, regions, protocol links (+protocols), exercise links (+exercises)
    with django_assert_max_num_queries(5):
        api_client.get("/api/v1/conditions/")
    # condition, regions, protocol links, exercise links
    with django_assert_max_num_queries(4):
        api_client.get(f"/api/v1/conditions/{slug}/")
    # count, protocols, regions, steps
    with django_assert_max_num_queries(4):
        api_client.get("/api/v1/protocols/")
    protocol = ProtocolFactory(slug="with-steps")
    for position in range(5):
        ProtocolStepFactory(protocol=protocol, position=position)
    exercise = ExerciseFactory(slug="one-exercise", regions=["calf", "back_of_knee"])
    # protocol, regions, steps
    with django_assert_max_num_queries(3):
        assert api_client.get(f"/api/v1/protocols/{protocol.slug}/").status_code == 200
    # exercise, regions, media (their renditions only when there are media)
    with django_assert_max_num_queries(3):
        assert api_client.get(f"/api/v1/exercises/{exercise.slug}/").status_code == 200


# --- Withdrawn content: what an offline copy must drop ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/conditions/", ConditionFactory),
        ("/api/v1/protocols/", ProtocolFactory),
        ("/api/v1/exercises/", ExerciseFactory),
    ],
)
def test_updated_since_lists_items_withdrawn_since_then(api_client, url, factory):
    withdrawn_before = factory(slug="withdrawn-before")
    content_unpublish(items=[withdrawn_before])
    withdrawn = factory(slug="withdrawn")
    factory(slug="kept")
    since = timezone.now()
    factory(slug="never-published", status=Status.DRAFT)  # a draft edited after `since`

    content_unpublish(items=[withdrawn])

    body = api_client.get(url, {"updated_since": since.isoformat()}).json()
    assert body["withdrawn"] == ["withdrawn"]
    assert body["results"] == []
    assert "withdrawn" not in api_client.get(url).json()  # only for a sync


@pytest.mark.django_db
def test_a_withdrawal_changes_the_etag_of_a_sync(api_client):
    condition = ConditionFactory(slug="to-withdraw")
    params = {"updated_since": (timezone.now() - timedelta(days=1)).isoformat()}
    etag = api_client.get("/api/v1/conditions/", params)["ETag"]

    content_unpublish(items=[condition])

    again = api_client.get("/api/v1/conditions/", params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again.json()["withdrawn"] == ["to-withdraw"]


@pytest.mark.django_db
def test_a_sync_costs_the_same_queries_whatever_the_number_withdrawn(
    api_client, django_assert_max_num_queries
):
    since = (timezone.now() - timedelta(days=1)).isoformat()
    ConditionFactory()
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/conditions/", {"updated_since": since})
    content_unpublish(items=ConditionFactory.create_batch(15))
    ConditionFactory.create_batch(15)

    with django_assert_max_num_queries(len(few)):
        body = api_client.get("/api/v1/conditions/", {"updated_since": since}).json()
    assert len(body["withdrawn"]) == 15


@pytest.mark.django_db
def test_publishing_records_the_first_time_only():
    condition = ConditionFactory(status=Status.DRAFT)
    assert condition.first_published_at is None

    content_publish(items=[condition])
    first = Condition.objects.get(pk=condition.pk).first_published_at
    content_unpublish(items=[condition])
    content_publish(items=[condition])

    assert first is not None
    assert Condition.objects.get(pk=condition.pk).first_published_at == first


@pytest.mark.django_db
def test_content_is_served_even_with_an_expired_or_bad_token(api_client):
    ConditionFactory(slug="public")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-valid-token")

    assert slugs(api_client.get("/api/v1/conditions/")) == ["public"]
    assert api_client.get("/api/v1/conditions/public/").status_code == 200
