"""The instant tests freeze the clock at, when what they check depends on the date, the
weekday or the hour ("today", adherence, trends, plan dates, reminders, quiet hours).

Wednesday 18 November 2026, 12:30 UTC: a plain weekday in mid-month, no clock change
near it, and mid-day in every zone the tests use (07:30 in New York, 12:30 in London,
13:30 in Berlin, 21:30 in Tokyo).

Use the `frozen_now` fixture (tests/conftest.py); it starts before any other fixture of
the test, so users, tokens and rows are all made at this instant. The clock ticks on from
there (rows made one after another keep their order). Tests that start real worker,
beat or server processes stay on the real clock: those processes do not share it.
"""

import datetime as dt

FROZEN_NOW = dt.datetime(2026, 11, 18, 12, 30, tzinfo=dt.UTC)
FROZEN_TODAY = FROZEN_NOW.date()
