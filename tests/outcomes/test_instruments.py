"""Instruments as versioned data: loaded by `bootstrap`, served while enabled, their
wording fixed once answered; a licensed instrument is added as data, without code."""

import textwrap
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.outcomes.models import Instrument, InstrumentVersion, OutcomeResponse
from apps.outcomes.services import (
    instrument_load,
    instrument_version_set_enabled,
    instruments_load,
)
from backend import hooks
from tests.outcomes.conftest import lefs_body, response_body

LEFS_ACTIVITIES = [
    "usual work, housework or school activities",
    "usual hobbies, recreational or sporting activities",
    "getting into or out of the bath",
    "walking between rooms",
    "putting on shoes or socks",
    "squatting",
    "lifting an object like a bag of groceries from the floor",
    "light activities around the home",
    "heavy activities around the home",
    "getting into or out of a car",
    "walking 2 blocks",
    "walking a mile",
    "going up or down 10 stairs",
    "standing for 1 hour",
    "sitting for 1 hour",
    "running on even ground",
    "running on uneven ground",
    "making sharp turns while running fast",
    "hopping",
    "rolling over in bed",
]
LEFS_LABELS = [
    (0, "extreme difficulty or unable"),
    (1, "quite a bit"),
    (2, "moderate"),
    (3, "a little bit"),
    (4, "no difficulty"),
]


@pytest.mark.django_db
def test_bootstrap_loads_the_three_instruments_and_is_safe_to_run_again():
    first = hooks.bootstrap.send(sender=None, options={"demo": False, "overwrite_edited": False})
    lines = [line for _receiver, result in first for line in result or ()]
    assert any(line.startswith("Outcome instruments: 3 versions created") for line in lines)
    assert set(InstrumentVersion.objects.values_list("instrument", "version", "enabled")) == {
        ("lefs", "1", True),
        ("psfs", "1", True),
        ("pain_week", "1", True),
    }

    again = instruments_load()
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 3)


def test_lefs_is_loaded_exactly_as_docs_domain_gives_it(instruments, patient_client):
    data = patient_client.get("/api/v1/outcome-instruments/lefs/").json()

    assert data["code"] == "lefs"
    assert data["version"] == "1"
    assert data["question"] == "Today, do you or would you have any difficulty at all with:"
    assert [item["text"] for item in data["items"]] == LEFS_ACTIVITIES
    assert [item["id"] for item in data["items"]] == [str(n) for n in range(1, 21)]
    for item in data["items"]:
        assert [(a["value"], a["label"]) for a in item["answers"]] == LEFS_LABELS
    assert data["score"] == {
        "method": "sum",
        "min": 0,
        "max": 80,
        "higher_is_better": True,
        "mcid": 9,
        "mcid_percent": None,
    }
    assert "Binkley" in data["source"]
    assert "1999" in data["source"]
    assert data["licence"]
    assert data["url"] == "urn:knee-calf-selfcare:questionnaire:lefs"


def test_psfs_and_pain_week_are_loaded_as_docs_domain_gives_them(instruments, patient_client):
    psfs = patient_client.get("/api/v1/outcome-instruments/psfs/").json()
    assert psfs["named_by_patient"] is True
    assert (psfs["min_items"], psfs["max_items"]) == (1, 5)
    assert psfs["score"] == {
        "method": "mean",
        "min": 0,
        "max": 10,
        "higher_is_better": True,
        "mcid": 2,
        "mcid_percent": None,
    }
    answers = psfs["items"][0]["answers"]
    assert [a["value"] for a in answers] == list(range(11))
    assert (answers[0]["label"], answers[-1]["label"]) == ("unable", "as before the problem")
    assert "Stratford" in psfs["source"]
    assert "1995" in psfs["source"]

    pain = patient_client.get("/api/v1/outcome-instruments/pain_week/").json()
    assert [item["id"] for item in pain["items"]] == ["average", "worst"]
    assert pain["score"] == {
        "method": "item",
        "min": 0,
        "max": 10,
        "higher_is_better": False,
        "mcid": 2,
        "mcid_percent": 30,
    }
    assert "Farrar" in pain["source"]
    assert "2001" in pain["source"]


