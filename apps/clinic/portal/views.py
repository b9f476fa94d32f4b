"""The portal's pages: caseload, patient, plan builder, invites. HTTP only: reads go through
the clinic's and each app's selectors scoped to the physio, writes through the apps'
services (the same ones the API calls), so each rule lives in one place."""

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import User
from apps.accounts.qr import qr_svg
from apps.accounts.selectors import care_team_links_for
from apps.accounts.services import care_invite_create, care_link_end
from apps.alerts.models import Alert, AlertKind, AlertStatus
from apps.alerts.selectors import AlertContext, active_alerts_of, alert_contexts, alerts_for
from apps.alerts.services import alert_acknowledge, alert_resolve
from apps.clinic import selectors
from apps.clinic.templatetags import clinic_portal as portal_format
from apps.content.selectors import exercises_for, media_prefetch, search_filter
from apps.guidance.selectors import reduce_counts
from apps.interop import charts
from apps.messaging import selectors as messaging
from apps.messaging import services as messaging_services
from apps.outcomes import selectors as outcomes
from apps.outcomes import services as outcome_services
from apps.outcomes.models import InstrumentVersion
from apps.outcomes.selectors import schedule_display_name
from apps.plans import services as plans
from apps.plans.models import TEMPLATE_ITEM_FIELDS
from apps.plans.selectors import active_plan_of, prescribable_exercises, templates_for
from apps.symptoms.selectors import symptom_trend
from apps.symptoms.vocabulary import LEVEL_RANK, Level
from backend.errors import Conflict, or_404

from .access import PhysioRequest, audited, linked_patient, physio_of, physio_required
from .forms import (
    AlertResolveForm,
    CaseloadQueryForm,
    InviteForm,
    MessageForm,
    OutcomeScheduleForm,
    PlanForm,
    TemplateSaveForm,
    UnlinkForm,
    initial_item_form,
    item_forms,
)
from .guidance import plan_guidance
from .sections import patient_sections
from .throttles import invite_email_allowed
from .today import today_list

TREND_DAYS = 28
# What the app scans to join a care team: the portal's invite QR code encodes this, with the
# code as shown to the patient ("ABCD-EFGH"). The app also accepts the code typed by hand.
INVITE_LINK = "kneecare://join?code={code}"
LEVEL_BY_RANK = {rank: Level(level) for level, rank in LEVEL_RANK.items()}


def _unread_from(physio, patient) -> int:
    """Messages from the patient the physio has not read (the Messages tab's "new")."""
    links = messaging.links_with_unread_count(
        messaging.threads_for(user=physio).filter(patient=patient), user=physio
    )
    return links.values_list("unread_count", flat=True).first() or 0


def _patient_context(request: PhysioRequest, patient, section: str) -> dict:
    return {
        "patient": patient,
        "sections": patient_sections(),
        "section": section,
        "nav": "caseload",
        "unread_messages": _unread_from(request.user, patient),
    }


