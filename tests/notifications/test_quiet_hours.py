"""Quiet hours move a reminder to the end of the window, in the patient's zone; they
never drop it, and they stay right across clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.notifications.quiet_hours import shift_out_of_quiet_hours

LONDON = ZoneInfo("Europe/London")
NIGHT = {"start": dt.time(22, 0), "end": dt.time(7, 0), "zone": LONDON}
AFTERNOON = {"start": dt.time(13, 0), "end": dt.time(15, 0), "zone": LONDON}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("when", "window", "expected"),
    [
        (at(2026, 6, 10, 21, 59), NIGHT, at(2026, 6, 10, 21, 59)),  # just before
        (at(2026, 6, 10, 22, 0), NIGHT, at(2026, 6, 11, 7, 0)),  # start is inside
        (at(2026, 6, 10, 23, 30), NIGHT, at(2026, 6, 11, 7, 0)),  # before midnight
        (at(2026, 6, 11, 3, 0), NIGHT, at(2026, 6, 11, 7, 0)),  # after midnight
        (at(2026, 6, 11, 7, 0), NIGHT, at(2026, 6, 11, 7, 0)),  # end is outside
        (at(2026, 6, 10, 14, 0), AFTERNOON, at(2026, 6, 10, 15, 0)),  # a window within a day
        (at(2026, 6, 10, 15, 0), AFTERNOON, at(2026, 6, 10, 15, 0)),
        (at(2026, 6, 10, 12, 59), AFTERNOON, at(2026, 6, 10, 12, 59)),
    ],
)
def test_reminders_inside_quiet_hours_wait_for_their_end(when, window, expected):
    assert shift_out_of_quiet_hours(when, **window) == expected


def test_no_quiet_hours_changes_nothing():
    when = at(2026, 6, 10, 3, 0)
    assert shift_out_of_quiet_hours(when, start=None, end=None, zone=LONDON) == when


def test_across_the_spring_clock_change_the_end_is_local_7_00():
    # 29 March 2026: London jumps from 01:00 GMT to 02:00 BST. The night is an hour short.
    moved = shift_out_of_quiet_hours(at(2026, 3, 28, 23, 0), **NIGHT)
    assert moved == at(2026, 3, 29, 7, 0)
    assert moved.utcoffset() == dt.timedelta(hours=1)
    assert moved.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.UTC)


def test_across_the_autumn_clock_change_the_end_is_local_7_00():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice.
    first_half_past_one = at(2026, 10, 25, 1, 30)
    moved = shift_out_of_quiet_hours(first_half_past_one, **NIGHT)
    assert moved.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 7, 0, tzinfo=dt.UTC)


def test_a_window_ending_in_the_spring_gap_still_delivers_after_it():
    # Quiet until 01:30, a time that does not exist on 29 March in London.
    moved = shift_out_of_quiet_hours(
        at(2026, 3, 29, 0, 30), start=dt.time(23, 0), end=dt.time(1, 30), zone=LONDON
    )
    assert moved > at(2026, 3, 29, 0, 30)
    assert moved.astimezone(dt.UTC) <= dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


def test_the_window_is_read_in_the_patients_zone_not_utc():
    tokyo = ZoneInfo("Asia/Tokyo")
    when = dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.UTC)  # 23:00 in Tokyo
    moved = shift_out_of_quiet_hours(when, start=dt.time(22, 0), end=dt.time(7, 0), zone=tokyo)
    assert moved == dt.datetime(2026, 6, 11, 7, 0, tzinfo=tokyo)
