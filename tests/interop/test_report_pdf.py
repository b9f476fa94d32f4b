"""apps/interop/report_pdf.py: the episode report dict as a PDF. The PDF is read back twice:
its text with pypdf (the numbers of the JSON are in it), and its pages as images with
PDFium (the charts are really drawn, in their colours, where the charts go)."""

import io
import re
from datetime import date, timedelta

import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import ImageChops, ImageFilter

from apps.interop import charts
from apps.interop.report_pdf import long_date, number, percent, render_report_pdf
from tests.factories.report_dicts import episode_report_dict

SCALE = 2  # 144 dpi: a 2-point line is 4 pixels wide


@pytest.fixture(scope="module")
def report():
    return episode_report_dict()


@pytest.fixture(scope="module")
def pdf(report):
    return render_report_pdf(report)


@pytest.fixture(scope="module")
def pages(pdf):
    """The text of each page, whitespace collapsed (a wrapped table cell reads on)."""
    return [
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.fixture(scope="module")
def text(pages):
    return " ".join(pages)


def rendered(pdf: bytes, index: int):
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        document.close()


def mask_of(image, colour, tolerance=24):
    """A 1-bit image of the pixels within `tolerance` of `colour` in every channel
    (antialiased edges differ a little, the middle of a mark does not)."""
    wanted = [int(colour.hexval()[2:][i : i + 2], 16) for i in (0, 2, 4)]
    bands = [
        band.point(lambda value, c=c: 255 if abs(value - c) <= tolerance else 0)
        for band, c in zip(image.split(), wanted, strict=True)
    ]
    return ImageChops.logical_and(
        ImageChops.logical_and(bands[0].convert("1"), bands[1].convert("1")),
        bands[2].convert("1"),
    )


def count(mask) -> int:
    return mask.convert("L").histogram()[255]


def page_with(pages, phrase):
    return next(index for index, page in enumerate(pages) if phrase in page)


# --- Formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (None, False, "–"),
        (6.0333, False, "6.03"),
        (2, False, "2"),
        (24.0, True, "+24"),
        (-2.79, True, "-2.79"),
        (0.0, True, "0"),
        (-0.001, True, "0"),
        (3.5, False, "3.5"),
    ],
)
def test_numbers_print_with_at_most_two_decimals_and_a_sign_on_gains(value, signed, expected):
    assert number(value, signed=signed) == expected


def test_rates_print_as_whole_percentages():
    assert [percent(rate) for rate in (None, 0.0, 0.625, 1)] == ["–", "0 %", "62 %", "100 %"]
    assert long_date("2026-09-05") == "5 September 2026"


# --- The text -------------------------------------------------------------------------------


def test_the_document_says_who_what_and_when(report, text):
    episode = report["episode"]
    assert text.startswith("Page 1 of ")
    assert "Discharge report" in text
    assert episode["title"] in text
    assert "Condition Patellofemoral pain" in text
    assert "Started 14 September 2026 Ended 12 November 2026 Status Discharged" in text
    assert f"Patient {episode['patient']['email']}" in text
    assert f"Physiotherapist {episode['physio']['email']} Clinic Harbour Physio" in text
    assert "Generated 2026-11-12 16:45 UTC" in text
    assert f"Episode {episode['id']}" in text


def test_the_pain_means_their_change_and_the_mcid_are_printed(report, text):
    pain = report["pain"]
    assert pain["first_7_days_mean"] == 6.03  # the fixture is seeded: these are real numbers
    row = "6.03 3.24 -2.79 2 Improved"
    assert (
        f"{number(pain['first_7_days_mean'])} {number(pain['last_7_days_mean'])} "
        f"{number(pain['change'], signed=True)} {pain['mcid']} Improved"
    ) == row
    assert f"First 7 days (mean) Last 7 days (mean) Change MCID Responder {row}" in text
    assert "A change of at least 2 points" in text


def test_each_instrument_has_its_baseline_latest_change_and_responder(report, text):
    assert len(report["outcomes"]) == 3
    for outcome in report["outcomes"]:
        row = (
            f"{outcome['title']} Baseline Latest Change MCID Responder "
            f"{number(outcome['baseline'])} {number(outcome['latest'])} "
            f"{number(outcome['change'], signed=True)} {number(outcome['mcid'])} "
            f"{outcome['responder'].replace('_', ' ').capitalize()}"
        )
        assert row in text
    assert (
        "Lower Extremity Functional Scale Baseline Latest Change MCID Responder 32 56 +24 9 Improved"
        in text
    )
    assert (
        "Pain over the past week Baseline Latest Change MCID Responder 6.5 2.5 -4 2 Improved"
        in text
    )
    assert "lower is better" in text
    assert "Shaded: scores from 23 to 41." in text  # LEFS baseline 32 ± MCID 9


