"""Issue 24: a questionnaire schedule is named in one wording, in the reader's language and
plural ("LEFS cada 14 días"), by outcomes' selector that the portal's pages use."""

import pytest
from django.utils import translation

from apps.outcomes.models import OutcomeSchedule
from apps.outcomes.selectors import schedule_display_name

NAMES = {"lefs": "LEFS"}


@pytest.mark.parametrize(
    ("language", "every_days", "said"),
    [
        ("en", 1, "LEFS every day"),
        ("en", 14, "LEFS every 14 days"),
        ("es", 1, "LEFS cada día"),
        ("es", 14, "LEFS cada 14 días"),
    ],
)
def test_a_schedule_is_named_in_the_readers_language_and_plural(language, every_days, said):
    schedule = OutcomeSchedule(instrument_id="lefs", every_days=every_days)

    with translation.override(language):
        assert schedule_display_name(schedule, NAMES) == said


def test_an_instrument_without_a_name_is_named_by_its_code():
    schedule = OutcomeSchedule(instrument_id="koos12", every_days=7)

    with translation.override("es"):
        assert schedule_display_name(schedule, {}) == "koos12 cada 7 días"
