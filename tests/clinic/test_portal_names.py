"""The portal names questionnaires, never by their codes: the schedules on the outcomes and
episode tabs and the goals' instrument read "Lower Extremity Functional Scale (LEFS) every
14 days", not "lefs every 14 days"."""

import re

import pytest
from django.utils import timezone

from apps.outcomes.services import instruments_load, outcome_schedule_create
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

LEFS = "Lower Extremity Functional Scale (LEFS)"


@pytest.fixture
def asked_for_lefs(physio, patient, linked):
    instruments_load()
    return outcome_schedule_create(
        physio=physio,
        patient=patient,
        instrument="lefs",
        every_days=14,
        starts_on=timezone.localdate(),
    )


def test_the_outcomes_tab_names_the_questionnaires_asked(portal, patient, asked_for_lefs):
    body = portal.get(f"/clinic/patients/{patient.pk}/outcomes/").content.decode()
    assert f"{LEFS} every 14 days, from" in body
    assert f'<span class="visually-hidden"> for {LEFS}</span>' in body
    assert not re.search(r">\s*lefs every", body)


def test_the_episode_tab_names_the_questionnaires_and_the_goals_instrument(
    portal, physio, patient, asked_for_lefs
):
    GoalFactory(episode=asked_for_lefs.episode, instrument="lefs")
    body = portal.get(f"/clinic/patients/{patient.pk}/episode/").content.decode()
    assert f"<li>{LEFS} every 14 days from" in body
    assert f"<td>{LEFS}</td>" in body
    assert not re.search(r">\s*lefs every", body)
    assert "<td>lefs</td>" not in body
