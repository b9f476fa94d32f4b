"""Small formatting helpers for the clinic portal's templates."""

import html
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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
    "urgency": "the most urgent open alert",
    "email": "email",
    "-open_alerts": "open alerts, most first",
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
_NEVER = '<span class="muted">Never</span>'


def _row_html(row) -> str:
    e = html.escape  # every value from the database goes through it
    level = (
        f'<span class="badge level-{e(row.level)}">{e(row.level_word)}</span>'
        if row.level
        else _NONE
    )
    last = (
        f'<time datetime="{e(row.last_log_iso)}">{e(row.last_log)}</time>'
        if row.last_log
        else _NEVER
    )
    unread = (
        f'<a href="{e(row.url)}messages/">{e(row.unread)}<span class="visually-hidden"> unread '
        f"from {e(row.email)}</span></a>"
        if row.unread != "0"
        else "0"
    )
    return (
        f'<tr class="{"level-" + e(row.level) if row.level else ""}"><th scope="row">'
        f'<a href="{e(row.url)}">{e(row.email)}</a></th><td>{level}</td>'
        f'<td class="num">{e(row.open_alerts)}</td><td class="num">{e(row.latest_pain)}</td>'
        f'<td class="num">{e(row.pain_change_7d)}</td><td class="num">{e(row.adherence_7d)}</td>'
        f'<td>{last}</td><td class="num">{unread}</td><td class="num">{e(row.reduce)}</td></tr>\n'
    )


@register.simple_tag
def caseload_rows(rows) -> SafeString:
    """The caseload's rows as HTML, every value escaped: for 500 patients a small part of
    the time the template language takes cell by cell (bench/portal.py)."""
    return mark_safe("".join(_row_html(row) for row in rows))  # noqa: S308 - escaped above
