"""The episode report (the dict of `apps.episode_lifecycle.report.episode_report_build`) as a PDF.

Pure: a plain dict in, PDF bytes out; no database, no request, no clock (the dates printed
are the report's own). The charts are those of `charts.py`, the same drawings the portal
inlines as SVG: the pain trend with its red-flag days, each instrument's scores with the
MCID band around the baseline, and weekly adherence. Every chart is followed by its
one-sentence description, and the numbers behind it are printed as tables, so the PDF
reads the same without the pictures (a screen reader, a fax, a text extraction).

What makes it accessible-ish, as far as open-source ReportLab goes (it writes no tagged
PDF): real text rather than images of text, document title/author/subject/language in the
metadata with the title shown in the viewer's title bar, an outline (bookmarks) of the
sections, colours of at least 4.5:1 on white, and page numbers "Page N of M".

A section without data says so in a sentence instead of drawing an empty chart.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload
from xml.sax.saxutils import escape

from django.utils import dateformat
from django.utils.translation import get_language, gettext_lazy, gettext_noop, ngettext
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from apps.outcomes.selectors import short_name

from . import charts, fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
LONGEST_PAIN_AXIS = 400  # days; a longer episode is charted from its first to last log

# Every fixed text is a gettext string, resolved in the language active while
# render_report_pdf runs: the reader's (the API and the portal activate it per request).
RESPONDER = {
    "improved": gettext_lazy("Improved"),
    "no_change": gettext_lazy("No change"),
    "worsened": gettext_lazy("Worsened"),
    None: gettext_lazy("Not enough data"),
}
GOAL_STATUS = {
    "met": gettext_lazy("Met"),
    "progressing": gettext_lazy("Progressing"),
    "off_track": gettext_lazy("Off track"),
    "not_met": gettext_lazy("Not met"),
}
ALERT_KIND = {
    "red_flag": gettext_lazy("Red flag"),
    "worsening": gettext_lazy("Worsening pain"),
    "missed_exercises": gettext_lazy("Missed exercises"),
}
EPISODE_STATUS = {"active": gettext_lazy("Active"), "discharged": gettext_lazy("Discharged")}


# --- Formatting -----------------------------------------------------------------------------


def number(value: float | int | None, *, signed: bool = False) -> str:
    """A number as the report prints it: at most two decimals, no trailing zeros, "–" for
    none. `signed` puts a "+" before a positive change."""
    if value is None:
        return "–"
    text = f"{round(float(value), 2):g}"
    if text == "-0":
        text = "0"
    return f"+{text}" if signed and float(value) > 0 else text


def percent(rate: float | None) -> str:
    """A rate of 0–1 (sessions done / prescribed) as a whole percentage."""
    return "–" if rate is None else f"{round(100 * float(rate))} %"


@overload
def _date(value: str | date) -> date: ...
@overload
def _date(value: None) -> None: ...
@overload
def _date(value: str | date | None) -> date | None: ...
def _date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _short(day: date) -> str:
    # Translators: a short date (Django's date format: day and abbreviated month).
    return dateformat.format(day, _("j M"))


def long_date(value: str | date | None) -> str:
    day = _date(value)
    # Translators: a long date (Django's date format: day, month's name, year).
    return "–" if day is None else dateformat.format(day, _("j F Y"))


def _datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    """User-written text, safe inside a Paragraph's markup."""
    return escape(str(value)) if value not in (None, "") else "–"


def _email(person: Mapping[str, Any] | None) -> str:
    """A person of the report by display name, else e-mail (reports frozen before display
    names existed have only the e-mail); a deleted account is null in the report."""
    person = person or {}
    return person.get("display_name") or person.get("email") or "–"


def _clinic_name(episode: Mapping[str, Any]) -> str:
    return (episode.get("clinic") or {}).get("name") or "–"


def _label(mapping: Mapping[Any, Any], value: Any) -> str:
    return str(mapping.get(value) or str(value).replace("_", " ").capitalize())