# --- Caseload ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    """One patient of the caseload, formatted once in Python: a caseload of 500 renders as
    plain values, without a template filter or a URL reversal per cell."""

    pk: object
    email: str
    url: str
    level: str
    level_word: str
    acknowledged: bool  # the most urgent alert is acknowledged (it keeps its rank until resolved)
    alerts: str  # unresolved alerts (open or acknowledged); "0" when none
    latest_pain: str
    pain_change_7d: str
    adherence_7d: str
    last_log_iso: str
    last_log: str
    unread: str  # "0" when none
    reduce: str  # items whose load guidance suggests `reduce`; "0" when none
    discharged: bool = False


CASELOAD_FIELDS = (
    "pk",
    "email",
    "display_name",
    "most_urgent_alert_rank",
    "most_urgent_alert_status",
    "unresolved_alerts",
    "latest_pain",
    "pain_change_7d",
    "last_log_at",
    "unread_count",
    "discharged",
)


def caseload_rows(patients: list[dict], reduce: dict | None = None) -> list[CaseloadRow]:
    base = reverse("clinic:patient", args=[uuid.UUID(int=0)]).replace(str(uuid.UUID(int=0)), "{}")
    rows = []
    for patient in patients:
        level = LEVEL_BY_RANK.get(patient["most_urgent_alert_rank"])
        last = patient["last_log_at"] and timezone.localtime(patient["last_log_at"])
        rows.append(
            CaseloadRow(
                pk=patient["pk"],
                email=patient["display_name"] or patient["email"],  # as the care team sees them
                url=base.format(patient["pk"]),
                level=level or "",
                level_word=portal_format.level_word(level) if level else "",
                acknowledged=patient["most_urgent_alert_status"] == AlertStatus.ACKNOWLEDGED,
                alerts=str(patient["unresolved_alerts"]),
                latest_pain="–" if patient["latest_pain"] is None else str(patient["latest_pain"]),
                pain_change_7d=portal_format.signed(patient["pain_change_7d"]),
                adherence_7d=portal_format.percent(patient["adherence_7d"]),
                last_log_iso=last.isoformat() if last else "",
                last_log=date_format(last, "j M, H:i") if last else "",
                unread=str(patient["unread_count"]),
                reduce=str((reduce or {}).get(patient["pk"], 0)),
                discharged=bool(patient.get("discharged")),
            )
        )
    return rows


@require_GET
@physio_required
def caseload(request: PhysioRequest) -> HttpResponse:
    """The physio's patients in care, most urgent first, and apart from them the patients
    they discharged (still linked: they may log, and their alerts still count)."""
    query_form = CaseloadQueryForm(request.GET)
    query = query_form.query()
    physio = physio_of(request)
    patients = selectors.with_adherence_7d(
        list(
            selectors.with_discharged(
                selectors.portal_caseload(physio=physio, **query), physio=physio
            ).values(*CASELOAD_FIELDS)
        ),
        ordering=query["ordering"],
    )
    audited(physio, [patient["pk"] for patient in patients], "caseload")
    reduce = reduce_counts([patient["pk"] for patient in patients])
    rows = caseload_rows(patients, reduce)
    context = {
        "form": query_form,
        "patients": rows,
        "in_care": [row for row in rows if not row.discharged],
        "discharged": [row for row in rows if row.discharged],
        "query": query,
        "nav": "caseload",
    }
    if request.htmx:  # the search, filter or sort changed: the table only
        return render(request, "clinic/partials/caseload_table.html", context)
    context["today"] = today_list(physio, reduce=reduce)
    return render(request, "clinic/caseload.html", context)


# --- A patient --------------------------------------------------------------------------------


def pain_chart(patient, *, now=None) -> charts.Chart:
    trend = symptom_trend(patient=patient, days=TREND_DAYS, now=now)
    flagged = selectors.red_flag_days(patient=patient, since=trend[0]["date"])
    return charts.pain_trend_chart(
        [
            charts.PainDay(
                day=row["date"],
                mean_pain=row["mean_pain"],
                max_pain=row["max_pain"],
                logs=row["count"],
                red_flag=row["date"] in flagged,
            )
            for row in trend
        ],
        title=_("Daily pain, last %(days)s days") % {"days": TREND_DAYS},
    )


def adherence_chart(plan, *, now=None) -> charts.Chart | None:
    if plan is None:
        return None
    weeks = selectors.weekly_adherence(plan=plan, now=now)
    return charts.adherence_chart(
        [
            charts.AdherenceBar(date_format(week.start, "j M"), week.expected, week.done)
            for week in weeks
        ],
        title=_("Exercise sessions done, by week"),
    )


@require_GET
@physio_required
def patient(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="patient")
    summary = or_404(selectors.patient_summary(physio=request.user, patient_id=patient.pk))
    alerts = alert_entries(summary.alerts)
    context = {
        **_patient_context(request, patient, "overview"),
        "summary": summary,
        # Unresolved, most severe first, then newest (alerts.selectors.by_urgency): an
        # acknowledged alert keeps its place until it is resolved.
        "alerts": alerts,
        # "Pause the exercise plan…" is offered while a red flag is unresolved.
        "red_flag_open": any(entry.alert.kind == AlertKind.RED_FLAG for entry in alerts),
        "resolved_alerts": alert_entries(
            alerts_for(user=request.user)
            .filter(patient=patient, status=AlertStatus.RESOLVED)
            .order_by("-resolved_at")[:RESOLVED_SHOWN]
        ),
        "pain_chart": pain_chart(patient),
        "adherence_chart": adherence_chart(summary.active_plan),
        "guidance": plan_guidance(request.user, summary.active_plan),
    }
    return render(request, "clinic/patient.html", context)


RESOLVED_SHOWN = 5


def alert_entries(alerts) -> list[AlertContext]:
    """Alerts with what the physio needs to act (when the patient recorded it, the signs,
    the patient's note, the figures) and their history, in the order given. A fixed number
    of queries for any number of alerts."""
    if hasattr(alerts, "select_related"):
        alerts = alerts.select_related("acknowledged_by", "resolved_by").prefetch_related(
            "events__actor"
        )
    return alert_contexts(alerts)


def _alert_of(request: PhysioRequest, patient_id, alert_id) -> Alert:
    patient = linked_patient(request, patient_id, page="alert")
    alert = alerts_for(user=request.user).filter(patient=patient, pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


@require_POST
@physio_required
def alert_action(request: PhysioRequest, patient_id, alert_id, action: str) -> HttpResponse:
    """Acknowledge or resolve (with an optional note of what was done) an alert, in place
    with htmx. A refused transition (already acknowledged or resolved) is a 409 that says
    why; a note too long is a 400 with the form's error, nothing changed."""
    alert = _alert_of(request, patient_id, alert_id)
    error = ""
    status = 200
    form = AlertResolveForm(request.POST if action == "resolve" else None)
    try:
        if action == "acknowledge":
            alert = alert_acknowledge(alert=alert, by=request.user)
        elif form.is_valid():
            alert = alert_resolve(alert=alert, by=request.user, note=form.cleaned_data["note"])
        else:
            error, status = " ".join(str(e) for e in form.errors.get("note", [])), 400
    except Conflict as conflict:
        error, status = str(conflict.message), 409
    if not request.htmx:
        if status != 200:
            flash.error(request, error, extra_tags="alerts")
        return redirect(reverse("clinic:patient", args=[patient_id]) + f"#alert-{alert.pk}")
    [entry] = alert_entries(alerts_for(user=request.user).filter(pk=alert.pk))
    return render(
        request,
        "clinic/partials/alert.html",
        {
            "entry": entry,
            "patient_id": patient_id,
            "error": error,
            "note": request.POST.get("note", "") if status == 400 else "",
            "announce": status == 200,
        },
        status=status,
    )


# --- Ending the care-team link -----------------------------------------------------------------


@physio_required
def unlink(request: PhysioRequest, patient_id) -> HttpResponse:
    """Unlink the patient, after a confirmation: the accounts service ends the care-team
    link (as the API's DELETE care-team/{id}/ does) and the physio's access ends with it."""
    patient = linked_patient(request, patient_id, page="unlink")
    form = UnlinkForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            link = care_team_links_for(user=request.user).filter(patient=patient).first()
            if link is None:  # ended meanwhile (by the patient, or in another tab)
                raise Http404
            care_link_end(link=link, by=request.user)
            flash.success(
                request, _("%(name)s is no longer linked to you.") % {"name": patient.shown_name}
            )
            return redirect("clinic:caseload")
        status = 400
    unresolved = active_alerts_of(user=request.user, patient=patient).count()
    context = {
        **_patient_context(request, patient, "overview"),
        "form": form,
        "unresolved": unresolved,
    }
    return render(request, "clinic/unlink.html", context, status=status)


# --- The plan builder -------------------------------------------------------------------------


def _service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(
                field if field in form.fields else None,
                [e.message % (e.params or {}) for e in errors],
            )
    else:
        form.add_error(None, error.messages)


def _week_preview(patient, items: list[dict], reminder_times: list[str], start=None) -> list[dict]:
    """The patient's next seven days as the plan would make them (in the patient's zone)."""
    today = timezone.now().astimezone(patient.zone).date()
    first = max(today, start) if start else today
    week = []
    for offset in range(7):
        day = first + timedelta(days=offset)
        due = [item for item in items if day.weekday() in item.get("days_of_week", [])]
        week.append(
            {
                "date": day,
                "items": due,
                "sessions": sum(item.get("times_per_day") or 1 for item in due),
                "reminders": reminder_times if due else [],
            }
        )
    return week


def _items_for_preview(forms_) -> list[dict]:
    items = []
    for form in forms_:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("exercise") is not None:
            items.append(data)
    return items


def _template_initial(template) -> tuple[dict, list]:
    """A new plan's form filled from one of the physio's templates."""
    today = timezone.localdate()
    items = list(template.items.all())
    prefetch_related_objects([item.exercise for item in items], media_prefetch())
    return (
        {"title": template.title, "start_date": today, "end_date": today + timedelta(weeks=6)},
        [
            initial_item_form(
                item.exercise,
                f"items-{n}",
                **{name: getattr(item, name) for name in TEMPLATE_ITEM_FIELDS},
            )
            for n, item in enumerate(items)
        ],
    )


def _plan_initial(plan) -> tuple[dict, list]:
    if plan is None:
        today = timezone.localdate()
        return {"start_date": today, "end_date": today + timedelta(weeks=6)}, []
    current = [item for item in plan.items.all() if item.retired_at is None]
    prefetch_related_objects([item.exercise for item in current], media_prefetch())
    return (
        {
            "title": plan.title,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "reminder_times": ", ".join(plan.reminder_times),
        },
        [
            initial_item_form(
                item.exercise,
                f"items-{n}",
                sets=item.sets,
                reps=item.reps,
                hold_seconds=item.hold_seconds,
                times_per_day=item.times_per_day,
                days_of_week=item.days_of_week,
                max_pain=item.max_pain,
                notes=item.notes,
            )
            for n, item in enumerate(current)
        ],
    )


@physio_required
def plan(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="plan")
    active = active_plan_of(patient=patient)
    status = 200
    exercises = prescribable_exercises(physio=request.user, plan=active)
    templates = list(templates_for(physio=request.user))
    if request.method == "POST":
        form, items = PlanForm(request.POST), item_forms(request.POST, exercises)
        valid = form.is_valid() & all([item.is_valid() for item in items])
        if not items:
            form.add_error(None, _("Add at least one exercise."))
            valid = False
        if valid:
            fields = {**form.cleaned_data, "items": [item.item() for item in items]}
            try:
                if active is None:
                    plans.plan_create(physio=request.user, patient_id=patient.pk, **fields)
                else:
                    plans.plan_update(plan=active, by=request.user, **fields)
            except ValidationError as error:
                _service_errors(form, error)
            except Conflict as conflict:
                form.add_error(None, conflict.message)
            else:
                return redirect(reverse("clinic:plan", args=[patient.pk]) + "?saved=1")
        status = 400
    else:
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        initial, items = _template_initial(chosen) if chosen else _plan_initial(active)
        if chosen and active is not None:
            initial = {**_plan_initial(active)[0], "title": initial["title"]}
        form = PlanForm(initial=initial)
    preview_items = (
        _items_for_preview(items) if request.method == "POST" else [f.initial for f in items]
    )
    context = {
        **_patient_context(request, patient, "plan"),
        "form": form,
        "items": items,
        "active_plan": active,
        "saved": request.GET.get("saved") == "1",
        "week": _week_preview(patient, _preview_ready(preview_items, request.user), _times(form)),
        "exercises": _with_ownership(
            exercises_for(user=request.user).order_by("name")[:10], request.user
        ),
        "templates": templates,
        "template_form": TemplateSaveForm(),
    }
    return render(request, "clinic/plan.html", context, status=status)


def _with_ownership(exercises, physio) -> list:
    """Mark the physio's own exercises for the library list ("Your exercise")."""
    listed = list(exercises)
    for exercise in listed:
        exercise.is_own = exercise.owner_id == physio.pk
    return listed


def _times(form: PlanForm) -> list[str]:
    if form.is_bound:
        return form.cleaned_data.get("reminder_times", []) if hasattr(form, "cleaned_data") else []
    value = form.initial.get("reminder_times") or ""
    return [part.strip() for part in value.split(",") if part.strip()]


def _preview_ready(items: Sequence[Mapping[str, Any]], physio: User) -> list[dict]:
    """Items as the preview shows them: the exercise's name, days as numbers."""
    ready = []
    names: dict[str, str | None] = {}
    for item in items:
        exercise = item.get("exercise")
        if isinstance(exercise, str):
            names.setdefault(exercise, None)
    if names:
        names.update(
            dict(
                prescribable_exercises(physio=physio)
                .filter(slug__in=names)
                .values_list("slug", "name")
            )
        )
    for item in items:
        exercise = item.get("exercise")
        name = names.get(exercise) if isinstance(exercise, str) else getattr(exercise, "name", "")
        ready.append(
            {
                "name": name or "",
                "days_of_week": [int(day) for day in item.get("days_of_week") or []],
                "times_per_day": item.get("times_per_day") or 1,
                "sets": item.get("sets"),
                "reps": item.get("reps"),
                "hold_seconds": item.get("hold_seconds"),
            }
        )
    return ready


@require_POST
@physio_required
def plan_preview(request: PhysioRequest, patient_id) -> HttpResponse:
    """The week preview for the form as it stands (htmx, on every change)."""
    patient = linked_patient(request, patient_id, page="plan")
    form = PlanForm(request.POST)
    form.is_valid()
    start = form.cleaned_data.get("start_date")
    exercises = prescribable_exercises(physio=request.user, plan=active_plan_of(patient=patient))
    week = _week_preview(
        patient,
        _preview_ready(_items_for_preview(item_forms(request.POST, exercises)), request.user),
        _times(form),
        start,
    )
    return render(request, "clinic/partials/week_preview.html", {"week": week, "patient": patient})


@require_POST
@physio_required
def plan_archive(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="plan")
    active = active_plan_of(patient=patient)
    if active is not None:
        plans.plan_archive(plan=active, by=request.user)
    return redirect("clinic:plan", patient_id=patient.pk)


@require_GET
@physio_required
def exercise_search(request: PhysioRequest) -> HttpResponse:
    """The exercise library and the physio's own exercises, searched by name, target area
    or instructions (htmx)."""
    text = request.GET.get("q", "").strip()[:100]
    exercises = exercises_for(user=request.user).order_by("name")
    if text:
        exercises = exercises.filter(
            search_filter(("name", "summary", "instructions", "target_area"), text)
        )
    return render(
        request,
        "clinic/partials/exercise_results.html",
        {"exercises": _with_ownership(exercises[:20], request.user), "q": text},
    )


@require_GET
@physio_required
def plan_item(request: PhysioRequest) -> HttpResponse:
    """A new item row for the plan builder, filled with the exercise's defaults (htmx)."""
    exercise = or_404(
        prescribable_exercises(physio=request.user)
        .prefetch_related(media_prefetch())
        .filter(slug=request.GET.get("exercise", ""))
        .first()
    )
    form = initial_item_form(exercise, f"items-n{secrets.token_hex(4)}")
    return render(request, "clinic/partials/plan_item.html", {"item": form, "exercise": exercise})


# --- Invites ---------------------------------------------------------------------------------


@physio_required
def invites(request: PhysioRequest) -> HttpResponse:
    """Make an invite, optionally e-mailed to the patient with a link into the app."""
    issued = None
    form = InviteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        email = (form.cleaned_data.get("email") or "") if valid else ""
        if not valid:
            status = 400
        elif email and not invite_email_allowed(request, request.user):
            form.add_error(
                "email",
                _(
                    "You have e-mailed many invites in the last hour: try again later, or make "
                    "this invite without an address and give the patient the code."
                ),
            )
            status = 429
        else:
            issued = care_invite_create(physio=request.user, email=email)
            form = InviteForm()
            status = 201
    context = {
        "issued": issued,
        "form": form,
        "link": INVITE_LINK.format(code=issued.code) if issued else "",
        "qr": qr_svg(
            INVITE_LINK.format(code=issued.code),
            label=_("QR code of the invite %(code)s") % {"code": issued.code},
            scale=6,
        )
        if issued
        else "",
        "invites": selectors.invites_of(physio=request.user),
        "now": timezone.now(),
        "nav": "invites",
    }
    return render(request, "clinic/invites.html", context, status=status)


# --- Messages ---------------------------------------------------------------------------------

THREAD_PAGE = 50


def _thread_of(request: PhysioRequest, patient_id, *, page: str):
    patient = linked_patient(request, patient_id, page=page)
    link = messaging.threads_for(user=request.user).filter(patient=patient).first()
    if link is None:
        raise Http404
    return patient, link


@physio_required
def messages(request: PhysioRequest, patient_id) -> HttpResponse:
    """The thread with the patient, newest last, and a reply box."""
    patient, link = _thread_of(request, patient_id, page="messages")
    form = MessageForm(request.POST or None, initial={"client_id": uuid.uuid4()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                messaging_services.message_send(link=link, sender=request.user, **form.cleaned_data)
            except ValidationError as error:
                _service_errors(form, error)
            except Conflict as conflict:
                form.add_error(None, conflict.message)
            else:
                return redirect(reverse("clinic:messages", args=[patient.pk]) + "#latest")
        status = 400
    thread = list(messaging.messages_of(link=link).select_related("sender")[:THREAD_PAGE])[::-1]
    context = {
        **_patient_context(request, patient, "messages"),
        "form": form,
        "thread": thread,
        "unread": messaging.unread_count(link=link, user=request.user),
    }
    return render(request, "clinic/messages.html", context, status=status)


@require_POST
@physio_required
def messages_read(request: PhysioRequest, patient_id) -> HttpResponse:
    """Mark the patient's messages up to the one shown last as read (sent by the page once
    it is displayed, or by the button)."""
    patient, link = _thread_of(request, patient_id, page="messages")
    try:
        messaging_services.messages_mark_read(
            link=link, reader=request.user, up_to=request.POST.get("up_to", "")
        )
    except (ValidationError, ValueError):
        return HttpResponse(_("Not a message of this conversation."), status=400)
    if request.htmx:
        # The answer replaces the button, and out of band clears the "New" badges of the
        # messages now read and the Messages tab's count (what is still unread stays).
        shown = messaging.messages_of(link=link).filter(messaging.addressed_to(request.user))
        read = shown.filter(read_at__isnull=False).values_list("pk", flat=True)[:THREAD_PAGE]
        return render(
            request,
            "clinic/partials/messages_read.html",
            {"read": list(read), "unread_messages": _unread_from(request.user, patient)},
        )
    return redirect("clinic:messages", patient_id=patient.pk)


# --- Outcome measures -------------------------------------------------------------------------

RESPONDER_WORDS = {
    "improved": gettext_lazy("Improved by at least the MCID"),
    "no_change": gettext_lazy("Within the MCID of the baseline"),
    "worsened": gettext_lazy("Worse by at least the MCID"),
}


def outcome_charts(patient) -> list[dict]:
    """Per questionnaire answered: the scores over time, the band of the baseline ± the
    instrument's minimal clinically important difference (MCID), and the summary."""
    entries = outcomes.outcomes_by_instrument(patient=patient, with_series=True)
    versions = {
        (version.instrument_id, version.version): version
        for version in InstrumentVersion.objects.filter(
            instrument_id__in=[entry["instrument"] for entry in entries]
        )
    }
    result = []
    for entry in entries:
        version = versions[(entry["instrument"], entry["version"])]
        low, high = float(version.score_min), float(version.score_max)
        y_label = (
            _("Score (%(low)s–%(high)s, higher is better)")
            if entry["higher_is_better"]
            else _("Score (%(low)s–%(high)s, lower is better)")
        ) % {"low": portal_format.short_number(low), "high": portal_format.short_number(high)}
        band = (entry["baseline"] - entry["mcid"], entry["baseline"] + entry["mcid"])
        chart = charts.score_chart(
            [
                charts.ScorePoint(timezone.localtime(point["completed_at"]).date(), point["score"])
                for point in entry["series"]
            ],
            chart_id=f"outcome-{entry['instrument']}",
            title=entry["title"],
            y_label=y_label,
            y_range=(low, high),
            band=band,
            band_label=_("Baseline ± MCID (%(mcid)s)")
            % {"mcid": portal_format.short_number(entry["mcid"])},
        )
        result.append(
            {**entry, "chart": chart, "responder_word": RESPONDER_WORDS.get(entry["responder"], "")}
        )
    return result


def _named_schedules(schedules) -> list[dict]:
    """Schedules with the name the physio reads ("Lower Extremity Functional Scale (LEFS)
    every 14 days"), never the instrument's code."""
    schedules = list(schedules)
    names = outcomes.instrument_names({schedule.instrument_id for schedule in schedules})
    return [
        {
            "schedule": schedule,
            "instrument": names.get(schedule.instrument_id, schedule.instrument_id),
            "name": schedule_display_name(schedule, names),
        }
        for schedule in schedules
    ]


@physio_required
def outcome_measures(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="outcomes")
    instruments = [
        (version.instrument_id, version.title) for version in outcomes.enabled_versions()
    ]
    form = OutcomeScheduleForm(
        request.POST or None,
        instruments=instruments,
        initial={"starts_on": timezone.now().astimezone(patient.zone).date()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome_services.outcome_schedule_create(
                    physio=request.user, patient=patient, **form.cleaned_data
                )
            except ValidationError as error:
                _service_errors(form, error)
            except Conflict as conflict:
                form.add_error(None, conflict.message)
            else:
                return redirect("clinic:outcomes", patient_id=patient.pk)
        status = 400
    context = {
        **_patient_context(request, patient, "outcomes"),
        "form": form,
        "outcomes": outcome_charts(patient),
        "schedules": _named_schedules(
            outcomes.schedules_for(user=request.user, patient=patient).filter(ended_at__isnull=True)
        ),
    }
    return render(request, "clinic/outcomes.html", context, status=status)


@require_POST
@physio_required
def outcome_schedule_end(request: PhysioRequest, patient_id, schedule_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="outcomes")
    schedule = (
        outcomes.schedules_for(user=request.user, patient=patient)
        .filter(pk=schedule_id, ended_at__isnull=True)
        .first()
    )
    if schedule is None:
        raise Http404
    outcome_services.outcome_schedule_end(schedule=schedule, by=request.user)
    return redirect("clinic:outcomes", patient_id=patient.pk)
