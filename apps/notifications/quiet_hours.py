"""Quiet hours: pure time arithmetic in the patient's own zone, DST included."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    # A wall time that does not exist (clocks jump forward) is read with the offset from
    # before the jump, so 02:30 on that night means 03:30 new time: later, never lost.
    # One that happens twice (clocks go back) is its first occurrence.
    return datetime.combine(day, moment, tzinfo=zone)


def shift_out_of_quiet_hours(
    when: datetime, *, start: time | None, end: time | None, zone: ZoneInfo
) -> datetime:
    """`when`, or the end of the quiet window it falls in. Never earlier, never dropped.

    The window is [start, end) in local wall time and may wrap midnight (22:00–07:00).
    """
    if start is None or end is None or start == end:
        return when
    local = when.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= wall < end
        end_day = local.date()
    else:
        inside = wall >= start or wall < end
        end_day = local.date() + timedelta(days=1) if wall >= start else local.date()
    if not inside:
        return when
    return max(_local(end_day, end, zone), when)
