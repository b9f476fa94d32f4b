"""Small formatting helpers for the clinic portal's templates."""

import html
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from apps.content.vocabulary import RedFlagCode
from apps.interop.charts import chart_svg
from apps.symptoms.vocabulary import Level

register = template.Library()

LEVEL_WORDS = {
    Level.EMERGENCY: gettext_lazy("Emergency"),
    Level.URGENT: gettext_lazy("Urgent"),
    Level.SOON: gettext_lazy("Soon"),
    Level.SELF_CARE: gettext_lazy("For information"),
}
SORT_LABELS = {
    "urgency": gettext_lazy("the most urgent alert"),
    "email": gettext_lazy("email"),
    "-open_alerts": gettext_lazy("alerts not yet acknowledged, most first"),
    "-latest_pain": gettext_lazy("latest pain, highest first"),
    "-pain_change_7d": gettext_lazy("pain change, largest rise first"),
    "adherence_7d": gettext_lazy("adherence, lowest first"),
    "-last_log_at": gettext_lazy("last log, newest first"),
}


@register.filter
def level_word(level) -> str:
    return str(LEVEL_WORDS.get(level, level))


@register.filter
def sort_label(ordering: str) -> str:
    return str(SORT_LABELS.get(ordering, ordering))


@register.filter
def signed(value) -> str:
    if value is None:
        return "–"
    value = round(value, 1)
    shown = short_number(abs(value))
    if value > 0:
        return f"+{shown}"
    return f"−{shown}" if value < 0 else shown


def short_number(value) -> str:
    """3.5 as "3.5" in English and "3,5" in Spanish; 3.0 as "3" (like `{:g}`)."""
    return number_format(f"{value:g}")


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{number_format(round(value * 100))} %"


@register.simple_tag
def sort_header(label: str, ordering: str, query: dict):
    """A column header that sorts the caseload by this column (a link, so it works with the
    keyboard and without JavaScript), marked with aria-sort when it is the current order."""
    current = query.get("ordering") == ordering
    params = {"sort": ordering}
    if query.get("search"):
        params["q"] = query["search"]
    if query.get("open_alerts_only"):
        params["alerts"] = "on"
    direction = "ascending" if ordering in ("email", "adherence_7d") else "descending"
    return format_html(
        '<th scope="col"{}><a href="?{}" hx-get="?{}" hx-target="#caseload" hx-push-url="true">{}</a></th>',
        format_html(' aria-sort="{}"', direction) if current else "",
        urlencode(params),
        urlencode(params),
        label,
    )


# The only hidden field that can be wrong is a plan item's exercise, which the library added.
HIDDEN_FIELD_ERROR = gettext_lazy("This exercise is no longer available.")


def _field_anchor(field) -> str:
    """Where a summary's link takes the keyboard: the field's input, or the first box of a
    group of checkboxes (whose label points nowhere)."""
    return field.id_for_label or f"{field.auto_id}_0"


def _form_errors(form, name: str = "") -> list[dict]:
    entries = []
    prefix = f"{name}: " if name else ""
    for error in form.non_field_errors():
        entries.append({"text": f"{prefix}{error}", "href": ""})
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:  # a plan item's exercise: nothing to type, nowhere to go
            entries.append({"text": f"{prefix}{HIDDEN_FIELD_ERROR}", "href": ""})
            continue
        entries.append(
            {
                "text": f"{prefix}{field.label}: {' '.join(field.errors)}",
                "href": f"#{_field_anchor(field)}",
            }
        )
    return entries


@register.inclusion_tag("clinic/partials/error_summary.html")
def error_summary(form, items=()) -> dict:
    """Every error of a submitted form (and of its plan items), each a link to its field.
    The portal's script moves focus to it when the page loads, so a keyboard or screen
    reader user lands on what went wrong, then on the field from its link."""
    entries = _form_errors(form) if form is not None and form.is_bound else []
    for item in items or ():
        if item.is_bound:
            entries += _form_errors(item, getattr(item, "exercise_name", ""))
    return {"entries": entries}


# An alert raised this long after the patient recorded what raised it came from a log synced
# later (the phone was offline): the alert says so.
SYNCED_LATE = timedelta(minutes=5)


@register.filter
def synced_after(raised, recorded) -> str:
    """ "3 hours" when the alert was raised that long after the patient recorded it, else
    "" (raised at once)."""
    if raised is None or recorded is None or raised - recorded < SYNCED_LATE:
        return ""
    return timesince(recorded, raised, depth=1)


@register.filter
def humanize_code(code: str) -> str:
    """A red-flag code by its name in the vocabulary (possible_dvt → "Possible DVT (blood
    clot)"), or the code made readable."""

    if code in RedFlagCode.values:
        return RedFlagCode(code).label
    return str(code).replace("_", " ").capitalize()


@register.filter(name="chart_svg")
def chart_svg_filter(chart):

    return mark_safe(chart_svg(chart))  # noqa: S308 - built from our own drawing, text escaped by ElementTree


