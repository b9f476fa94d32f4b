"""Issue 24: a chart's description (the portal's and the report's charts, read by screen
readers) says each number with its own plural form, in the reader's language: never
"day(s)" or "día(s)". Spanish, like English, has one form for 1 and another for 0, 2, 3…
Its axis ticks use the reader's decimal mark."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from apps.interop import charts

START = date(2026, 3, 1)


def pain_days(flagged: set[int]) -> list[charts.PainDay]:
    return [
        charts.PainDay(
            day=START + timedelta(days=n), mean_pain=3, max_pain=3, logs=1, red_flag=n in flagged
        )
        for n in range(4)
    ]


def scores(count: int) -> list[charts.ScorePoint]:
    return [charts.ScorePoint(START + timedelta(days=14 * n), 40 + n) for n in range(count)]


@pytest.mark.parametrize(
    ("language", "flagged", "said"),
    [
        ("es", set(), "0 días con una señal de alarma."),
        ("es", {1}, "1 día con una señal de alarma."),
        ("es", {1, 2}, "2 días con una señal de alarma."),
        ("en", set(), "0 days with a red flag."),
        ("en", {1}, "1 day with a red flag."),
        ("en", {1, 2}, "2 days with a red flag."),
    ],
)
def test_the_pain_chart_counts_red_flag_days_in_the_readers_plural(language, flagged, said):
    with translation.override(language):
        description = charts.pain_trend_chart(pain_days(flagged)).description

    assert description.endswith(said)
    assert "(s)" not in description


@pytest.mark.parametrize(
    ("language", "count", "said"),
    [
        ("es", 1, "1 puntuación del "),
        ("es", 3, "3 puntuaciones del "),
        ("en", 1, "1 score from "),
        ("en", 3, "3 scores from "),
    ],
)
def test_the_score_chart_counts_scores_in_the_readers_plural(language, count, said):
    with translation.override(language):
        description = charts.score_chart(
            scores(count), chart_id="lefs", title="LEFS", y_label="Score", y_range=(0, 80)
        ).description

    assert description.startswith(said)
    assert "(es)" not in description


def svg_texts(chart: charts.Chart) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(charts.chart_svg(chart))  # noqa: S314 - our own output
    return [(node.text or "").strip() for node in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(
    ("language", "ticks"),
    [
        ("es", ["0", "0,8", "1,6", "2,4", "3,2", "4"]),
        ("en", ["0", "0.8", "1.6", "2.4", "3.2", "4"]),
    ],
)
def test_a_score_charts_axis_uses_the_readers_decimal_mark(language, ticks):
    """A 0–4 scale is ticked every 0.8: "0,8" for a Spanish reader, "0.8" for an English one."""
    points = [charts.ScorePoint(START, 1.5), charts.ScorePoint(START + timedelta(days=14), 2.5)]
    with translation.override(language):
        texts = svg_texts(
            charts.score_chart(points, chart_id="s", title="Scale", y_label="Score", y_range=(0, 4))
        )

    assert [text for text in texts if text in ticks] == ticks
    other_mark = "." if language == "es" else ","
    assert not [text for text in texts if text[:1].isdigit() and other_mark in text]
