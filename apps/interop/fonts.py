"""The fonts of the PDFs (reports, handouts) and charts: DejaVu Sans, embedded.

ReportLab's standard fonts (Helvetica...) draw Latin-1 only: a Greek or Cyrillic name, a
Polish "ł" or a Czech "ř" would print as black boxes. DejaVu Sans covers Latin, Greek and
Cyrillic (and much more); the TTFs ship in `fonts/` with their licence (`fonts/LICENSE`),
and ReportLab embeds the subset a document uses, so the PDF reads the same everywhere.

A character the font has no glyph for (an emoji, most often) is printed as U+FFFD "�"
rather than an invisible .notdef box: the reader sees that something was there, and the
text extracted from the PDF says so too. `printable` does that to every text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
REPLACEMENT = "\ufffd"


@cache
def register() -> None:
    """Register the three faces with ReportLab, once per process; <b> and <i> in a
    Paragraph pick the bold and oblique faces."""
    for name in (REGULAR, BOLD, OBLIQUE):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, OBLIQUE)
    addMapping(REGULAR, 1, 1, BOLD)
    # A drawing starts each chart in this font (else Helvetica, unembedded, is referenced).
    shapes.STATE_DEFAULTS["fontName"] = REGULAR


@cache
def _covered() -> frozenset[int]:
    """The code points every face has a glyph for."""
    register()
    faces = [pdfmetrics.getFont(name) for name in (REGULAR, BOLD, OBLIQUE)]
    maps = [set(face.face.charToGlyph) for face in faces]
    return frozenset(set.intersection(*maps))


def printable(text: str) -> str:
    """`text` with each character the font cannot draw replaced by U+FFFD; line breaks and
    tabs are kept (the layout handles them)."""
    covered = _covered()
    return "".join(
        char if ord(char) in covered or char in "\n\r\t" else REPLACEMENT for char in text
    )


register()
