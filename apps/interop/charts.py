"""Charts from plain data, drawn once with ReportLab's graphics and used twice: as accessible
inline SVG in the clinic portal and as vector drawings in PDF reports.

Every function here is pure: plain values in (dates, numbers, labels), a `Chart` out. A
`Chart` carries the ReportLab `Drawing` (a PDF story can add it as a flowable), and what a
screen reader needs: a title, a one-sentence description, the axis labels and the numbers
as a table. `chart_svg` renders a chart as SVG that can be inlined under a strict Content
Security Policy: role="img", <title> and <desc> referenced by aria-labelledby, presentation
attributes instead of inline styles (CSP's style-src applies to SVG style attributes), and
ids made unique per chart so several charts can share a page.

No chart JavaScript: what the browser gets is finished SVG and an HTML table.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # parses only the SVG ReportLab has just written
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Group, Line, Polygon, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from . import fonts

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# Colours that keep a contrast of at least 4.5:1 on white (WCAG AA), so the marks read
# on screen and in a printed report.
INK = colors.HexColor("#1f2933")
GRID = colors.HexColor("#d9dee3")
LINE = colors.HexColor("#1d4ed8")
RED_FLAG = colors.HexColor("#b91c1c")
BAR = colors.HexColor("#0f766e")
BAND = colors.HexColor("#fde68a")
FONT = fonts.REGULAR  # registered with ReportLab on import (fonts.py)

WIDTH, HEIGHT = 640, 260
LEFT, BOTTOM, RIGHT, TOP = 56, 56, 16, 36


@dataclass(frozen=True)
class Chart:
    """A drawing and its text alternative. `rows` hold the numbers shown, as text."""

    id: str
    title: str
    description: str
    x_label: str
    y_label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    drawing: Drawing

    @property
    def is_empty(self) -> bool:
        return not self.rows


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PainDay:
    """One day of a pain trend: the mean and the highest pain logged (0–10), and whether a
    log of that day was triaged urgent or emergency (a red flag)."""

    day: date
    mean_pain: float | None
    max_pain: int | None
    logs: int = 0
    red_flag: bool = False


@dataclass(frozen=True)
class AdherenceBar:
    """Sessions done against sessions expected over one period (a week, a day)."""

    label: str
    expected: int
    done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.expected) if self.expected else None


@dataclass(frozen=True)
class ScorePoint:
    """One score of an outcome measure at a date."""

    day: date
    score: float


# --- Charts ---------------------------------------------------------------------------------


def _short(day: date) -> str:
    return date_format(day, "j M")  # "9 Mar", the month in the active language


def _figure(value: float) -> str:
    """3.5 as "3.5" in English and "3,5" in Spanish; 3.0 as "3"."""
    return number_format(f"{value:g}")


def _frame(drawing: Drawing, title: str, x_label: str, y_label: str) -> None:
    drawing.add(
        String(LEFT, HEIGHT - 20, title, fontName=f"{FONT}-Bold", fontSize=13, fillColor=INK)
    )
    drawing.add(
        String(
            LEFT + (WIDTH - LEFT - RIGHT) / 2,
            8,
            x_label,
            fontName=FONT,
            fontSize=11,
            fillColor=INK,
            textAnchor="middle",
        )
    )
    y_axis_label = Group(
        String(0, 0, y_label, fontName=FONT, fontSize=11, fillColor=INK, textAnchor="middle")
    )
    y_axis_label.transform = (0, 1, -1, 0, 14, BOTTOM + (HEIGHT - BOTTOM - TOP) / 2)
    drawing.add(y_axis_label)


def _line_plot(n_days: int, y_min: float, y_max: float, y_step: float) -> LinePlot:
    plot = LinePlot()
    plot.x, plot.y = LEFT, BOTTOM
    plot.width, plot.height = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    plot.xValueAxis.valueMin = -0.5
    plot.xValueAxis.valueMax = max(n_days - 0.5, 0.5)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = y_min, y_max
    plot.yValueAxis.valueStep = y_step
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = GRID
    # Tick labels in the active language's decimal mark ("0,8" in Spanish), never "0.8".
    plot.yValueAxis.labelTextFormat = _figure
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.strokeColor = INK
        axis.labels.fontName = FONT
        axis.labels.fontSize = 10
        axis.labels.fillColor = INK
    return plot


def _time_axis(plot: LinePlot, days: Sequence[date]) -> list[int]:
    """Put dates on the x axis by the time between them: the x of each date is the number of
    days since the first, so a score taken two months after the last is drawn two months
    along, not one step. About seven labelled dates, the last one on the latest date."""
    if not days:
        return []
    first = min(days)
    xs = [(day - first).days for day in days]
    span = max(xs)
    margin = max(0.5, span / 40)
    plot.xValueAxis.valueMin = -margin
    plot.xValueAxis.valueMax = span + margin
    step = max(1, round((span + 1) / 7))
    plot.xValueAxis.valueSteps = list(range(span, -1, -step))[::-1]
    plot.xValueAxis.labelTextFormat = lambda offset: _short(first + timedelta(days=int(offset)))
    return xs


def pain_trend_chart(
    days: Sequence[PainDay], *, chart_id: str = "pain-trend", title: str | None = None
) -> Chart:
    """Mean daily pain (0–10) as a line, with a red triangle above each day that had a red
    flag. Days without logs leave the line out rather than drawing a zero."""
    days = list(days)
    flagged = [index for index, day in enumerate(days) if day.red_flag]
    plotted = [
        (index, day.mean_pain) for index, day in enumerate(days) if day.mean_pain is not None
    ]
    drawing = Drawing(WIDTH, HEIGHT)
    # Texts in the active language (the portal's page, the report's reader).
    title = title or _("Daily pain")
    x_label, y_label = _("Day"), _("Mean pain (0–10)")
    _frame(drawing, title, x_label, y_label)
    plot = _line_plot(len(days), 0, 10.8, 2)
    plot.yValueAxis.valueSteps = [0, 2, 4, 6, 8, 10]
    xs = _time_axis(plot, [day.day for day in days])
    data: list[list[tuple[int, float | None]]] = [
        [(xs[index], pain) for index, pain in plotted] or [(0, None)]
    ]
    if flagged:
        data.append([(xs[index], 10.4) for index in flagged])
    plot.data = data
    plot.lines[0].strokeColor = LINE
    plot.lines[0].strokeWidth = 2
    plot.lines[0].symbol = makeMarker("FilledCircle", size=5, fillColor=LINE, strokeColor=LINE)
    if flagged:
        plot.lines[1].strokeColor = None
        plot.lines[1].strokeWidth = 0
        plot.lines[1].symbol = makeMarker(
            "FilledTriangle", size=9, fillColor=RED_FLAG, strokeColor=RED_FLAG
        )
    drawing.add(plot)
    if flagged:
        legend_x = WIDTH - RIGHT - 150
        drawing.add(
            Polygon(
                [legend_x, HEIGHT - 22, legend_x + 10, HEIGHT - 22, legend_x + 5, HEIGHT - 13],
                fillColor=RED_FLAG,
                strokeColor=RED_FLAG,
            )
        )
        drawing.add(
            String(
                legend_x + 16,
                HEIGHT - 22,
                _("Red flag that day"),
                fontName=FONT,
                fontSize=10,
                fillColor=INK,
            )
        )
    logged = [day for day in days if day.mean_pain is not None]
    if logged:
        # One clause per number, each in its plural (ngettext), never "day(s)".
        values = {
            "first": _short(days[0].day),
            "last": _short(days[-1].day),
            "logged": len(logged),
            "days": len(days),
            "latest": _short(logged[-1].day),
            "mean": _figure(logged[-1].mean_pain or 0),  # a logged day has a mean
            "flagged": len(flagged),
        }
        description = " ".join(
            (
                ngettext(
                    "Mean pain per day from %(first)s to %(last)s: %(logged)s of %(days)s day "
                    "has logs;",
                    "Mean pain per day from %(first)s to %(last)s: %(logged)s of %(days)s days "
                    "have logs;",
                    len(days),
                )
                % values,
                _("latest day with logs %(latest)s, mean %(mean)s;") % values,
                ngettext(
                    "%(flagged)s day with a red flag.",
                    "%(flagged)s days with a red flag.",
                    len(flagged),
                )
                % values,
            )
        )
    elif days:
        description = _("No pain logged from %(first)s to %(last)s.") % {
            "first": _short(days[0].day),
            "last": _short(days[-1].day),
        }
    else:
        description = _("No days.")
    rows = tuple(
        (
            day.day.isoformat(),
            "" if day.mean_pain is None else _figure(day.mean_pain),
            "" if day.max_pain is None else str(day.max_pain),
            str(day.logs),
            _("red flag") if day.red_flag else "",
        )
        for day in logged + [day for day in days if day.red_flag and day.mean_pain is None]
    )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        columns=(_("Date"), _("Mean pain"), _("Highest pain"), _("Logs"), _("Red flag")),
        rows=tuple(sorted(rows)),
        drawing=drawing,
    )


def adherence_chart(
    bars: Sequence[AdherenceBar],
    *,
    chart_id: str = "adherence",
    title: str | None = None,
    x_label: str | None = None,
) -> Chart:
    """Sessions done as a percentage of those expected, one bar per period (0–100 %).
    A period with nothing expected has no bar and says so in the table."""
    bars = list(bars)
    drawing = Drawing(WIDTH, HEIGHT)
    title = title or _("Exercise sessions done")
    x_label = x_label or _("Week starting")
    y_label = _("Sessions done (%)")
    _frame(drawing, title, x_label, y_label)
    chart = VerticalBarChart()
    chart.x, chart.y = LEFT, BOTTOM
    chart.width, chart.height = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    chart.data = [
        [None if bar.percent is None else min(bar.percent, 100) for bar in bars] or [None]
    ]
    chart.categoryAxis.categoryNames = [bar.label for bar in bars] or [""]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.labelTextFormat = _figure
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda value: "" if value is None else f"{_figure(value)} %"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 10
    chart.barLabels.fillColor = INK
    chart.barLabels.nudge = 8
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.strokeColor = INK
        axis.labels.fontName = FONT
        axis.labels.fontSize = 10
        axis.labels.fillColor = INK
    drawing.add(chart)
    judged = [bar for bar in bars if bar.percent is not None]
    if judged:
        done = sum(bar.done for bar in judged)
        expected = sum(bar.expected for bar in judged)
        description = ngettext(
            "%(done)s of %(expected)s expected sessions done over %(periods)s period; "
            "latest: %(latest)s, %(percent)s %%.",
            "%(done)s of %(expected)s expected sessions done over %(periods)s periods; "
            "latest: %(latest)s, %(percent)s %%.",
            len(judged),
        ) % {
            "done": done,
            "expected": expected,
            "periods": len(judged),
            "latest": judged[-1].label,
            "percent": judged[-1].percent,
        }
    else:
        description = _("No sessions were expected in these periods.")
    rows = tuple(
        (
            bar.label,
            str(bar.done),
            str(bar.expected),
            _("nothing expected") if bar.percent is None else f"{bar.percent} %",
        )
        for bar in bars
    )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        columns=(x_label, _("Done"), _("Expected"), _("Done (%)")),
        rows=rows,
        drawing=drawing,
    )


def score_chart(
    points: Sequence[ScorePoint],
    *,
    chart_id: str,
    title: str,
    y_label: str,
    y_range: tuple[float, float],
    band: tuple[float, float] | None = None,
    band_label: str | None = None,
) -> Chart:
    """Scores of one measure over time as a line. `band` shades a range of scores, such as
    the first score ± the measure's minimal clinically important difference (MCID), so a
    change that stays inside it reads as no real change."""
    points = sorted(points, key=lambda point: point.day)
    drawing = Drawing(WIDTH, HEIGHT)
    x_label = _("Date")
    band_label = band_label or _("Within the smallest change that matters")
    _frame(drawing, title, x_label, y_label)
    low, high = y_range
    span = high - low
    plot = _line_plot(len(points), low, high, span / 5 if span else 1)
    xs = _time_axis(plot, [point.day for point in points])
    plot.data = [[(x, point.score) for x, point in zip(xs, points, strict=True)] or [(0, None)]]
    plot.lines[0].strokeColor = LINE
    plot.lines[0].strokeWidth = 2
    plot.lines[0].symbol = makeMarker("FilledCircle", size=6, fillColor=LINE, strokeColor=LINE)
    if band is not None and span:
        band_low, band_high = max(band[0], low), min(band[1], high)
        scale = plot.height / span
        drawing.add(
            Rect(
                plot.x,
                plot.y + (band_low - low) * scale,
                plot.width,
                (band_high - band_low) * scale,
                fillColor=BAND,
                strokeColor=None,
            )
        )
        drawing.add(
            Line(
                plot.x,
                plot.y + (band_low - low) * scale,
                plot.x + plot.width,
                plot.y + (band_low - low) * scale,
                strokeColor=GRID,
            )
        )
    drawing.add(plot)
    if band is not None:
        legend_x = WIDTH - RIGHT - 250
        drawing.add(
            Rect(legend_x, HEIGHT - 23, 12, 10, fillColor=BAND, strokeColor=INK, strokeWidth=0.5)
        )
        drawing.add(
            String(
                legend_x + 16, HEIGHT - 22, band_label, fontName=FONT, fontSize=10, fillColor=INK
            )
        )
    if points:
        description = ngettext(
            "%(count)s score from %(first)s to %(last)s: first %(first_score)s, "
            "latest %(latest_score)s.",
            "%(count)s scores from %(first)s to %(last)s: first %(first_score)s, "
            "latest %(latest_score)s.",
            len(points),
        ) % {
            "count": len(points),
            "first": _short(points[0].day),
            "last": _short(points[-1].day),
            "first_score": _figure(points[0].score),
            "latest_score": _figure(points[-1].score),
        }
        if band is not None:
            description += " " + _("Shaded: scores from %(low)s to %(high)s.") % {
                "low": _figure(band[0]),
                "high": _figure(band[1]),
            }
    else:
        description = _("No scores yet.")
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        columns=(_("Date"), _("Score")),
        rows=tuple((point.day.isoformat(), _figure(point.score)) for point in points),
        drawing=drawing,
    )


# --- SVG -----------------------------------------------------------------------------------

_STYLE_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+?)\s*(?:;|$)")
_ID_REFERENCE = re.compile(r"url\(#([^)]+)\)")
_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>")


def _ids_scoped(element: ET.Element, prefix: str) -> None:
    for node in element.iter():
        if "id" in node.attrib:
            node.set("id", f"{prefix}-{node.get('id')}")
        for name, value in list(node.attrib.items()):
            if "url(#" in value:
                node.set(name, _ID_REFERENCE.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value))


def _styles_as_attributes(element: ET.Element) -> None:
    """style="stroke: red; fill: none" → stroke="red" fill="none": presentation attributes
    are not styles, so a page whose CSP forbids inline styles still draws them."""
    for node in element.iter():
        if node.get("transform") == "":
            del node.attrib["transform"]
        for name, value in _STYLE_DECLARATION.findall(node.attrib.pop("style", "")):
            if name == "font-family":
                bold = value.endswith("-Bold")
                value = f"{value.removesuffix('-Bold')}, Arial, sans-serif"
                if bold:
                    node.set("font-weight", "bold")
            # ReportLab writes "None" for no paint; CSS says "none" (else: black).
            node.set(name, "none" if value == "None" else value)


def chart_svg(chart: Chart) -> str:
    """The chart as an inline <svg> element, sized by its container (viewBox), labelled for
    assistive technology by its <title> and <desc>."""
    raw = renderSVG.drawToString(chart.drawing)
    root = ET.fromstring(_PROLOGUE.sub("", raw))  # noqa: S314 - ReportLab's own output
    _styles_as_attributes(root)
    _ids_scoped(root, chart.id)
    for tag in ("title", "desc"):
        for node in root.findall(f"{{{SVG_NS}}}{tag}"):
            root.remove(node)
    title = ET.Element(f"{{{SVG_NS}}}title", id=f"{chart.id}-title")
    title.text = chart.title
    desc = ET.Element(f"{{{SVG_NS}}}desc", id=f"{chart.id}-desc")
    desc.text = chart.description
    root.insert(0, desc)
    root.insert(0, title)
    for name in ("width", "height", "version"):
        root.attrib.pop(name, None)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart.id}-title {chart.id}-desc")
    root.set("focusable", "false")
    root.set("class", "chart")
    return ET.tostring(root, encoding="unicode")