# --- Styles ---------------------------------------------------------------------------------

_BASE = getSampleStyleSheet()
INK = charts.INK
MUTED = colors.HexColor("#4b5563")  # 7.6:1 on white
STYLES = {
    "title": ParagraphStyle(
        "title",
        parent=_BASE["Title"],
        fontName=fonts.BOLD,
        fontSize=20,
        leading=24,
        alignment=TA_LEFT,
        textColor=INK,
        spaceAfter=2,
    ),
    "subtitle": ParagraphStyle(
        "subtitle",
        parent=_BASE["Normal"],
        fontName=fonts.REGULAR,
        fontSize=13,
        leading=17,
        textColor=INK,
        spaceAfter=8,
    ),
    "h2": ParagraphStyle(
        "h2",
        parent=_BASE["Heading2"],
        fontName=fonts.BOLD,
        fontSize=14,
        leading=18,
        textColor=INK,
        spaceBefore=12,
        spaceAfter=6,
    ),
    "h3": ParagraphStyle(
        "h3",
        parent=_BASE["Heading3"],
        fontName=fonts.BOLD,
        fontSize=11.5,
        leading=15,
        textColor=INK,
        spaceBefore=8,
        spaceAfter=4,
    ),
    "body": ParagraphStyle(
        "body",
        parent=_BASE["Normal"],
        fontName=fonts.REGULAR,
        fontSize=10,
        leading=13.5,
        textColor=INK,
        spaceAfter=4,
    ),
    "cell": ParagraphStyle(
        "cell",
        parent=_BASE["Normal"],
        fontName=fonts.REGULAR,
        fontSize=9.5,
        leading=12,
        textColor=INK,
    ),
    "caption": ParagraphStyle(
        "caption",
        parent=_BASE["Normal"],
        fontName=fonts.OBLIQUE,
        fontSize=9,
        leading=12,
        textColor=MUTED,
        spaceAfter=6,
    ),
    "disclaimer": ParagraphStyle(
        "disclaimer",
        parent=_BASE["Normal"],
        fontName=fonts.REGULAR,
        fontSize=9.5,
        leading=13,
        textColor=INK,
        borderColor=MUTED,
        borderWidth=0.75,
        borderPadding=6,
        backColor=colors.HexColor("#f3f4f6"),
        spaceBefore=14,
    ),
}
OUTLINE_LEVEL = {"title": 0, "h2": 1, "h3": 2}


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header: bool = True):
    """A table whose cells are wrapped paragraphs; the first row is the header, repeated on
    a new page."""
    body = [
        [
            cell if isinstance(cell, Flowable) else Paragraph(_cell(cell), STYLES["cell"])
            for cell in row
        ]
        for row in rows
    ]
    table = Table(body, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, charts.GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
        ]
    table.setStyle(TableStyle(style))
    table.spaceAfter = 6
    return table


def _cell(value: Any) -> str:
    if isinstance(value, tuple):  # (markup,) already escaped, e.g. bold labels
        return value[0]
    return _text(value)


def _bold(text: str) -> tuple[str]:
    return (f"<b>{escape(text)}</b>",)


def _fitted(chart: charts.Chart, width: float = FRAME_WIDTH) -> Drawing:
    """The chart's drawing scaled to the page's text width (charts are drawn 640 wide)."""
    source = chart.drawing
    scale = min(1.0, width / source.width)
    group = Group(*source.contents)
    group.scale(scale, scale)
    fitted = Drawing(source.width * scale, source.height * scale)
    fitted.add(group)
    return fitted


def _figure(chart: charts.Chart) -> KeepTogether:
    """A chart kept on one page with its caption (its description, for those who cannot
    see it)."""
    return KeepTogether([_fitted(chart), Paragraph(escape(chart.description), STYLES["caption"])])


# --- Sections -------------------------------------------------------------------------------


def _kind(report: Mapping[str, Any]) -> str:
    return _("Discharge report") if report.get("final") else _("Progress report")


