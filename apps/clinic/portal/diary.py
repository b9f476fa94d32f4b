"""The symptom diary tab: every log of the patient, newest first, each with its pain, where,
what it felt like, what brought it on, the signs it reported, the triage it got and the
patient's own note; paginated, filtered by triage level. Reads through symptoms' selectors
for a linked patient (404 otherwise), audited as portal.diary."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.alerts.models import Alert
from apps.content.selectors import red_flag_texts_reviewed
from apps.content.vocabulary import RedFlagCode, Region, Side
from apps.symptoms.models import SymptomLog
from apps.symptoms.selectors import signs_of, symptom_diary_for
from apps.symptoms.vocabulary import Quality, Trigger

from .access import PhysioRequest, linked_patient, physio_required
from .forms import DIARY_LEVELS, DiaryQueryForm
from .views import _patient_context

DIARY_PAGE = 20
LEVEL_WORDS = dict(DIARY_LEVELS)


def _labels(choices, codes) -> list[str]:
    known = dict(choices.choices)
    return [known.get(code, str(code).replace("_", " ")) for code in codes]


@dataclass(frozen=True)
class DiaryEntry:
    """One log as the diary shows it: words, not codes."""

    log: SymptomLog
    at: datetime  # in the patient's zone
    level_word: str
    red_flags: list[str]
    places: list[str]
    side: str
    qualities: list[str]
    triggers: list[str]
    signs: list[str]
    alerts: list[Alert]


def _red_flag_titles(codes, reviewed: dict[str, tuple[str, str]]) -> list[str]:
    """Each red flag's title in the page's language only where an editor reviewed that
    translation (content.selectors.red_flag_texts_reviewed, as the app's log answer does);
    otherwise the English name from the vocabulary. Safety text is never machine-made."""
    english = _labels(RedFlagCode, codes)
    return [
        reviewed[code][0] if code in reviewed else name
        for code, name in zip(codes, english, strict=True)
    ]


def diary_entries(logs: list[SymptomLog], zone) -> list[DiaryEntry]:
    reviewed = red_flag_texts_reviewed(translation.get_language() or "en")
    return [
        DiaryEntry(
            log=log,
            at=log.recorded_at.astimezone(zone),
            level_word=str(LEVEL_WORDS.get(log.triage_level, log.triage_level)),
            red_flags=_red_flag_titles(log.triage_codes, reviewed),
            places=_labels(Region, log.locations),
            side=Side(log.side).label if log.side in Side.values else "",
            qualities=_labels(Quality, log.qualities),
            triggers=_labels(Trigger, log.triggers),
            signs=signs_of(log),
            alerts=list(log.alerts.all()),
        )
        for log in logs
    ]


def _page_of(logs, log_id) -> int | None:
    """The page that holds the log (newest first, as the diary orders), or None when it is
    not among these logs (another patient's, or filtered out)."""
    log = logs.filter(pk=log_id).values("recorded_at", "id").first()
    if log is None:
        return None
    newer = logs.filter(
        Q(recorded_at__gt=log["recorded_at"]) | Q(recorded_at=log["recorded_at"], id__gt=log["id"])
    ).count()
    return newer // DIARY_PAGE + 1


def _page_url(query: dict, number: int) -> str:
    params = [("level", level) for level in query["levels"]] + [("page", number)]
    return f"?{urlencode(params)}"


@require_GET
@physio_required
def diary(request: PhysioRequest, patient_id) -> HttpResponse:
    patient = linked_patient(request, patient_id, page="diary")
    form = DiaryQueryForm(request.GET)
    query = form.query()
    logs = symptom_diary_for(patient=patient, levels=query["levels"] or None)
    number = query["page"]
    if query["log"] is not None:
        number = _page_of(logs, query["log"]) or number
    page: Page = Paginator(logs.prefetch_related("alerts"), DIARY_PAGE).get_page(number)
    ignored = list(query["ignored"])
    if number > page.number:
        ignored.append(
            _("There is no page %(number)s: showing the last page.") % {"number": number}
        )
    level_words = [label for value, label in DIARY_LEVELS if value in query["levels"]]
    context = {
        **_patient_context(request, patient, "diary"),
        "form": form,
        "query": query,
        "page": page,
        "entries": diary_entries(list(page.object_list), patient.zone),
        "newer_url": _page_url(query, page.previous_page_number()) if page.has_previous() else "",
        "older_url": _page_url(query, page.next_page_number()) if page.has_next() else "",
        "level_choices": DIARY_LEVELS,
        "level_words": level_words,
        # "urgent or soon" in the page's language
        "level_words_joined": get_text_list([str(word) for word in level_words], _("or")),
        "ignored": ignored,
    }
    template = "clinic/partials/diary_list.html" if request.htmx else "clinic/diary.html"
    return render(request, template, context)
