"""The "Episode and goals" tab: the patient's episodes of care with this physio, goals with
their computed status, opening an episode, discharge, and the report as a PDF.

Reads go through apps.episode_lifecycle's selectors (scoped to the physio: a patient not
linked now, or an episode not of this patient, is a 404); writes through the services the API calls
(`episode_open`, `goal_create`, `episode_discharge`), whose ValidationErrors come back on the
forms' fields and Conflicts (a second active episode, a discharged episode) as a
message at the top of the page, with a 409."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from apps.episode_lifecycle import selectors as lifecycle
from apps.episode_lifecycle import services as lifecycle_services
from apps.episode_lifecycle.report import episode_report
from apps.episodes import services as episode_services
from apps.episodes.models import Episode
from apps.interop.report_pdf import render_report_pdf
from apps.outcomes.selectors import enabled_versions, instrument_names, schedule_display_name
from backend.errors import Conflict, or_404

from .access import PhysioRequest, linked_patient, physio_required
from .forms import DischargeForm, EpisodeOpenForm, GoalForm
from .views import _patient_context, _service_errors

STATUS_WORDS = {
    "met": gettext_lazy("Met"),
    "progressing": gettext_lazy("Progressing"),
    "off_track": gettext_lazy("Off track"),
    "not_met": gettext_lazy("Not met"),
}
SAVED_NOTICES = {
    "opened": gettext_lazy("The episode is open. New plans and questionnaires join it."),
    "goal": gettext_lazy("The goal is added."),
    "discharged": gettext_lazy(
        "The patient is discharged: plans archived, questionnaires ended, "
        "reminders cancelled. The report is frozen as it stands today."
    ),
}


def _instruments() -> list[tuple[str, str]]:
    return [(version.instrument_id, version.title) for version in enabled_versions()]


def _episodes_with_me(request: PhysioRequest, patient) -> list[Episode]:
    """This physio's episodes with the patient: the active one first, then the discharged
    ones, newest first."""
    episodes = list(
        lifecycle.episodes_visible(user=request.user).filter(patient=patient, physio=request.user)
    )
    return sorted(episodes, key=lambda episode: not episode.is_active)


def _page(
    request: PhysioRequest,
    patient,
    *,
    open_form: EpisodeOpenForm | None = None,
    goal_form: GoalForm | None = None,
    discharge_form: DischargeForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    episodes = _episodes_with_me(request, patient)
    active = next((episode for episode in episodes if episode.is_active), None)
    today = timezone.now().astimezone(patient.zone).date()
    goals = lifecycle.goals_with_status([active]) if active else {}
    goal_rows = goals.get(active.pk, []) if active else []
    schedules = list(active.outcome_schedules.all()) if active else []
    instruments = _instruments()
    # Instruments by name, never by code (a disabled one keeps its title too).
    names = instrument_names(
        {row.goal.instrument for row in goal_rows} | {s.instrument_id for s in schedules}
    )
    context = {
        **_patient_context(request, patient, "episode"),
        "active": active,
        "discharged": [episode for episode in episodes if not episode.is_active],
        "goals": [
            {
                "row": row,
                "status_word": STATUS_WORDS.get(row.status, row.status),
                "instrument": names.get(row.goal.instrument, row.goal.instrument),
            }
            for row in goal_rows
        ],
        "schedules": [
            {"schedule": schedule, "name": schedule_display_name(schedule, names)}
            for schedule in schedules
        ],
        "open_form": open_form
        or EpisodeOpenForm(initial={"title": _("Episode of care"), "started_on": today}),
        "goal_form": goal_form or GoalForm(instruments=instruments),
        "discharge_form": discharge_form or DischargeForm(),
        "notice": SAVED_NOTICES.get(request.GET.get("saved", "")),
        "conflict": conflict,
    }
    return render(request, "clinic/episode.html", context, status=status)


def _done(patient, what: str) -> HttpResponse:
    return redirect(reverse("clinic:episode", args=[patient.pk]) + f"?saved={what}")


def _submit(request: PhysioRequest, patient, form, form_key: str, write, done: str) -> HttpResponse:
    """A form's POST: on valid input call `write(cleaned_data)` (a service); its
    ValidationErrors land on the form's fields and a Conflict shows as a message (409); on
    success back to the tab with `done`'s notice. Invalid input re-shows the form (400)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            _service_errors(form, error)
        except Conflict as conflict:
            return _page(request, patient, conflict=str(conflict.message), status=409)
        else:
            return _done(patient, done)
    return _page(request, patient, **{form_key: form}, status=400)


def _my_episode(request: PhysioRequest, patient, episode_id) -> Episode:
    """An episode of this patient the physio may act on (the API's rule), or 404."""
    episode = or_404(lifecycle.episode_for(user=request.user, episode_id=episode_id))
    if episode.patient_id != patient.pk:
        raise Http404
    return episode


@require_GET
@physio_required
def episode(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="episode")
    return _page(request, patient)


@require_POST
@physio_required
def episode_open(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="episode")
    return _submit(
        request,
        patient,
        EpisodeOpenForm(request.POST),
        "open_form",
        lambda data: episode_services.episode_open(physio=request.user, patient=patient, **data),
        "opened",
    )


@require_POST
@physio_required
def goal_add(request: PhysioRequest, patient_id, episode_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="episode")
    episode = _my_episode(request, patient, episode_id)
    return _submit(
        request,
        patient,
        GoalForm(request.POST, instruments=_instruments()),
        "goal_form",
        lambda data: lifecycle_services.goal_create(episode=episode, by=request.user, **data),
        "goal",
    )


@require_POST
@physio_required
def episode_discharge(request: PhysioRequest, patient_id, episode_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="episode")
    episode = _my_episode(request, patient, episode_id)
    return _submit(
        request,
        patient,
        DischargeForm(request.POST),
        "discharge_form",
        lambda data: lifecycle_services.episode_discharge(
            episode=episode, by=request.user, note=data["note"]
        ),
        "discharged",
    )


@require_GET
@physio_required
def episode_report_pdf(request: PhysioRequest, patient_id, episode_id) -> HttpResponse:
    """The episode's report as a PDF: frozen at discharge, or the progress report as of
    now. The portal's session signs this in (the API's report needs a token)."""
    patient = linked_patient(request, patient_id, page="episode-report")
    episode = _my_episode(request, patient, episode_id)
    response = HttpResponse(
        render_report_pdf(episode_report(episode)), content_type="application/pdf"
    )
    # The episode's id only: a file name shows in download lists and mail.
    response["Content-Disposition"] = f'attachment; filename="episode-{episode.pk}-report.pdf"'
    response["Cache-Control"] = "no-store"
    return response