def _heading(text: str, level: str = "h2") -> Paragraph:
    paragraph = Paragraph(escape(text), STYLES[level])
    paragraph.outline_text = text  # read by ReportDocument.afterFlowable
    return paragraph


def _header(report: Mapping[str, Any]) -> list[Flowable]:
    episode = report["episode"]
    final = bool(report.get("final"))
    kind = _kind(report)
    condition = episode.get("condition")
    generated = _datetime(report["generated_at"]).astimezone(UTC)
    rows = [
        (_bold(_("Condition")), condition["name"] if condition else _("Not recorded")),
        (_bold(_("Started")), long_date(episode.get("started_on"))),
        (
            _bold(_("Ended")),
            long_date(episode.get("ended_on")) if episode.get("ended_on") else _("Ongoing"),
        ),
        (_bold(_("Status")), _label(EPISODE_STATUS, episode.get("status"))),
        (_bold(_("Patient")), _email(episode.get("patient"))),
        (_bold(_("Physiotherapist")), _email(episode.get("physio"))),
        (_bold(_("Clinic")), _clinic_name(episode)),
        (_bold(_("Generated")), f"{generated:%Y-%m-%d %H:%M} UTC"),
        (_bold(_("Episode")), str(episode["id"])),
    ]
    story: list[Flowable] = [
        _heading(kind, "title"),
        Paragraph(_text(episode.get("title")), STYLES["subtitle"]),
        _table(rows, [40 * mm, FRAME_WIDTH - 40 * mm], header=False),
    ]
    if not final:
        story.append(
            Paragraph(
                escape(
                    _(
                        "This report is not final: the episode is still running, and its "
                        "figures will change."
                    )
                ),
                STYLES["body"],
            )
        )
    return story


def _pain_days(report: Mapping[str, Any]) -> list[charts.PainDay]:
    """Every day of the episode (a day without logs leaves a gap in the line), from its
    start to its end, or to the report's date while it runs."""
    series = sorted(report["pain"].get("series") or [], key=lambda point: point["date"])
    if not series:
        return []
    by_day = {_date(point["date"]): point for point in series}
    episode = report["episode"]
    first, last = min(by_day), max(by_day)
    start = min(filter(None, [_date(episode.get("started_on")), first]))
    end_of_episode = _date(episode.get("ended_on")) or _datetime(report["generated_at"]).date()
    end = max(end_of_episode, last)
    if (end - start).days > LONGEST_PAIN_AXIS:
        start, end = first, last
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        point = by_day.get(day)
        days.append(
            charts.PainDay(
                day=day,
                mean_pain=None if point is None else float(point["mean"]),
                max_pain=None,
                logs=0 if point is None else 1,
                red_flag=bool(point and point.get("red_flag")),
            )
        )
    return days


def _pain(report: Mapping[str, Any]) -> list[Flowable]:
    pain = report["pain"]
    mcid = pain.get("mcid")
    story: list[Flowable] = [_heading(_("Pain"))]
    story.append(
        _table(
            [
                (
                    _("First 7 days (mean)"),
                    _("Last 7 days (mean)"),
                    _("Change"),
                    _("MCID"),
                    _("Responder"),
                ),
                (
                    number(pain.get("first_7_days_mean")),
                    number(pain.get("last_7_days_mean")),
                    number(pain.get("change"), signed=True),
                    number(mcid),
                    _label(RESPONDER, pain.get("responder")),
                ),
            ],
            [FRAME_WIDTH / 5] * 5,
        )
    )
    story.append(
        Paragraph(
            escape(
                _(
                    "Pain is rated 0 to 10. A change of at least %(mcid)s points (the minimal "
                    "clinically important difference, MCID) between the first and the last 7 "
                    "days counts as a real change; a smaller one as no change."
                )
                % {"mcid": number(mcid)}
            ),
            STYLES["body"],
        )
    )
    days = _pain_days(report)
    chart = charts.pain_trend_chart(days, chart_id="pain-trend", title=_("Daily pain"))
    if chart.is_empty:
        story.append(
            Paragraph(escape(_("No pain was logged during this episode.")), STYLES["body"])
        )
    else:
        story.append(_figure(chart))
    return story