def test_each_goal_has_its_target_due_date_latest_score_and_status(report, text):
    labels = {"met": "Met", "progressing": "Progressing", "not_met": "Not met"}
    assert sorted(goal["status"] for goal in report["goals"]) == ["met", "not_met", "progressing"]
    for goal in report["goals"]:
        row = (
            f"{goal['description']} {goal['instrument']} {number(goal['target'])} "
            f"{long_date(goal['due_on'])} {number(goal['latest'])} {labels[goal['status']]}"
        )
        assert row in text
    assert "1 of 3 goals met." in text


def test_each_week_of_adherence_has_its_sessions_and_rate(report, text):
    weeks = report["adherence"]
    assert len(weeks) == 9
    for week in weeks:
        row = (
            f"{long_date(week['week_start'])} {week['done']} {week['prescribed']} "
            f"{round(week['rate'] * 100)} %"
        )
        assert row in text
    done = sum(week["done"] for week in weeks)
    prescribed = sum(week["prescribed"] for week in weeks)
    assert f"{done} of {prescribed} prescribed sessions done" in text
    assert "5 October 2026 0 14 0 %" in text  # a week with nothing done is 0 %, not blank


def test_alerts_by_kind_the_note_and_the_disclaimer(report, text):
    assert "Kind Count Red flag 2 Worsening pain 1" in text
    assert (
        "Physiotherapist's note Knee pain eased steadily & stairs are now managed "
        "step-over-step. Keep the home programme 3x/week for 6 more weeks; review if "
        "pain > 5 returns."
    ) in text
    assert " ".join(report["disclaimer"].split()) in text
    assert "does not diagnose" in text


def test_every_page_is_numbered_out_of_the_total(pages):
    assert len(pages) >= 3
    for index, page in enumerate(pages, start=1):
        assert page.startswith(f"Page {index} of {len(pages)} ")


def test_the_metadata_and_outline_name_the_document(pdf, report):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"Discharge report: {report['episode']['title']}"
    assert reader.metadata.author == report["episode"]["physio"]["email"]
    assert reader.metadata.subject == f"Episode of care {report['episode']['id']}"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]

    def titles(outline):
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry)
            else:
                yield entry.title

    assert list(titles(reader.outline)) == [
        "Discharge report",
        "Pain",
        "Outcome measures",
        "Lower Extremity Functional Scale",
        "Patient-Specific Functional Scale",
        "Pain over the past week",
        "Goals",
        "Exercise adherence",
        "Alerts",
        "Physiotherapist's note",
    ]


def test_text_a_person_wrote_is_printed_as_text_not_markup():
    report = episode_report_dict(note="Use <b>ice</b> & rest\n\nthen <br/> walk")
    report["episode"]["title"] = "Knee <i>left</i>"
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in pypdf.PdfReader(io.BytesIO(render_report_pdf(report))).pages
    )
    assert "Use <b>ice</b> & rest then <br/> walk" in text
    assert "Knee <i>left</i>" in text


def test_a_progress_report_without_a_condition_or_physio_says_so():
    report = episode_report_dict(final=False)
    report["episode"]["condition"] = None
    report["episode"]["physio"] = None
    del report["episode"]["clinic"]  # a dict from before reports named the clinic
    pdf = render_report_pdf(report)
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Progress report" in text
    assert "Condition Not recorded" in text
    assert "Physiotherapist – Clinic – Generated" in text
    assert "Ended Ongoing Status Active" in text
    assert "This report is not final" in text


# --- The pictures ---------------------------------------------------------------------------


def test_the_pain_trend_is_drawn_across_its_chart_with_the_red_flags(pdf, pages):
    image = rendered(pdf, page_with(pages, "Daily pain"))
    line = mask_of(image, charts.LINE)
    assert count(line) > 2000
    left, top, right, _bottom = line.getbbox()
    # The line runs across most of the text width (60 days), in the chart below the header.
    assert right - left > 0.7 * (image.width - 2 * 51 * SCALE)
    assert top > image.height * 0.4
    flags = mask_of(image, charts.RED_FLAG)
    assert count(flags) > 100  # two triangles and the legend's
    assert flags.getbbox()[1] < top  # above the line, at the chart's top


def test_each_instrument_chart_has_its_mcid_band_and_scores(pdf, pages):
    image = rendered(pdf, page_with(pages, "Lower Extremity Functional Scale"))
    band = mask_of(image, charts.BAND, tolerance=8)
    assert count(band) > 20_000  # two charts' bands on this page
    line = mask_of(image, charts.LINE)
    assert count(line) > 500
    # Scores are drawn over the band: some line pixels lie inside the band's area.
    assert count(ImageChops.logical_and(line, band.filter(ImageFilter.MaxFilter(9)))) > 0


def test_the_adherence_chart_has_a_bar_per_week(pdf, pages):
    image = rendered(pdf, page_with(pages, "Exercise sessions done"))
    bars = mask_of(image, charts.BAR, tolerance=8)
    assert count(bars) > 20_000
    # Eight weeks with sessions done, one without: eight runs of bar pixels along a row
    # near the bars' foot.
    left, _, right, bottom = bars.getbbox()
    row = list(bars.crop((left, bottom - 3, right, bottom - 2)).convert("L").tobytes())
    runs = sum(1 for a, b in zip([0, *row], row, strict=False) if b and not a)
    assert runs == 8