@register.simple_tag
def idle_minutes() -> int:

    return settings.SESSION_IDLE_MINUTES


# The caseload's columns: (header, the ordering its link sorts by, or None). Five columns, so
# the table fits a 1280-pixel screen with room for long addresses; the other orderings are
# in the "Sort by" list above it.
CASELOAD_COLUMNS = (
    (gettext_lazy("Patient"), "email"),
    (gettext_lazy("Most urgent alert"), "urgency"),
    (gettext_lazy("Pain now (change over 7 days)"), "-latest_pain"),
    (gettext_lazy("Exercise sessions done, 7 days"), "adherence_7d"),
    (gettext_lazy("Waiting for you"), None),
)


@register.simple_tag
def caseload_head(query: dict) -> SafeString:
    cells = [
        sort_header(str(label), ordering, query)
        if ordering
        else format_html('<th scope="col">{}</th>', label)
        for label, ordering in CASELOAD_COLUMNS
    ]
    return mark_safe(f"<thead><tr>{''.join(cells)}</tr></thead>")  # noqa: S308 - format_html above


@register.simple_tag
def sort_options(query: dict) -> SafeString:
    """The caseload's orderings as <option>s, the current one selected."""
    return mark_safe(  # noqa: S308 - fixed keys and labels, escaped by format_html
        "".join(
            format_html(
                '<option value="{}"{}>{}</option>',
                key,
                " selected" if key == query.get("ordering") else "",
                capfirst(label),
            )
            for key, label in SORT_LABELS.items()
        )
    )


@dataclass(frozen=True)
class RowWords:
    """The caseload's fixed words in the active language, translated once per table rather
    than once per row (a caseload of 500 renders in a fraction of a second, bench/portal.py)."""

    acknowledged: str
    none: str
    nothing: str
    no_log: str
    last_log: str  # "Last log {time}"
    from_name: str  # "from {name}", unescaped
    for_name: str  # "for {name}", unescaped

    @classmethod
    def now(cls) -> "RowWords":
        e = html.escape
        muted = '<span class="muted">{}</span>'
        return cls(
            acknowledged=e(_("acknowledged")),
            none=muted.format(e(pgettext("alert", "None"))),
            nothing=muted.format(e(_("Nothing"))),
            no_log=e(_("No log yet")),
            last_log=e(_("Last log %(time)s")),
            from_name=_("from %(name)s"),
            for_name=_("for %(name)s"),
        )


def _row_html(row, words: RowWords) -> str:
    e = html.escape  # every value from the database goes through it
    if row.level:
        alert = f'<span class="badge level-{e(row.level)}">{e(row.level_word)}</span>'
        if row.acknowledged:
            alert += f' <span class="acknowledged">{words.acknowledged}</span>'
        count = int(row.alerts)
        to_resolve = ngettext("%(count)s alert to resolve", "%(count)s alerts to resolve", count)
        alert += f'<span class="sub">{e(to_resolve % {"count": count})}</span>'
    else:
        alert = words.none
    last = (
        words.last_log
        % {"time": f'<time datetime="{e(row.last_log_iso)}">{e(row.last_log)}</time>'}
        if row.last_log
        else words.no_log
    )
    waiting = []
    if row.unread != "0":
        count = int(row.unread)
        unread = ngettext("%(count)s unread message", "%(count)s unread messages", count)
        waiting.append(
            f'<a href="{e(row.url)}messages/">{e(unread % {"count": count})}'
            f'<span class="visually-hidden"> {e(words.from_name % {"name": row.email})}</span></a>'
        )
    if row.reduce != "0":
        count = int(row.reduce)
        reduce = ngettext("%(count)s exercise to reduce", "%(count)s exercises to reduce", count)
        waiting.append(
            f'<a href="{e(row.url)}#guidance-heading">{e(reduce % {"count": count})}'
            f'<span class="visually-hidden"> {e(words.for_name % {"name": row.email})}</span></a>'
        )
    change = (
        f' <span class="sub">({e(row.pain_change_7d)})</span>'
        if row.latest_pain != "–" and row.pain_change_7d != "–"
        else ""
    )
    return (
        f'<tr class="{"level-" + e(row.level) if row.level else ""}"><th scope="row">'
        f'<a class="patient" href="{e(row.url)}">{e(row.email)}</a>'
        f'<span class="sub">{last}</span></th><td>{alert}</td>'
        f'<td class="num">{e(row.latest_pain)}{change}</td><td class="num">{e(row.adherence_7d)}</td>'
        f'<td class="waiting">{"<br>".join(waiting) or words.nothing}</td></tr>\n'
    )


@register.simple_tag
def caseload_rows(rows) -> SafeString:
    """The caseload's rows as HTML, every value escaped: for 500 patients a small part of
    the time the template language takes cell by cell (bench/portal.py)."""
    words = RowWords.now()
    return mark_safe("".join(_row_html(row, words) for row in rows))  # noqa: S308 - escaped above