def _outcome(outcome: Mapping[str, Any], index: int) -> list[Flowable]:
    title = outcome.get("title") or outcome["instrument"]
    low, high = outcome.get("score_min"), outcome.get("score_max")
    scale = (
        _("Scores from %(low)s to %(high)s; higher is better.")
        if outcome.get("higher_is_better")
        else _("Scores from %(low)s to %(high)s; lower is better.")
    )
    story: list[Flowable] = [
        _heading(title, "h3"),
        _table(
            [
                (_("Baseline"), _("Latest"), _("Change"), _("MCID"), _("Responder")),
                (
                    number(outcome.get("baseline")),
                    number(outcome.get("latest")),
                    number(outcome.get("change"), signed=True),
                    number(outcome.get("mcid")),
                    _label(RESPONDER, outcome.get("responder")),
                ),
            ],
            [FRAME_WIDTH / 5] * 5,
        ),
        Paragraph(escape(scale % {"low": number(low), "high": number(high)}), STYLES["body"]),
    ]
    points = [
        charts.ScorePoint(day=_date(point["completed_at"]), score=float(point["score"]))
        for point in outcome.get("series") or []
        if point.get("score") is not None
    ]
    if not points:
        story.append(
            Paragraph(
                escape(_("No %(measure)s scores were recorded.") % {"measure": title}),
                STYLES["body"],
            )
        )
        return story
    baseline, mcid = outcome.get("baseline"), outcome.get("mcid")
    band = None
    if baseline is not None and mcid:
        band = (float(baseline) - float(mcid), float(baseline) + float(mcid))
    if low is None or high is None or float(high) <= float(low):
        scores = [point.score for point in points]
        low, high = min([*scores, 0.0]), max(scores) or 1.0
    chart = charts.score_chart(
        points,
        chart_id=f"outcome-{index}",
        title=title,
        y_label=_("Score"),
        y_range=(float(low), float(high)),
        band=band,
        band_label=_("Baseline ± MCID (no real change)"),
    )
    story += [_fitted(chart), Paragraph(escape(chart.description), STYLES["caption"])]
    return story


