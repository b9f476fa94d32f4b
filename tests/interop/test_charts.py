"""apps/interop/charts.py: pure functions from plain data to a chart, and the SVG that the
portal inlines under its Content Security Policy."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from reportlab.graphics.shapes import Drawing

from apps.interop import charts

SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 3, 1)


def pain_days(values, flagged=()):
    return [
        charts.PainDay(
            day=START + timedelta(days=n),
            mean_pain=value,
            max_pain=None if value is None else round(value),
            logs=0 if value is None else 1,
            red_flag=n in flagged,
        )
        for n, value in enumerate(values)
    ]


def parsed(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(charts.chart_svg(chart))  # noqa: S314 - our own output


def test_the_svg_is_labelled_for_assistive_technology():
    chart = charts.pain_trend_chart(pain_days([2, None, 4.5]), chart_id="pain")
    root = parsed(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "pain-title pain-desc"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}title").get("id") == "pain-title"
    assert root.find(f"{SVG}desc").text == chart.description
    assert root.get("viewBox") == "0 0 640 260"
    assert root.get("width") is None  # sized by its container
    texts = [node.text for node in root.iter(f"{SVG}text")]
    assert "Day" in texts
    assert "Mean pain (0–10)" in texts


def test_the_svg_has_no_inline_styles_and_ids_unique_to_the_chart():
    one = charts.chart_svg(charts.pain_trend_chart(pain_days([3, 4]), chart_id="a"))
    two = charts.chart_svg(charts.pain_trend_chart(pain_days([3, 4]), chart_id="b"))
    assert "style=" not in one
    ids_one = {node.get("id") for node in ET.fromstring(one).iter() if node.get("id")}  # noqa: S314
    ids_two = {node.get("id") for node in ET.fromstring(two).iter() if node.get("id")}  # noqa: S314
    assert all(value.startswith("a-") for value in ids_one)
    assert not ids_one & ids_two
    assert "url(#a-clip)" in one


def test_the_pain_table_has_the_logged_days_and_the_red_flags():
    chart = charts.pain_trend_chart(pain_days([2, None, 4.5, None], flagged={2, 3}))
    assert chart.columns == ("Date", "Mean pain", "Highest pain", "Logs", "Red flag")
    assert chart.rows == (
        ("2026-03-01", "2", "2", "1", ""),
        ("2026-03-03", "4.5", "4", "1", "red flag"),
        ("2026-03-04", "", "", "0", "red flag"),
    )
    assert "2 of 4 days have logs" in chart.description
    assert "2 days with a red flag." in chart.description


@pytest.mark.parametrize("days", [[], pain_days([None, None])])
def test_a_chart_without_data_still_renders_and_says_so(days):
    chart = charts.pain_trend_chart(days)
    assert chart.is_empty
    assert chart.description.startswith("No ")
    assert parsed(chart).get("role") == "img"


def test_adherence_bars_are_percentages_and_a_week_without_sessions_has_none():
    chart = charts.adherence_chart(
        [
            charts.AdherenceBar("2 Mar", expected=10, done=7),
            charts.AdherenceBar("9 Mar", expected=10, done=12),
            charts.AdherenceBar("16 Mar", expected=0, done=0),
        ]
    )
    assert chart.rows == (
        ("2 Mar", "7", "10", "70 %"),
        ("9 Mar", "12", "10", "120 %"),
        ("16 Mar", "0", "0", "nothing expected"),
    )
    texts = [node.text for node in parsed(chart).iter(f"{SVG}text")]
    assert "70 %" in texts
    assert "100 %" in texts  # a bar never goes past the top


def test_a_score_chart_shades_the_band():
    chart = charts.score_chart(
        [charts.ScorePoint(START, 40), charts.ScorePoint(START + timedelta(days=14), 52)],
        chart_id="koos",
        title="KOOS pain",
        y_label="Score (0–100)",
        y_range=(0, 100),
        band=(32, 48),
    )
    assert "Shaded: scores from 32 to 48." in chart.description
    assert chart.rows == (("2026-03-01", "40"), ("2026-03-15", "52"))
    band_colour = "rgb(99%,90%,54%)"  # charts.BAND, as ReportLab writes it
    assert any(node.get("fill") == band_colour for node in parsed(chart).iter(f"{SVG}rect"))
    assert 'fill="None"' not in charts.chart_svg(chart)


def test_the_same_drawing_goes_into_a_pdf():
    from reportlab.graphics import renderPDF

    chart = charts.adherence_chart([charts.AdherenceBar("2 Mar", expected=4, done=2)])
    assert isinstance(chart.drawing, Drawing)
    assert renderPDF.drawToString(chart.drawing).startswith(b"%PDF")


# --- A time axis ----------------------------------------------------------------------------

LINE_FILL = "rgb(11%,30%,84%)"  # charts.LINE, as ReportLab writes it


def marker_xs(chart: charts.Chart) -> list[float]:
    """The x of each point's marker in the SVG, left to right."""
    return sorted(
        float(node.get("cx"))
        for node in parsed(chart).iter(f"{SVG}circle")
        if node.get("fill") == LINE_FILL
    )


def proportional(xs: list[float], days: list[int]) -> bool:
    """Whether the gaps between the xs are in the ratio of the gaps between the days."""
    scale = (xs[-1] - xs[0]) / (days[-1] - days[0])
    return all(
        abs((x - xs[0]) - (day - days[0]) * scale) < 0.01 for x, day in zip(xs, days, strict=True)
    )


def test_scores_taken_at_irregular_dates_are_spaced_by_the_time_between_them():
    """Scores on day 0, 2 and 61 (and 62): the second sits 2/61 of the way along, not in the
    middle; the axis labels are dates evenly spaced in time, the latest one last."""
    days = [0, 2, 61, 62]
    chart = charts.score_chart(
        [charts.ScorePoint(START + timedelta(days=n), 40 + n / 10) for n in days],
        chart_id="lefs",
        title="LEFS",
        y_label="Score",
        y_range=(0, 80),
    )
    xs = marker_xs(chart)
    assert len(xs) == 4
    assert proportional(xs, days)
    assert (xs[1] - xs[0]) < (xs[2] - xs[1]) / 20
    labels = {
        node.text: node for node in parsed(chart).iter(f"{SVG}text") if node.text[0].isdigit()
    }
    assert "2 May" in labels  # day 62, the latest
    assert "3 Mar" not in labels  # a score's date is not a label by itself


def test_one_score_and_same_day_scores_still_draw():
    one = charts.score_chart(
        [charts.ScorePoint(START, 40)], chart_id="a", title="A", y_label="S", y_range=(0, 80)
    )
    assert len(marker_xs(one)) == 1
    same_day = charts.score_chart(
        [charts.ScorePoint(START, 40), charts.ScorePoint(START, 44)],
        chart_id="b",
        title="B",
        y_label="S",
        y_range=(0, 80),
    )
    xs = marker_xs(same_day)
    assert len(xs) == 2
    assert xs[0] == xs[1]


def test_pain_days_are_placed_by_their_dates_even_with_days_missing_from_the_list():
    days = [0, 1, 2, 9, 10]
    chart = charts.pain_trend_chart(
        [
            charts.PainDay(day=START + timedelta(days=n), mean_pain=3, max_pain=3, logs=1)
            for n in days
        ]
    )
    assert proportional(marker_xs(chart), days)


def test_consecutive_pain_days_are_evenly_spaced():
    xs = marker_xs(charts.pain_trend_chart(pain_days([2, 3, 4, 5, 6, 7, 8, 9])))
    assert proportional(xs, list(range(8)))