def test_any_signed_in_user_lists_the_enabled_instruments(
    instruments, patient_client, physio_client, editor_client, api_client
):
    for client in (patient_client, physio_client, editor_client):
        response = client.get("/api/v1/outcome-instruments/")
        assert response.status_code == 200
        assert [row["code"] for row in response.json()["results"]] == [
            "lefs",
            "pain_week",
            "psfs",
        ]
    assert api_client.get("/api/v1/outcome-instruments/").status_code == 401
    assert api_client.get("/api/v1/outcome-instruments/lefs/").status_code == 401


def test_an_instrument_switched_off_is_not_served_nor_answered(
    instruments, patient, patient_client
):
    instrument_version_set_enabled(
        version=InstrumentVersion.objects.get(instrument="psfs"), enabled=False
    )

    listed = patient_client.get("/api/v1/outcome-instruments/").json()["results"]
    assert [row["code"] for row in listed] == ["lefs", "pain_week"]
    assert patient_client.get("/api/v1/outcome-instruments/psfs/").status_code == 404
    assert patient_client.get("/api/v1/outcome-instruments/nope/").status_code == 404
    answer = patient_client.post(
        "/api/v1/outcome-responses/",
        response_body("psfs", [{"item": "1", "value": 5, "label": "stairs"}]),
        format="json",
    )
    assert answer.status_code == 400
    assert [(e["attr"], e["code"]) for e in answer.json()["errors"]] == [
        ("instrument", "unknown_instrument")
    ]
    assert not OutcomeResponse.objects.exists()


def test_switching_a_version_on_switches_the_others_off(instruments):
    lefs = Instrument.objects.get(code="lefs")
    v2 = InstrumentVersion.objects.get(instrument=lefs, version="1")
    v2.pk = None
    v2.version = "2"
    v2.enabled = False
    v2.save()

    instrument_version_set_enabled(version=v2, enabled=True)

    assert list(lefs.versions.filter(enabled=True).values_list("version", flat=True)) == ["2"]
    assert lefs.versions.get(version="1").edited_in_admin


# --- Fixed wording ----------------------------------------------------------------------------


def test_the_wording_of_an_answered_version_can_never_change(instruments, patient_client):
    assert (
        patient_client.post("/api/v1/outcome-responses/", lefs_body(), format="json").status_code
        == 201
    )
    version = InstrumentVersion.objects.get(instrument="lefs")

    version.question = "Do you have difficulty with:"
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert caught.value.error_dict["question"][0].code == "version_in_use"
    with pytest.raises(ValidationError):
        version.save()  # not only clean(): save() refuses too

    version.refresh_from_db()
    version.mcid = Decimal(5)
    with pytest.raises(ValidationError):
        version.save()

    version.refresh_from_db()
    version.enabled = False  # switching off is allowed
    version.save()
    assert InstrumentVersion.objects.get(pk=version.pk).question.startswith("Today")


def test_an_unanswered_version_may_still_be_corrected(instruments):
    version = InstrumentVersion.objects.get(instrument="lefs")
    version.title = "LEFS"
    version.full_clean()
    version.save()
    assert InstrumentVersion.objects.get(pk=version.pk).title == "LEFS"


def lefs_data(**version_changes) -> dict:
    import yaml

    from apps.outcomes.services import INSTRUMENT_DIR

    data = yaml.safe_load((INSTRUMENT_DIR / "lefs.yaml").read_text())
    data["versions"][0].update(version_changes)
    return data


def test_bootstrap_refuses_to_reword_an_answered_version(instruments, patient_client):
    patient_client.post("/api/v1/outcome-responses/", lefs_body(), format="json")

    with pytest.raises(ValidationError) as caught:
        instrument_load(data=lefs_data(question="Changed?"))
    assert "lefs v1" in str(caught.value)
    assert InstrumentVersion.objects.get(instrument="lefs").question.startswith("Today")


