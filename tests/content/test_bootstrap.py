"""The seed content of docs/domain.md, as `bootstrap` loads it and the API serves it."""

import re

import pytest
from django.core.management import call_command

from apps.content.models import Condition, Exercise, Protocol, ProtocolStep, Status, StepKind
from apps.content.services import (
    FIXTURE_DIR,
    FIXTURE_FILES,
    content_load_fixtures,
    content_unpublish,
    region_tags_ensure,
)

DOMAIN_SLUGS = {
    "bakers-cyst",
    "knee-osteoarthritis",
    "meniscus-tear",
    "ligament-injury-pcl",
    "patellofemoral-pain",
    "hamstring-gastrocnemius-tendinopathy",
    "peroneal-sciatic-nerve-irritation",
    "lumbar-radiculopathy",
    "lumbar-disc-herniation",
    "spinal-stenosis",
    "spondylolisthesis",
    "deep-vein-thrombosis",
    "joint-infection",
}


@pytest.fixture
def seeded(db):
    return content_load_fixtures()


def all_slugs(api_client, url, **params) -> set[str]:
    response = api_client.get(url, {**params, "page_size": 200})
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["results"]}


def test_the_api_lists_every_condition_of_domain_md(seeded, api_client):
    assert all_slugs(api_client, "/api/v1/conditions/") == DOMAIN_SLUGS


def test_region_back_of_knee_has_the_bakers_cyst_and_not_spinal_stenosis(seeded, api_client):
    found = all_slugs(api_client, "/api/v1/conditions/", region="back_of_knee")
    assert "bakers-cyst" in found
    assert "spinal-stenosis" not in found


def test_searching_popliteal_finds_the_bakers_cyst(seeded, api_client):
    assert "bakers-cyst" in all_slugs(api_client, "/api/v1/conditions/", search="popliteal")


def test_every_ice_step_says_15_to_20_minutes(seeded, api_client):
    ice_steps = [
        step
        for protocol in api_client.get("/api/v1/protocols/").json()["results"]
        for step in protocol["steps"]
        if step["kind"] == "ice"
    ]
    assert ice_steps
    for step in ice_steps:
        assert (step["min_minutes"], step["max_minutes"]) == (15, 20)
        assert re.search(r"15\s*(to|–|-)\s*20 minutes", step["instructions"])


def test_there_is_a_protocol_for_each_region_of_the_seeds(seeded):
    regions = {
        code
        for protocol in Protocol.objects.all()
        for code in protocol.regions.values_list("code", flat=True)
    }
    assert {"back_of_knee", "calf", "front_of_knee", "lower_back"} <= regions
    kinds = set(
        ProtocolStep.objects.filter(protocol__slug="back-of-knee-home-care").values_list(
            "kind", flat=True
        )
    )
    assert {StepKind.ICE, StepKind.STRETCH, StepKind.ELEVATION, StepKind.MEDICATION_INFO} <= kinds


def test_at_least_twelve_published_exercises_each_naming_its_source(seeded):
    exercises = Exercise.objects.filter(status="published")
    assert exercises.count() >= 12
    assert all(exercise.source.startswith("seed-") for exercise in exercises)
    areas = set(exercises.values_list("target_area", flat=True))
    assert {"calf", "hamstrings", "quadriceps", "gluteals", "core"} <= areas


def test_medication_steps_carry_information_only(seeded):
    steps = ProtocolStep.objects.filter(kind=StepKind.MEDICATION_INFO)
    assert steps
    for step in steps:
        assert not re.search(r"\d", step.instructions)
        assert "pharmacist or doctor" in step.instructions
        assert step.times_per_day is None
        assert step.min_minutes is None


def test_every_item_validates_and_names_its_source(seeded):
    for model in (Condition, Protocol, ProtocolStep, Exercise):
        for item in model.objects.all():
            item.full_clean()
    assert all(condition.source for condition in Condition.objects.all())


def test_running_it_again_changes_nothing(seeded):
    stamps = dict(Condition.objects.values_list("slug", "updated_at"))

    again = content_load_fixtures()

    assert again.created == []
    assert again.updated == []
    assert dict(Condition.objects.values_list("slug", "updated_at")) == stamps


def test_an_editors_change_survives_bootstrap_unless_overwritten(seeded):
    cyst = Condition.objects.get(slug="bakers-cyst")
    cyst.summary = "Edited by an editor."
    cyst.edited_in_admin = True
    cyst.save()

    report = content_load_fixtures()
    assert "condition:bakers-cyst" in report.kept_edited
    assert Condition.objects.get(slug="bakers-cyst").summary == "Edited by an editor."

    content_load_fixtures(overwrite_edited=True)
    assert Condition.objects.get(slug="bakers-cyst").summary != "Edited by an editor."


def test_a_removed_step_or_changed_fixture_is_updated_in_place(seeded):
    protocol = Protocol.objects.get(slug="back-of-knee-home-care")
    count = protocol.steps.count()
    ProtocolStep.objects.filter(protocol=protocol, position=1).update(title="Tampered")
    ProtocolStep.objects.create(
        protocol=protocol, position=99, kind="rest", title="Extra", instructions="x"
    )

    content_load_fixtures()

    assert protocol.steps.count() == count
    assert protocol.steps.get(position=1).title != "Tampered"


def test_the_fixtures_load_with_plain_loaddata(db):
    region_tags_ensure()
    call_command("loaddata", *[str(FIXTURE_DIR / name) for name in FIXTURE_FILES], verbosity=0)
    assert set(Condition.objects.values_list("slug", flat=True)) == DOMAIN_SLUGS


def test_bootstrap_command_reports_and_is_safe_twice(db, capsys):
    call_command("bootstrap")
    call_command("bootstrap")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_an_editors_unpublish_survives_bootstrap(seeded):
    """A withdrawn item must stay withdrawn on the next deploy, which runs bootstrap."""
    content_unpublish(items=Condition.objects.filter(slug="meniscus-tear"))

    report = content_load_fixtures()

    assert "condition:meniscus-tear" in report.kept_edited
    assert Condition.objects.get(slug="meniscus-tear").status == Status.DRAFT
