"""The PDFs print every character of the supported languages and of people's names: an
embedded Unicode font (DejaVu Sans, apps/interop/fonts), read back by extracting the text."""

import io
from datetime import date

import pypdf
import pytest
from django.utils import translation

from apps.interop import fonts
from apps.interop.handout_pdf import Handout, HandoutItem, render_handout_pdf
from apps.interop.report_pdf import render_report_pdf
from tests.factories.report_dicts import episode_report_dict

SPANISH = "Rodilla derecha: ¿dolor al subir escaleras? Sí, mejoró; señal de progreso — ¡ánimo!"
GREEK = "Αλέξανδρος Παπαδόπουλος"
CYRILLIC = "Дмитрий Иванович Соколов"
EMOJI = "🦵👍🏽"


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def font_names(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def report_with(title: str, note: str) -> dict:
    report = episode_report_dict(days=30, note=note)
    report["episode"]["title"] = title
    return report


def test_a_report_prints_spanish_greek_and_cyrillic_text():
    pdf = render_report_pdf(report_with(SPANISH, f"{GREEK}\n{CYRILLIC}"))

    text = text_of(pdf)
    for words in (SPANISH, GREEK, CYRILLIC):
        assert " ".join(words.split()) in text
    assert "\ufffd" not in text


def test_only_the_embedded_font_is_used():
    pdf = render_report_pdf(report_with(SPANISH, GREEK))

    names = font_names(pdf)
    assert names
    # Subsets are named "ABCDEF+DejaVuSans..."; no standard (Latin-1) font remains.
    assert all("DejaVuSans" in name for name in names), names


@pytest.mark.parametrize("where", ["title", "note"])
def test_an_emoji_never_breaks_a_report(where):
    title, note = (f"{SPANISH} {EMOJI}", "Nota.") if where == "title" else (SPANISH, EMOJI)

    pdf = render_report_pdf(report_with(title, note))

    text = text_of(pdf)
    assert pdf.startswith(b"%PDF")
    assert "\ufffd" in text  # shown as a replacement character, not silently dropped
    assert SPANISH.split(":")[0] in text


def test_a_handout_prints_every_script_and_survives_an_emoji():
    handout = Handout(
        plan_id="8f14e45f-ceea-467f-a8f5-3c0b2b6e3f5a",
        title=f"Plan de {GREEK} {EMOJI}",
        start_date=date(2026, 11, 2),
        end_date=date(2026, 12, 14),
        items=[
            HandoutItem(
                name="Estiramiento de pantorrilla",
                instructions=[SPANISH, CYRILLIC],
                cautions=["No estire una pantorrilla hinchada: hágasela revisar hoy."],
                sets=3,
                reps=10,
                hold_seconds=None,
                times_per_day=2,
                days_of_week=[0, 2, 4],
                max_pain=3,
                notes=f"{GREEK} {EMOJI}",
            )
        ],
        disclaimer="Esta aplicación no diagnostica.",
    )

    with translation.override("es"):
        text = text_of(render_handout_pdf(handout))

    for words in (SPANISH, GREEK, CYRILLIC, "hágasela revisar hoy"):
        assert " ".join(words.split()) in text
    assert "\ufffd" in text


def test_printable_keeps_what_the_font_draws_and_replaces_the_rest():
    assert fonts.printable(f"{GREEK}\n{CYRILLIC}\tñ") == f"{GREEK}\n{CYRILLIC}\tñ"
    assert fonts.printable("a🦵b") == "a\ufffdb"
