"""A printable handout of an exercise plan: for each exercise its first picture, the
steps, the dosage, the days, the pain limit and the physiotherapist's notes.

Pure, like report_pdf.py whose stack it shares (styles, fonts, the outline and the
"Page N of M" canvas): a `Handout` of plain values and picture bytes in, PDF bytes out; no
database, storage or request. Every fixed text is a gettext string, resolved in the
language active while `render_handout_pdf` runs: the caller activates the patient's
language, so a translation is only a catalogue entry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from . import charts, fonts
from .report_pdf import (
    FRAME_WIDTH,
    MARGIN,
    MUTED,
    PAGE_WIDTH,
    STYLES,
    NumberedCanvas,
    ReportDocument,
)

PICTURE_WIDTH = 55 * mm
PICTURE_MAX_HEIGHT = 60 * mm

WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
TITLE = _("Your exercise plan")
STEPS = _("How to do it")
CAUTIONS = _("Take care")
DOSAGE = _("Dosage")
DAYS = _("Days")
PAIN_LIMIT = _("Pain limit")
NOTES = _("Notes from your physiotherapist")
EVERY_DAY = _("Every day")
NO_PICTURE = _("No picture yet.")
PLAN_DATES = _("From %(start)s to %(end)s")
PAIN_RULE = _(
    "Pain during an exercise up to %(limit)s out of 10 is acceptable. If it goes above, stop "
    "and note it in the app."
)
FOOTER = _("Exercise plan handout")
PAGE = _("Page %(page)s of ")
NO_EXERCISES = _("This plan has no exercises at the moment.")
CLINIC = _("Clinic: %(name)s")


@dataclass(frozen=True)
class HandoutItem:
    name: str
    instructions: Sequence[str]
    cautions: Sequence[str]
    sets: int
    reps: int | None
    hold_seconds: int | None
    times_per_day: int
    days_of_week: Sequence[int]
    max_pain: int
    notes: str = ""
    picture: bytes | None = None  # the first picture of the exercise, stored bytes
    picture_alt: str = ""


@dataclass(frozen=True)
class Handout:
    plan_id: str
    title: str
    start_date: date
    end_date: date
    items: Sequence[HandoutItem] = field(default_factory=list)
    disclaimer: str = ""
    clinic: str = ""  # the name of the clinic the plan's episode belongs to


def dosage(item: HandoutItem) -> str:
    """ "3 sets × 10 repetitions, hold 30 seconds, twice a day" in the active language."""
    parts = [ngettext("%(n)s set", "%(n)s sets", item.sets) % {"n": item.sets}]
    if item.reps:
        parts[0] += " × " + ngettext("%(n)s repetition", "%(n)s repetitions", item.reps) % {
            "n": item.reps
        }
    text = parts[0]
    if item.hold_seconds:
        text += ", " + ngettext("hold %(n)s second", "hold %(n)s seconds", item.hold_seconds) % {
            "n": item.hold_seconds
        }
    text += ", " + ngettext("%(n)s time a day", "%(n)s times a day", item.times_per_day) % {
        "n": item.times_per_day
    }
    return text


def days(days_of_week: Sequence[int]) -> str:
    if sorted(days_of_week) == list(range(7)):
        return str(EVERY_DAY)
    return ", ".join(str(WEEKDAYS[day]) for day in sorted(days_of_week))


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(fonts.printable(text)), STYLES[style])


def _heading(text: str, level: str) -> Paragraph:
    paragraph = _p(text, level)
    paragraph.outline_text = text  # the PDF's outline (ReportDocument.afterFlowable)
    return paragraph


def _picture(item: HandoutItem) -> list[Flowable]:
    if not item.picture:
        return [_p(str(NO_PICTURE), "caption")]
    reader = ImageReader(io.BytesIO(item.picture))
    width, height = reader.getSize()
    scale = min(PICTURE_WIDTH / width, PICTURE_MAX_HEIGHT / height)
    image = Image(io.BytesIO(item.picture), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return [image, _p(item.picture_alt, "caption")] if item.picture_alt else [image]


def _item(item: HandoutItem, index: int) -> list[Flowable]:
    text: list[Flowable] = []
    facts = [
        (str(DOSAGE), dosage(item)),
        (str(DAYS), days(item.days_of_week)),
        (str(PAIN_LIMIT), f"{item.max_pain}/10"),
    ]
    rows = [[_p(label, "cell"), _p(value, "cell")] for label, value in facts]
    table = Table(rows, colWidths=[28 * mm, FRAME_WIDTH - PICTURE_WIDTH - 36 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, charts.GRID),
                ("FONTNAME", (0, 0), (0, -1), fonts.BOLD),
            ]
        )
    )
    text.append(table)
    if item.instructions:
        text.append(_p(str(STEPS), "h3"))
        text += [_p(f"{n}. {line}") for n, line in enumerate(item.instructions, start=1)]
    if item.cautions:
        text.append(_p(str(CAUTIONS), "h3"))
        text += [_p(f"• {line}") for line in item.cautions]
    if item.notes:
        text.append(_p(str(NOTES), "h3"))
        text.append(_p(item.notes))
    layout = Table(
        [[_picture(item), text]],
        colWidths=[PICTURE_WIDTH + 6 * mm, FRAME_WIDTH - PICTURE_WIDTH - 6 * mm],
        hAlign="LEFT",
    )
    layout.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        KeepTogether([_heading(f"{index}. {item.name}", "h2"), layout]),
        _p(str(PAIN_RULE) % {"limit": item.max_pain}, "caption"),
    ]


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, 8.5)
    canvas.setFillColor(MUTED)
    label = str(PAGE) % {"page": doc.page}
    x = PAGE_WIDTH - MARGIN - canvas.stringWidth(label + "000", fonts.REGULAR, 8.5)
    canvas.drawString(x, MARGIN / 2, label)
    canvas.translate(x + canvas.stringWidth(label, fonts.REGULAR, 8.5), MARGIN / 2)
    canvas.doForm(NumberedCanvas.FORM)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, MARGIN / 2, doc.footer_text)
    canvas.restoreState()


def render_handout_pdf(handout: Handout) -> bytes:
    """The handout as an A4 PDF in the active language (django.utils.translation)."""
    buffer = io.BytesIO()
    doc = ReportDocument(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{TITLE}: {handout.title}",
        subject=f"Exercise plan {handout.plan_id}",
        creator="Knee & calf self-care backend",
        lang=get_language() or "en",
        displayDocTitle=True,
    )
    doc.footer_text = str(FOOTER)
    dates = str(PLAN_DATES) % {
        "start": date_format(handout.start_date, "DATE_FORMAT"),
        "end": date_format(handout.end_date, "DATE_FORMAT"),
    }
    story: list[Flowable] = [
        _heading(str(TITLE), "title"),
        _p(handout.title, "subtitle"),
        *([_p(str(CLINIC) % {"name": handout.clinic})] if handout.clinic else []),
        _p(dates),
        Spacer(1, 4),
    ]
    if not handout.items:
        story.append(_p(str(NO_EXERCISES)))
    for index, item in enumerate(handout.items, start=1):
        story += _item(item, index)
    if handout.disclaimer:
        story.append(KeepTogether([Spacer(1, 4), _p(handout.disclaimer, "disclaimer")]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