# --- Nothing recorded -----------------------------------------------------------------------


def test_an_episode_with_nothing_recorded_says_so_instead_of_drawing_empty_charts():
    report = episode_report_dict(days=0, final=False, note="")
    assert report["pain"]["series"] == []
    assert report["outcomes"] == []
    pdf = render_report_pdf(report)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "– – – 2 Not enough data" in text
    for sentence in (
        "No pain was logged during this episode.",
        "No outcome measures were completed in this episode.",
        "No goals were set in this episode.",
        "No exercise sessions were prescribed in this episode.",
        "No alerts were raised in this episode.",
        "No note was written.",
    ):
        assert sentence in text
    for index in range(len(reader.pages)):
        image = rendered(pdf, index)
        for colour in (charts.LINE, charts.RED_FLAG, charts.BAR, charts.BAND):
            assert count(mask_of(image, colour, tolerance=8)) == 0


def test_an_instrument_without_scores_and_weeks_without_prescriptions_say_so():
    report = episode_report_dict()
    report["outcomes"][1]["series"] = []
    report["adherence"] = [
        {**week, "prescribed": 0, "done": 0, "rate": None} for week in report["adherence"]
    ]
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in pypdf.PdfReader(io.BytesIO(render_report_pdf(report))).pages
    )
    assert "No Patient-Specific Functional Scale scores were recorded." in text
    assert "No exercise sessions were prescribed in this episode." in text
    assert len(re.findall(r"\b\d+ scores? from", text)) == 2


def test_an_instruments_scores_are_placed_by_their_dates_in_the_pdf():
    """Three scores on day 0, 4 and 60 of the episode, all the same (a flat line): the
    markers (wider than the line) stand where the dates put them, the second near the
    first rather than halfway."""
    report = episode_report_dict()
    start = date(2026, 3, 2)
    report["outcomes"] = [
        {
            **report["outcomes"][0],
            "title": "Irregular scale",
            "baseline": None,
            "series": [
                {"completed_at": f"{start + timedelta(days=n)}T09:15:00+00:00", "score": 40.0}
                for n in (0, 4, 60)
            ],
        }
    ]
    pdf = render_report_pdf(report)
    pdf_pages = [
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]
    line = mask_of(rendered(pdf, page_with(pdf_pages, "Irregular scale")), charts.LINE)
    # A marker is a column of line pixels taller than the 2-point line (4 pixels here).
    left, top, right, bottom = line.getbbox()
    tall = [
        x for x in range(left, right) if count(line.crop((x, top, x + 1, bottom))) >= 4 * SCALE + 2
    ]
    runs = [[tall[0]]]
    for x in tall[1:]:
        if x - runs[-1][-1] > 1:
            runs.append([])
        runs[-1].append(x)
    centres = [(run[0] + run[-1]) / 2 for run in runs]
    assert len(centres) == 3, centres
    span = centres[2] - centres[0]
    assert abs((centres[1] - centres[0]) - span * 4 / 60) <= 3


# --- The reader's language ------------------------------------------------------------------


def test_every_fixed_text_is_in_the_readers_language_and_names_in_any_script_print():
    """Rendered under Spanish (the API and the portal activate the reader's language): the
    fixed texts, dates and the disclaimer read in Spanish, names in Greek and Cyrillic print
    as written, and an emoji in a note never breaks the report."""
    from django.utils import translation

    from apps.content.vocabulary import DISCLAIMER

    report = episode_report_dict()
    report["disclaimer"] = DISCLAIMER
    report["episode"]["patient"]["display_name"] = "Σοφία Παπαδοπούλου"
    report["episode"]["physio"]["display_name"] = "Ольга Смирнова"
    report["note"] = "Вернулась к бегу 🏃 — καλή πρόοδος."
    with translation.override("es"):
        pdf = render_report_pdf(report)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    for spanish in (
        "Página 1 de",
        "Informe de alta",
        "Afección Patellofemoral pain",
        "Inicio 14 de septiembre de 2026 Fin 12 de noviembre de 2026 Estado Alta",
        "Paciente Σοφία Παπαδοπούλου",
        "Fisioterapeuta Ольга Смирнова Clínica Harbour Physio",
        "Dolor diario",
        "Medidas de resultado",
        "Objetivos",
        "Adherencia al ejercicio",
        "Alertas",
        "Nota del fisioterapeuta Вернулась к бегу",
        "καλή πρόοδος",
        "Esta aplicación ofrece educación general",
    ):
        assert spanish in text, spanish
    for english in ("Discharge report", "Outcome measures", "Physiotherapist's note", "Page 1"):
        assert english not in text, english
    assert reader.trailer["/Root"]["/Lang"] == "es"
