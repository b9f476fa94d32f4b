"""What each kind of audited read is called on the clinic's Audit page: `what` is a code
("portal.diary", "symptom_logs.list") kept as written in the audit; an admin reads it as
words in their language. A code without words here (a read added later, or an old row)
is shown as it is stored."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AUDIT_WHAT: dict[str, Promise] = {
    # The portal's pages (apps/clinic/portal: "portal.<page>").
    "portal.caseload": _("Caseload (portal)"),
    "portal.patient": _("Patient overview (portal)"),
    "portal.alert": _("Alert (portal)"),
    "portal.diary": _("Symptom diary (portal)"),
    "portal.plan": _("Exercise plan (portal)"),
    "portal.plan-pause": _("Plan pause (portal)"),
    "portal.plan-handout": _("Exercise plan handout (portal)"),
    "portal.guidance": _("Load guidance (portal)"),
    "portal.messages": _("Messages (portal)"),
    "portal.outcomes": _("Outcome measures (portal)"),
    "portal.episode": _("Episode of care (portal)"),
    "portal.episode-report": _("Episode report (portal)"),
    "portal.unlink": _("Unlinking a patient (portal)"),
    # The API's reads.
    "patients.list": _("Patient list (API)"),
    "patients.summary": _("Patient summary (API)"),
    "alerts.list": _("Alerts (API)"),
    "symptom_logs.list": _("Symptom logs (API)"),
    "plans.list": _("Exercise plans (API)"),
    "plans.detail": _("Exercise plan (API)"),
    "plans.adherence": _("Exercise adherence (API)"),
    "plans.template": _("Plan copied into a template (API)"),
    "plans.handout": _("Exercise plan handout (API)"),
    "plans.load_guidance": _("Load guidance (API)"),
    "outcomes.schedules": _("Outcome measure schedules (API)"),
    "outcomes.series": _("Outcome measure scores (API)"),
    "messages.list": _("Messages (API)"),
    "episodes.list": _("Episodes of care (API)"),
    "episodes.detail": _("Episode of care (API)"),
    "episodes.report": _("Episode report (API)"),
    "fhir.bundle": _("FHIR export (API)"),
}


def audit_what(code: str) -> str:
    """The words for an audited read's code in the active language, else the code."""
    words = AUDIT_WHAT.get(code)
    return str(words) if words is not None else code
