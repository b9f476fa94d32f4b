"""Small formatting helpers for the clinic portal's templates."""

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

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
    from apps.content.vocabulary import RedFlagCode

    if code in RedFlagCode.values:
        return RedFlagCode(code).label
    return str(code).replace("_", " ").capitalize()


@register.filter(name="chart_svg")
def chart_svg_filter(chart):
    from django.utils.safestring import mark_safe

    from apps.interop.charts import chart_svg

    return mark_safe(chart_svg(chart))  # noqa: S308 - built from our own drawing, text escaped by ElementTree


@register.simple_tag
def idle_minutes() -> int:
    from django.conf import settings

    return settings.SESSION_IDLE_MINUTES
