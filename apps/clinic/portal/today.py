"""The caseload's "Today" list: what waits for the physio across all their patients, in
the order to take it: unresolved alerts (most urgent first), unread messages,
questionnaires overdue, and the exercises whose load guidance suggests reducing. Each entry links to where it is dealt
with. A fixed number of queries for any caseload."""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.selectors import linked_patients_of
from apps.alerts.selectors import unresolved_alerts_for
from apps.clinic.templatetags.clinic_portal import level_word
from apps.guidance.selectors import reduce_counts
from apps.messaging.selectors import with_unread_count
from apps.outcomes.selectors import instrument_names, overdue_for

SHOWN = 8  # entries per group; the rest are counted ("and 3 more")


@dataclass(frozen=True)
class TodayEntry:
    email: str  # as the care team sees the patient: the display name, else the e-mail
    url: str
    text: str
    level: str = ""
    level_word: str = ""
    acknowledged: bool = False
    spoken: str = ""  # what a screen reader hears after the name, when not `text` itself

    @property
    def said(self) -> str:
        """The link's hidden words: `text` as shown, so names keep their published case
        ("LEFS due 4 Dec"), unless the entry words it for reading after a colon."""
        return self.spoken or self.text


@dataclass(frozen=True)
class TodayGroup:
    key: str
    title: str
    none: str  # what the group says when empty
    entries: list[TodayEntry] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


def _patient_url(pk) -> str:
    return reverse("clinic:patient", args=[pk])


def alerts_group(physio: User) -> TodayGroup:
    alerts = unresolved_alerts_for(physio=physio)
    total = alerts.count()
    entries = [
        TodayEntry(
            email=alert.patient.shown_name,
            url=f"{_patient_url(alert.patient_id)}#alert-{quote(str(alert.pk))}",
            text=alert.get_kind_display(),
            spoken=alert.get_kind_display().lower(),  # "Ana: red flag"; a kind, not a name
            level=alert.level,
            level_word=level_word(alert.level),
            acknowledged=alert.status == "acknowledged",
        )
        for alert in alerts[:SHOWN]
    ]
    return TodayGroup("alerts", _("Alerts to resolve"), _("No alert waits."), entries, total)


def unread_group(physio: User) -> TodayGroup:
    rows = list(
        with_unread_count(linked_patients_of(physio=physio), physio=physio)
        .filter(unread_count__gt=0)
        .order_by("-unread_count", "email")
        .values("pk", "email", "display_name", "unread_count")
    )
    entries = [
        TodayEntry(
            email=row["display_name"] or row["email"],
            url=reverse("clinic:messages", args=[row["pk"]]),
            text=ngettext(
                "%(count)s unread message", "%(count)s unread messages", row["unread_count"]
            )
            % {"count": row["unread_count"]},
        )
        for row in rows[:SHOWN]
    ]
    return TodayGroup("messages", _("Unread messages"), _("All messages read."), entries, len(rows))


def overdue_group(physio: User) -> TodayGroup:
    """Questionnaires left unanswered for days (outcomes' overdue rule), named as the
    patient sees them, with the day they were due; each links to the outcomes tab."""
    overdue = overdue_for(physio=physio)
    names = instrument_names({item.schedule.instrument_id for item in overdue}, short=True)
    entries = [
        TodayEntry(
            email=item.schedule.patient.shown_name,
            url=reverse("clinic:outcomes", args=[item.schedule.patient_id]),
            text=ngettext(
                "%(name)s due %(day)s, %(count)s day overdue",
                "%(name)s due %(day)s, %(count)s days overdue",
                item.days_overdue,
            )
            % {
                "name": names[item.schedule.instrument_id],
                "day": date_format(item.due_since, "j M"),
                "count": item.days_overdue,
            },
        )
        for item in overdue[:SHOWN]
    ]
    return TodayGroup(
        "questionnaires",
        _("Questionnaires overdue"),
        _("No questionnaire overdue."),
        entries,
        len(overdue),
    )


def reduce_group(physio: User, counts: dict | None = None) -> TodayGroup:
    """Patients with exercises whose load guidance suggests `reduce` (advice: the physio
    decides). `counts` ({patient id: count}) when the caller has them for every patient."""
    patients = {
        pk: display_name or email
        for pk, email, display_name in linked_patients_of(physio=physio).values_list(
            "pk", "email", "display_name"
        )
    }
    if counts is None or not set(patients) <= set(counts):
        counts = reduce_counts(list(patients))
    waiting = sorted(
        ((patients[pk], pk, n) for pk, n in counts.items() if n and pk in patients),
        key=lambda row: (-row[2], row[0]),
    )
    entries = [
        TodayEntry(
            email=email,
            url=f"{_patient_url(pk)}#guidance-heading",
            text=ngettext("%(count)s exercise to reduce", "%(count)s exercises to reduce", n)
            % {"count": n},
        )
        for email, pk, n in waiting[:SHOWN]
    ]
    return TodayGroup(
        "reduce",
        _("Suggestions to reduce load"),
        _("No suggestion to reduce."),
        entries,
        len(waiting),
    )


def today_list(physio: User, *, reduce: dict | None = None) -> list[TodayGroup]:
    return [
        alerts_group(physio),
        unread_group(physio),
        overdue_group(physio),
        reduce_group(physio, reduce),
    ]
