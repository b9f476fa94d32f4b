"""Small formatting helpers for the clinic portal's templates."""

import html
from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from apps.content.vocabulary import RedFlagCode
from apps.interop.charts import chart_svg
from apps.symptoms.vocabulary import Level

register = template.Library()

LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.SOON: "Soon",
    Level.SELF_CARE: "For information",
}
SORT_LABELS = {
    "urgency": "the most urgent alert",
    "email": "email",
    "-open_alerts": "alerts not yet acknowledged, most first",
    "-latest_pain": "latest pain, highest first",
    "-pain_change_7d": "pain change, largest rise first",
    "adherence_7d": "adherence, lowest first",
    "-last_log_at": "last log, newest first",
}


@register.filter
def level_word(level) -> str:
    return LEVEL_WORDS.get(level, str(level))


@register.filter
def sort_label(ordering: str) -> str:
    return SORT_LABELS.get(ordering, ordering)


@register.filter
def signed(value) -> str:
    if value is None:
        return "–"
    value = round(value, 1)
    return f"+{value:g}" if value > 0 else f"{value:g}".replace("-", "−")


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


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
HIDDEN_FIELD_ERROR = "This exercise is no longer available."


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


_NONE = '<span class="muted">None</span>'
_NOTHING = '<span class="muted">Nothing</span>'

# The caseload's columns: (header, the ordering its link sorts by, or None). Five columns, so
# the table fits a 1280-pixel screen with room for long addresses; the other orderings are
# in the "Sort by" list above it.
CASELOAD_COLUMNS = (
    ("Patient", "email"),
    ("Most urgent alert", "urgency"),
    ("Pain now (change over 7 days)", "-latest_pain"),
    ("Exercise sessions done, 7 days", "adherence_7d"),
    ("Waiting for you", None),
)


@register.simple_tag
def caseload_head(query: dict) -> SafeString:
    cells = [
        sort_header(label, ordering, query)
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
                label[:1].upper() + label[1:],
            )
            for key, label in SORT_LABELS.items()
        )
    )


def _plural(count: str, one: str, many: str) -> str:
    return f"{count} {one if count == '1' else many}"


def _row_html(row) -> str:
    e = html.escape  # every value from the database goes through it
    if row.level:
        alert = f'<span class="badge level-{e(row.level)}">{e(row.level_word)}</span>'
        if row.acknowledged:
            alert += ' <span class="acknowledged">acknowledged</span>'
        alert += f'<span class="sub">{_plural(e(row.alerts), "alert", "alerts")} to resolve</span>'
    else:
        alert = _NONE
    last = (
        f'Last log <time datetime="{e(row.last_log_iso)}">{e(row.last_log)}</time>'
        if row.last_log
        else "No log yet"
    )
    waiting = []
    if row.unread != "0":
        waiting.append(
            f'<a href="{e(row.url)}messages/">{_plural(e(row.unread), "unread message", "unread messages")}'
            f'<span class="visually-hidden"> from {e(row.email)}</span></a>'
        )
    if row.reduce != "0":
        waiting.append(
            f'<a href="{e(row.url)}#guidance-heading">'
            f"{_plural(e(row.reduce), 'exercise', 'exercises')} to reduce"
            f'<span class="visually-hidden"> for {e(row.email)}</span></a>'
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
        f'<td class="waiting">{"<br>".join(waiting) or _NOTHING}</td></tr>\n'
    )


@register.simple_tag
def caseload_rows(rows) -> SafeString:
    """The caseload's rows as HTML, every value escaped: for 500 patients a small part of
    the time the template language takes cell by cell (bench/portal.py)."""
    return mark_safe("".join(_row_html(row) for row in rows))  # noqa: S308 - escaped above
