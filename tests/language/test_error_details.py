"""Issue 24, error details: what the services refuse reaches the caller in the caller's own
language, through the API's error envelope, a sync item's errors and the portal. The status
and the code never change with the language: clients rely on them; only `detail` (for
people) does.

Each case is run for a Spanish and an English caller, who hit the same refusal.
"""

import uuid
from decimal import Decimal

import pytest

from apps.accounts.services import care_link_end
from apps.alerts.services import alert_resolve
from apps.plans.services import plan_archive
from tests.clinic.conftest import portal_client_for
from tests.episode_lifecycle.conftest import episode_body, goal_body
from tests.factories import AlertFactory, EpisodeFactory, InstrumentVersionFactory
from tests.language.callers import only_error, speaking
from tests.sync.test_push import message_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LANGUAGES = ["es", "en"]


def resolve_a_resolved_alert(physio, patient, **_):
    alert = alert_resolve(alert=AlertFactory(patient=patient), by=physio)
    return physio, f"/api/v1/alerts/{alert.id}/resolve/", None


def pause_an_archived_plan(physio, make_plan, **_):
    plan = plan_archive(plan=make_plan(), by=physio)
    return physio, f"/api/v1/plans/{plan.id}/pause/", None


def open_a_second_episode(physio, patient, **_):
    EpisodeFactory(physio=physio, patient=patient)
    return physio, f"/api/v1/patients/{patient.id}/episodes/", episode_body()


def write_to_an_ended_thread(physio, patient, linked, **_):
    care_link_end(link=linked, by=physio)
    body = {"body": "¿Puedo correr?", "client_id": str(uuid.uuid4())}
    return patient, f"/api/v1/care-team/{linked.id}/messages/", body


CONFLICTS = {
    resolve_a_resolved_alert: (
        "invalid_transition",
        "Esta alerta ya está resuelta.",
        "This alert is already resolved.",
    ),
    pause_an_archived_plan: (
        "plan_archived",
        "Un plan archivado no se puede pausar.",
        "An archived plan cannot be paused.",
    ),
    open_a_second_episode: (
        "active_episode_exists",
        "Ya tiene un episodio activo con este paciente: dele el alta primero.",
        "You already have an active episode with this patient: discharge it first.",
    ),
    write_to_an_ended_thread: (
        "thread_ended",
        "Esta conversación ha terminado: puede seguir leyéndola, pero no se pueden enviar",
        "This conversation has ended: you can still read it, but no new messages can be sent.",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("make", CONFLICTS, ids=lambda make: make.__name__)
def test_a_conflict_has_the_same_status_and_code_and_a_detail_in_the_callers_language(
    make, language, physio, patient, linked, make_plan
):
    caller, url, body = make(physio=physio, patient=patient, linked=linked, make_plan=make_plan)

    error = only_error(speaking(caller, language).post(url, body, format="json"), 409)

    code, spanish, english = CONFLICTS[make]
    assert error["code"] == code
    assert error["attr"] is None
    assert error["detail"].startswith(spanish if language == "es" else english)


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "Debe estar dentro de las puntuaciones del cuestionario, de 0 a 80."),
        ("en", "Must be within the instrument's scores, 0 to 80."),
    ],
)
def test_a_refused_field_names_its_values_in_the_callers_language(
    language, detail, physio, patient, linked
):
    from apps.outcomes.services import instruments_load

    instruments_load()
    episode = EpisodeFactory(physio=physio, patient=patient)

    response = speaking(physio, language).post(
        f"/api/v1/episodes/{episode.id}/goals/", goal_body(target=81), format="json"
    )

    assert only_error(response, 400) == {
        "code": "out_of_range",
        "detail": detail,
        "attr": "target",
    }


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "Debe estar dentro de las puntuaciones del cuestionario, de 0,5 a 3,5."),
        ("en", "Must be within the instrument's scores, 0.5 to 3.5."),
    ],
)
def test_a_refused_fields_values_use_the_callers_decimal_mark(
    language, detail, physio, patient, linked
):
    version = InstrumentVersionFactory(score_min=Decimal("0.50"), score_max=Decimal("3.50"))
    episode = EpisodeFactory(physio=physio, patient=patient)

    response = speaking(physio, language).post(
        f"/api/v1/episodes/{episode.id}/goals/",
        goal_body(instrument=version.instrument_id, target=4),
        format="json",
    )

    assert only_error(response, 400)["detail"] == detail


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "Esta conversación ha terminado: puede seguir leyéndola"),
        ("en", "This conversation has ended: you can still read it"),
    ],
)
def test_a_sync_item_refused_by_a_service_says_why_in_the_callers_language(
    language, detail, physio, patient, linked
):
    care_link_end(link=linked, by=physio)

    response = speaking(patient, language).post(
        "/api/v1/sync/", {"messages": [message_body(linked)]}, format="json"
    )

    assert response.status_code == 200, response.content
    [result] = response.json()["results"]["messages"]
    assert result["status"] == "invalid"
    [error] = result["errors"]
    assert (error["attr"], error["code"]) == (None, "thread_ended")
    assert error["detail"].startswith(detail)


@pytest.mark.parametrize(
    ("language", "detail"),
    [("es", "Esta alerta ya está resuelta."), ("en", "This alert is already resolved.")],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_the_portal_shows_a_service_refusal_in_the_physios_language(
    language, detail, htmx, physio, patient, linked
):
    alert = AlertFactory(patient=patient, resolved=True)
    physio.language = language
    physio.save(update_fields=["language"])
    url = f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/resolve/"

    if htmx:
        response = portal_client_for(physio).post(url, {"note": ""}, headers={"HX-Request": "true"})
        assert response.status_code == 409
    else:  # the refusal travels in a flash message to the overview
        response = portal_client_for(physio).post(url, {"note": ""}, follow=True)
        assert response.status_code == 200

    page = response.content.decode()
    assert detail in page
    assert ("This alert is already resolved." in page) == (language == "en")


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("es", "No es un punto de control que le haya dado este servidor"),
        ("en", "Not a checkpoint this server gave you"),
    ],
)
def test_an_unreadable_sync_checkpoint_is_refused_in_the_callers_language(
    language, detail, patient
):
    response = speaking(patient, language).get("/api/v1/sync/?checkpoint=nonsense")

    error = only_error(response, 400)
    assert (error["attr"], error["code"]) == ("checkpoint", "invalid_checkpoint")
    assert error["detail"].startswith(detail)
