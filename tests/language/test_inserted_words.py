"""Issue 24: a translated detail never carries a raw code where people read a word. A
suggestion is named in the caller's language (the API's `suggestion` field keeps the
code); an instrument by its published name ("LEFS", never translated); an unknown
instrument by the code the caller sent, quoted, since that is what the caller wrote."""

import pytest
from django.utils import timezone

from apps.outcomes.services import instruments_load
from tests.episode_lifecycle.conftest import goal_body
from tests.factories import EpisodeFactory
from tests.guidance.conftest import add_mornings, add_sessions
from tests.language.callers import only_error, speaking

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

APPLY = "/api/v1/plans/{}/items/{}/apply-guidance/"


@pytest.mark.parametrize(
    ("language", "detail"),
    [("es", "La sugerencia ahora es: progresar."), ("en", "The suggestion is now progress.")],
)
def test_a_changed_suggestion_is_named_in_the_callers_language(
    language, detail, physio, patient, make_plan
):
    plan = make_plan()
    quads = plan.items.get(exercise__slug="quad-sets")
    add_sessions(quads)
    add_mornings(patient)

    response = speaking(physio, language).post(
        APPLY.format(plan.id, quads.id), {"expected_suggestion": "reduce"}, format="json"
    )

    assert only_error(response, 409) == {
        "code": "guidance_changed",
        "detail": detail,
        "attr": None,
    }


@pytest.mark.parametrize(
    ("language", "days", "detail"),
    [
        (
            "es",
            (3, 2, 1),
            "La sugerencia es «mantener»: no hay ningún cambio de dosificación que aplicar.",
        ),
        (
            "es",
            (2, 1),
            "La sugerencia es «datos insuficientes»: no hay ningún cambio de dosificación "
            "que aplicar.",
        ),
        ("en", (3, 2, 1), 'The suggestion is "hold": there is no dosage step to apply.'),
        (
            "en",
            (2, 1),
            'The suggestion is "insufficient data": there is no dosage step to apply.',
        ),
    ],
)
def test_a_suggestion_with_no_step_is_named_in_the_callers_language(
    language, days, detail, physio, patient, make_plan
):
    plan = make_plan()
    quads = plan.items.get(exercise__slug="quad-sets")
    add_sessions(quads, days=days)
    add_mornings(patient)

    response = speaking(physio, language).post(APPLY.format(plan.id, quads.id), {}, format="json")

    assert only_error(response, 409) == {
        "code": "guidance_not_applicable",
        "detail": detail,
        "attr": None,
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "El paciente ya tiene un calendario de LEFS activo; finalícelo primero."),
        ("en", "The patient already has an active LEFS schedule; end it first."),
    ],
)
def test_an_active_schedule_names_the_instrument_as_published(
    language, detail, physio, patient, linked
):
    instruments_load()
    url = f"/api/v1/patients/{patient.id}/outcome-schedules/"
    body = {"instrument": "lefs", "every_days": 7, "starts_on": str(timezone.localdate())}
    client = speaking(physio, language)
    assert client.post(url, body, format="json").status_code == 201

    response = client.post(url, {**body, "every_days": 14}, format="json")

    assert only_error(response, 409) == {
        "code": "schedule_exists",
        "detail": detail,
        "attr": None,
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "«koos» no es un cuestionario en uso."),
        ("en", "'koos' is not an instrument in use."),
    ],
)
@pytest.mark.parametrize("where", ["schedule", "goal"])
def test_an_unknown_instrument_is_quoted_as_sent(where, language, detail, physio, patient, linked):
    instruments_load()
    client = speaking(physio, language)
    if where == "schedule":
        body = {"instrument": "koos", "every_days": 7, "starts_on": str(timezone.localdate())}
        response = client.post(
            f"/api/v1/patients/{patient.id}/outcome-schedules/", body, format="json"
        )
    else:
        episode = EpisodeFactory(physio=physio, patient=patient)
        response = client.post(
            f"/api/v1/episodes/{episode.id}/goals/", goal_body(instrument="koos"), format="json"
        )

    error = only_error(response, 400)
    assert (error["attr"], error["detail"]) == ("instrument", detail)