def _outcomes(report: Mapping[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [_heading(_("Outcome measures"))]
    outcomes = report.get("outcomes") or []
    if not outcomes:
        story.append(
            Paragraph(
                escape(_("No outcome measures were completed in this episode.")), STYLES["body"]
            )
        )
    for index, outcome in enumerate(outcomes):
        # An instrument's heading, numbers and chart on one page (the section's heading
        # with the first one).
        block = _outcome(outcome, index)
        if index == 0:
            block, story = story + block, []
        story.append(KeepTogether(block))
    return story


def _goals(report: Mapping[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [_heading(_("Goals"))]
    goals = report.get("goals") or []
    if not goals:
        story.append(Paragraph(escape(_("No goals were set in this episode.")), STYLES["body"]))
        return story
    rows: list[Sequence[Any]] = [
        (_("Goal"), _("Measure"), _("Target"), _("Due"), _("Latest"), _("Status"))
    ]
    for goal in goals:
        rows.append(
            (
                goal.get("description"),
                # The name people read ("LEFS"); reports frozen before it carry the code.
                short_name(goal.get("instrument_name") or goal.get("instrument") or ""),
                number(goal.get("target")),
                long_date(goal.get("due_on")),
                number(goal.get("latest")),
                _bold(_label(GOAL_STATUS, goal.get("status"))),
            )
        )
    widths = [0.28, 0.14, 0.09, 0.18, 0.09, 0.22]  # "Progressing" on one line in bold
    story.append(_table(rows, [FRAME_WIDTH * share for share in widths]))
    met = sum(1 for goal in goals if goal.get("status") == "met")
    met_text = ngettext(
        "%(met)s of %(total)s goal met.", "%(met)s of %(total)s goals met.", len(goals)
    ) % {"met": met, "total": len(goals)}
    story.append(Paragraph(escape(met_text), STYLES["body"]))
    return story


def _last_seven_days(figure: Mapping[str, Any] | None) -> list[Flowable]:
    """The 7-day figure the caseload shows (reports frozen before it existed lack it)."""
    if not figure:
        return []
    span = {"start": long_date(figure["from"]), "end": long_date(figure["to"])}
    if not figure.get("prescribed"):
        text = _("Last 7 days (%(start)s to %(end)s): nothing prescribed.") % span
        return [Paragraph(escape(text), STYLES["body"])]
    text = _(
        "Last 7 days (%(start)s to %(end)s): %(done)s of %(prescribed)s sessions done (%(rate)s)."
    ) % {
        **span,
        "done": figure["done"],
        "prescribed": figure["prescribed"],
        "rate": percent(figure["rate"]),
    }
    return [Paragraph(escape(text), STYLES["body"])]


def _adherence(report: Mapping[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [_heading(_("Exercise adherence"))]
    weeks = sorted(report.get("adherence") or [], key=lambda week: week["week_start"])
    prescribed = sum(int(week.get("prescribed") or 0) for week in weeks)
    if not weeks or not prescribed:
        story.append(
            Paragraph(
                escape(_("No exercise sessions were prescribed in this episode.")),
                STYLES["body"],
            )
        )
        return story
    done = sum(int(week.get("done") or 0) for week in weeks)
    summary = ngettext(
        "%(done)s of %(prescribed)s prescribed sessions done (%(rate)s) over %(weeks)s week.",
        "%(done)s of %(prescribed)s prescribed sessions done (%(rate)s) over %(weeks)s weeks.",
        len(weeks),
    ) % {
        "done": done,
        "prescribed": prescribed,
        "rate": percent(done / prescribed),
        "weeks": len(weeks),
    }
    story.append(Paragraph(escape(summary), STYLES["body"]))
    story += _last_seven_days(report.get("adherence_7d"))
    bars = [
        charts.AdherenceBar(
            label=_short(_date(week["week_start"])),
            expected=int(week.get("prescribed") or 0),
            done=int(week.get("done") or 0),
        )
        for week in weeks
    ]
    story.append(
        _figure(
            charts.adherence_chart(
                bars,
                chart_id="adherence",
                title=_("Exercise sessions done"),
                x_label=_("Week starting"),
            )
        )
    )
    rows: list[Sequence[Any]] = [(_("Week starting"), _("Done"), _("Prescribed"), _("Rate"))]
    rows += [
        (
            long_date(week["week_start"]),
            str(week.get("done") or 0),
            str(week.get("prescribed") or 0),
            _("nothing prescribed") if week.get("rate") is None else percent(week["rate"]),
        )
        for week in weeks
    ]
    story.append(_table(rows, [FRAME_WIDTH * share for share in (0.4, 0.2, 0.2, 0.2)]))
    return story


def _alerts(report: Mapping[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [_heading(_("Alerts"))]
    alerts = [alert for alert in report.get("alerts") or [] if alert.get("count")]
    if not alerts:
        story.append(Paragraph(escape(_("No alerts were raised in this episode.")), STYLES["body"]))
        return story
    rows: list[Sequence[Any]] = [(_("Kind"), _("Count"))]
    rows += [(_label(ALERT_KIND, alert["kind"]), str(alert["count"])) for alert in alerts]
    story.append(_table(rows, [FRAME_WIDTH * 0.5, FRAME_WIDTH * 0.2]))
    return story


def _note(report: Mapping[str, Any]) -> list[Flowable]:
    note = (report.get("note") or "").strip()
    story: list[Flowable] = [_heading(_("Physiotherapist's note"))]
    if not note:
        story.append(Paragraph(escape(_("No note was written.")), STYLES["body"]))
        return story
    for paragraph in _paragraphs(note):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), STYLES["body"]))
    return story


def _paragraphs(text: str) -> Iterable[str]:
    return (part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())


# --- Document -------------------------------------------------------------------------------


class ReportDocument(SimpleDocTemplate):
    """Adds each heading to the PDF's outline (the viewer's bookmarks pane)."""

    def afterFlowable(self, flowable: Flowable) -> None:
        text = getattr(flowable, "outline_text", None)
        if text is None:
            return
        level = OUTLINE_LEVEL[flowable.style.name]
        key = f"section-{id(flowable)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)


class NumberedCanvas(Canvas):
    """Draws "Page N of M" on every page: M is a form drawn once at the end, when it is
    known, and referenced by every page before that."""

    FORM = "page-count"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # ReportLab starts every page in Helvetica (Latin-1 only): start in the embedded font.
        kwargs["initialFontName"] = fonts.REGULAR
        super().__init__(*args, **kwargs)

    def save(self) -> None:
        self.beginForm(self.FORM)
        self.setFont(fonts.REGULAR, 8.5)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


def _footer(canvas: Canvas, doc: ReportDocument) -> None:
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, 8.5)
    canvas.setFillColor(MUTED)
    label = _("Page %(page)s of ") % {"page": doc.page}
    x = PAGE_WIDTH - MARGIN - canvas.stringWidth(label + "000", fonts.REGULAR, 8.5)
    y = MARGIN / 2
    canvas.drawString(x, y, label)
    canvas.translate(x + canvas.stringWidth(label, fonts.REGULAR, 8.5), y)
    canvas.doForm(NumberedCanvas.FORM)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, MARGIN / 2, doc.footer_text)
    canvas.restoreState()


@overload
def _printable(value: Mapping[str, Any]) -> Mapping[str, Any]: ...
@overload
def _printable(value: Any) -> Any: ...
def _printable(value: Any) -> Any:
    """Every text of the report with what the font cannot draw replaced (fonts.printable):
    a name or note in any script prints, an emoji prints as "\ufffd"."""
    if isinstance(value, str):
        return fonts.printable(value)
    if isinstance(value, Mapping):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_printable(item) for item in value)
    return value


def render_report_pdf(report: Mapping[str, Any]) -> bytes:
    """The report as a PDF document (A4). The dict is the one `GET episodes/{id}/report/`
    returns as JSON; see docs/api.md."""
    report = _printable(report)
    episode = report["episode"]
    kind = _kind(report)
    buffer = io.BytesIO()
    doc = ReportDocument(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{kind}: {episode.get('title') or _('episode')}",
        author=_email(episode.get("physio")),
        subject=_("Episode of care %(id)s") % {"id": episode["id"]},
        creator="Knee & calf self-care backend",
        lang=get_language() or "en",
        displayDocTitle=True,
    )
    doc.footer_text = _("%(kind)s · episode %(id)s") % {"kind": kind, "id": episode["id"]}
    story: list[Flowable] = []
    story += _header(report)
    story += _pain(report)
    story.append(CondPageBreak(90 * mm))
    story += _outcomes(report)
    story += _goals(report)
    story.append(CondPageBreak(90 * mm))
    story += _adherence(report)
    story += _alerts(report)
    story += _note(report)
    # Stored in English (gettext_noop, apps/content/vocabulary.py), printed in the reader's.
    disclaimer = escape(_(report["disclaimer"]) if report.get("disclaimer") else _(_DISCLAIMER))
    # Whole, on one page: a boxed sentence cut in two reads as two notices.
    story.append(KeepTogether([Spacer(1, 4), Paragraph(disclaimer, STYLES["disclaimer"])]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


_DISCLAIMER = gettext_noop(
    "This summary is for information and education. It does not diagnose any condition "
    "or prescribe any treatment."
)
