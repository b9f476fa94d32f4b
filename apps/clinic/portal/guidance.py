"""Load guidance on the patient's overview: each item of the active plan with the model's
suggestion (apps.guidance.selectors.plan_load_guidance), its reasons in plain words and the
numbers it used, and "Apply" for progress and reduce, which calls the same service as the
API (apps.guidance.services.plan_item_guidance_apply). A suggestion is advice: nothing changes until
the physio applies it (docs/decisions/guidance-is-advice.md)."""

from typing import Any

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.clinic.templatetags.clinic_portal import short_number
from apps.guidance.selectors import plan_load_guidance
from apps.guidance.services import plan_item_guidance_apply
from apps.plans.selectors import active_plan_of
from backend.errors import Conflict, or_404

from .access import PhysioRequest, linked_patient, physio_required

SUGGESTION_WORDS = {
    "progress": gettext_lazy("Progress"),
    "hold": gettext_lazy("Hold"),
    "reduce": gettext_lazy("Reduce"),
    "insufficient_data": gettext_lazy("Insufficient data"),
}
SUGGESTION_EXPLAINED = {
    "progress": gettext_lazy("The load looks well tolerated: one step up is suggested."),
    "hold": gettext_lazy("Keep the current load for now."),
    "reduce": gettext_lazy("The load may be too much: one step down is suggested."),
    "insufficient_data": gettext_lazy(
        "Not enough sessions or morning pain logs to judge the load yet."
    ),
}
# docs/domain.md, "Pain-monitoring model": each reason code in plain words.
REASON_WORDS = {
    "pain_during_above_5": gettext_lazy("Pain during a session went above 5 out of 10."),
    "pain_during_above_max": gettext_lazy(
        "Pain during a session went above this exercise's pain limit."
    ),
    "next_morning_worse": gettext_lazy(
        "Pain the morning after a session was worse than the morning before."
    ),
    "weekly_pain_rise": gettext_lazy(
        "This week's average pain is 2 or more points above last week's."
    ),
    "too_few_sessions": gettext_lazy("Fewer than 3 sessions logged in the last 7 days."),
    "no_morning_logs": gettext_lazy("No session has a morning pain log both before and after it."),
    "load_tolerated": gettext_lazy(
        "Sessions done as prescribed, with little pain and no worse mornings."
    ),
    "few_sessions_as_prescribed": gettext_lazy(
        "Fewer than 4 sessions done with all the sets and reps."
    ),
    "pain_during_above_2": gettext_lazy("Pain during a session was 3 to 5 out of 10."),
    "difficulty_above_3": gettext_lazy("A session was rated hard (4 or 5 out of 5)."),
    "open_alert": gettext_lazy(
        "A red-flag or worsening alert is open: review it before progressing."
    ),
}


def dosage_words(dosage: dict[str, Any] | None) -> str:
    """3 sets × 10 reps, 2 sets, hold 30 s, ..."""
    if not dosage:
        return ""
    sets = dosage["sets"]
    parts = [ngettext("%(count)s set", "%(count)s sets", sets) % {"count": sets}]
    if dosage.get("reps"):
        parts[0] += " × " + _("%(reps)s reps") % {"reps": dosage["reps"]}
    if dosage.get("hold_seconds"):
        parts.append(_("hold %(seconds)s s") % {"seconds": dosage["hold_seconds"]})
    return ", ".join(parts)


def _number(value) -> str:
    return "–" if value is None else short_number(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The numbers the model used, labelled for a person."""
    return [
        (_("Sessions in the last 7 days"), str(evidence["sessions"])),
        (_("Done with all sets and reps"), str(evidence["sessions_as_prescribed"])),
        (
            _("Highest pain during (limit)"),
            f"{_number(evidence['max_pain_during'])} ({evidence['item_max_pain']})",
        ),
        (_("Hardest session (1–5)"), _number(evidence["max_difficulty"])),
        (
            _("Mornings after worse / compared"),
            f"{evidence['mornings_worse']} / {evidence['mornings_compared']}",
        ),
        (
            _("Average pain, this week (week before)"),
            f"{_number(evidence['weekly_mean_pain'])} "
            f"({_number(evidence['previous_weekly_mean_pain'])})",
        ),
        (
            _("Red-flag or worsening alert open"),
            _("yes") if evidence["open_blocking_alert"] else _("no"),
        ),
    ]


def guidance_entry(entry: dict[str, Any]) -> dict[str, Any]:
    suggestion = entry["suggestion"]
    return {
        **entry,
        "suggestion_word": SUGGESTION_WORDS.get(suggestion, suggestion),
        "explained": SUGGESTION_EXPLAINED.get(suggestion, ""),
        "reason_words": [REASON_WORDS.get(code, code) for code in entry["reasons"]],
        "evidence_rows": evidence_rows(entry["evidence"]),
        "current": dosage_words(entry["dosage"]),
        "next": dosage_words(entry["step"]),
        "applicable": suggestion in ("progress", "reduce") and entry["step"] is not None,
    }


def plan_guidance(physio, plan) -> list[dict[str, Any]]:
    """The active plan's items with their guidance, ready for the page."""
    if plan is None:
        return []
    return [
        guidance_entry(entry)
        for entry in or_404(plan_load_guidance(user=physio, plan_id=plan.pk))["items"]
    ]


def _item_entry(physio, plan, item_id) -> dict[str, Any]:
    for entry in plan_guidance(physio, plan):
        if entry["item"] == item_id:
            return entry
    raise Http404


@require_POST
@physio_required
def guidance_apply(request: PhysioRequest, patient_id, item_id) -> HttpResponse:
    """Take the suggested dosage step for one item of the patient's active plan. The page
    sends the suggestion and dosage version it showed, so a changed suggestion or a second
    click is refused (409) instead of stepping twice."""
    patient = linked_patient(request, patient_id, page="guidance")
    plan = active_plan_of(patient=patient)
    # An item not of the active plan is a 404 before the form is read (its items come
    # prefetched with the plan: no query; the service reads and locks the row itself).
    if plan is None or all(item.pk != item_id for item in plan.items.all()):
        raise Http404
    version = request.POST.get("dosage_version", "")
    expected = request.POST.get("expected_suggestion", "")
    error, applied_from, status = "", "", 200
    if not version.isdigit() or expected not in SUGGESTION_WORDS:
        error, status = _("This form is out of date: reload the page."), 400
    else:
        try:
            applied = plan_item_guidance_apply(
                physio=request.user,
                plan_id=plan.pk,
                item_id=item_id,
                expected_suggestion=expected,
                dosage_version=int(version),
            )
        except Conflict as conflict:
            error, status = str(conflict.message), 409
        else:
            applied_from = SUGGESTION_WORDS[applied.guidance.suggestion.value].lower()
    if not request.htmx:
        if error:
            flash.error(request, error, extra_tags="guidance")
        else:
            flash.success(
                request, _("Applied: %(step)s.") % {"step": applied_from}, extra_tags="guidance"
            )
        return redirect(reverse("clinic:patient", args=[patient.pk]) + "#guidance-heading")
    entry = _item_entry(request.user, plan, item_id)
    return render(
        request,
        "clinic/partials/guidance_item.html",
        {"entry": entry, "patient": patient, "error": error, "applied": applied_from},
        status=status,
    )
