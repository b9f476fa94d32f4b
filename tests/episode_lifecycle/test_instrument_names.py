"""Instruments by name wherever a person reads them: goals, schedules (in an episode and
on their own), the caseload's latest outcome, the report's JSON and its PDF. Codes stay
for programs (`instrument`); `instrument_name` is the title."""

import datetime as dt
import io

import pypdf
import pytest

from apps.episode_lifecycle.report import episode_report_build
from apps.episodes.models import Episode
from apps.interop.report_pdf import render_report_pdf
from tests.conftest import client_for
from tests.factories.report_dicts import episode_report_dict

from .conftest import goal_body, lefs_response, open_episode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LEFS = "Lower Extremity Functional Scale (LEFS)"
TODAY = dt.date(2026, 11, 18)


def test_goals_and_schedules_carry_the_instruments_name(physio, patient, linked, instruments):
    episode = open_episode(physio, patient)
    client = client_for(physio)
    made = client.post(
        f"/api/v1/patients/{patient.id}/outcome-schedules/",
        {"instrument": "lefs", "every_days": 7, "starts_on": str(TODAY)},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert (made.json()["instrument"], made.json()["instrument_name"]) == ("lefs", LEFS)
    listed = client.get("/api/v1/outcome-schedules/", {"patient": str(patient.id)}).json()
    assert [s["instrument_name"] for s in listed["results"]] == [LEFS]
    goal = client.post(
        f"/api/v1/episodes/{episode['id']}/goals/",
        goal_body(instrument="pain_week", target=3),
        format="json",
    )
    assert goal.status_code == 201, goal.content
    assert goal.json()["instrument_name"] == "Pain over the past week"

    detail = client.get(f"/api/v1/episodes/{episode['id']}/").json()
    assert [s["instrument_name"] for s in detail["schedules"]] == [LEFS]
    assert [g["instrument_name"] for g in detail["goals"]] == ["Pain over the past week"]
    report = episode_report_build(Episode.objects.get())
    assert [g["instrument_name"] for g in report["goals"]] == ["Pain over the past week"]


def test_the_caseloads_latest_outcome_is_named(physio, physio_client, patient, linked, instruments):
    lefs_response(patient, 2)
    row = physio_client.get("/api/v1/patients/").json()["results"][0]
    assert row["latest_outcome"]["instrument"] == "lefs"
    assert row["latest_outcome"]["instrument_name"] == LEFS


def _text(report) -> str:
    pages = pypdf.PdfReader(io.BytesIO(render_report_pdf(report))).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_pdf_names_goals_measures_not_their_codes():
    report = episode_report_dict()
    names = {"lefs": LEFS, "pain_week": "Pain over the past week", "psfs": "PSFS (PSFS)"}
    for goal in report["goals"]:
        goal["instrument_name"] = names[goal["instrument"]]
    text = _text(report)
    assert "pain_week" not in text
    assert "Pain over the past week" in text
    assert "LEFS" in text
    frozen = episode_report_dict()  # frozen before names: the code, as before
    assert "pain_week" in _text(frozen)