def test_a_new_wording_is_a_new_version_that_takes_over(instruments, patient_client):
    patient_client.post("/api/v1/outcome-responses/", lefs_body(), format="json")
    data = lefs_data(enabled=False)
    data["versions"].append({**data["versions"][0], "version": "2", "enabled": True})
    data["versions"][1]["title"] = "LEFS, second edition"

    instrument_load(data=data)

    served = patient_client.get("/api/v1/outcome-instruments/lefs/").json()
    assert (served["version"], served["title"]) == ("2", "LEFS, second edition")
    old = patient_client.get("/api/v1/outcome-responses/").json()["results"][0]
    assert old["version"] == "1"


def test_bootstrap_keeps_an_editors_switch(instruments):
    instrument_version_set_enabled(
        version=InstrumentVersion.objects.get(instrument="psfs"), enabled=False
    )

    report = instruments_load()
    assert report.kept_switch == ["psfs"]
    assert not InstrumentVersion.objects.get(instrument="psfs").enabled

    instruments_load(overwrite_edited=True)
    assert InstrumentVersion.objects.get(instrument="psfs").enabled


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "scoring": {
                    "method": "sum",
                    "min": 0,
                    "max": 60,
                    "higher_is_better": True,
                    "mcid": 9,
                }
            },
            "outside the declared range",
        ),
        ({"items": []}, "no items"),
    ],
)
def test_bootstrap_refuses_a_malformed_instrument(db, change, message):
    with pytest.raises(ValidationError) as caught:
        instrument_load(data=lefs_data(**change))
    assert message in str(caught.value)
    assert not InstrumentVersion.objects.exists()


# --- A licensed instrument added as data ---------------------------------------------------------

KOOS_LIKE = textwrap.dedent(
    """\
    # A made-up two-item instrument standing in for a licensed one (KOOS, ODI, PROMIS):
    # a clinic that holds the licence adds a file like this; no code changes.
    code: koos_demo
    url: urn:example-clinic:questionnaire:koos_demo
    versions:
      - version: "2.0"
        enabled: true
        title: Knee demo score
        question: "In the last week, how much difficulty did you have:"
        answers:
          - {value: 0, label: none}
          - {value: 1, label: some}
          - {value: 2, label: a lot}
        items:
          - {id: P1, text: twisting on your knee}
          - {id: P2, text: going down stairs}
        scoring:
          method: lookup          # the published raw → 0–100 conversion
          table: [[0, 100], [1, 75], [2, 50], [3, 25], [4, 0]]
          min: 0
          max: 100
          higher_is_better: true
          mcid: 10
        source: Example et al. (made up for the test).
        licence: Licensed to the example clinic.
    """
)


def test_a_clinic_adds_a_licensed_instrument_as_data(db, tmp_path, patient, patient_client):
    (tmp_path / "koos_demo.yaml").write_text(KOOS_LIKE)
    report = instruments_load(paths=[tmp_path / "koos_demo.yaml"])
    assert report.created == ["koos_demo v2.0"]

    served = patient_client.get("/api/v1/outcome-instruments/koos_demo/").json()
    assert [item["id"] for item in served["items"]] == ["P1", "P2"]
    assert served["score"]["method"] == "lookup"

    first = patient_client.post(
        "/api/v1/outcome-responses/",
        response_body(
            "koos_demo", [{"item": "P1", "value": 2}, {"item": "P2", "value": 2}], version="2.0"
        ),
        format="json",
    )
    assert first.status_code == 201, first.content
    assert (first.json()["score"], first.json()["responder"]) == (0, None)

    later = patient_client.post(
        "/api/v1/outcome-responses/",
        response_body("koos_demo", [{"item": "P1", "value": 0}, {"item": "P2", "value": 1}]),
        format="json",
    ).json()
    assert (later["score"], later["baseline_score"], later["change"]) == (75, 0, 75)
    assert later["responder"] == "improved"

    bad = patient_client.post(
        "/api/v1/outcome-responses/",
        response_body("koos_demo", [{"item": "P1", "value": 3}, {"item": "P2", "value": 1}]),
        format="json",
    )
    assert [(e["attr"], e["code"]) for e in bad.json()["errors"]] == [
        ("answers.0.value", "out_of_range")
    ]
    assert OutcomeResponse.objects.filter(patient=patient).count() == 2
