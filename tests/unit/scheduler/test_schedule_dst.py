"""Daylight-saving nights: hourly patterns follow real time, fixed-time patterns fire once.

Europe/Paris 2026: clocks jump 02:00 -> 03:00 on 29 March (01:00 UTC) and go back
03:00 -> 02:00 on 25 October (01:00 UTC). America/New_York 2026: 02:00 -> 03:00
on 8 March (07:00 UTC), 02:00 -> 01:00 on 1 November (06:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from levante.scheduler.schedule import CronSchedule

UTC = dt.UTC
PARIS, NEW_YORK = "Europe/Paris", "America/New_York"
HOUR, MINUTE = dt.timedelta(hours=1), dt.timedelta(minutes=1)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def fire_times(pattern: str, zone: str, start: str, end: str) -> list[dt.datetime]:
    """Every fire time strictly after ``start`` up to ``end`` (UTC)."""
    schedule, times = CronSchedule(pattern, zone), []
    current: dt.datetime | None = utc(start)
    while True:
        current = schedule.next_after(current)
        assert current is not None
        if current > utc(end):
            return times
        times.append(current)


def local(times: list[dt.datetime], zone: str) -> list[str]:
    """The times as the zone's clocks show them, with their UTC offset."""
    return [t.astimezone(ZoneInfo(zone)).strftime("%H:%M%z") for t in times]


def every(step: dt.timedelta, start: str, end: str) -> list[dt.datetime]:
    times, current = [], utc(start) + step
    while current <= utc(end):
        times.append(current)
        current += step
    return times


@pytest.mark.parametrize("pattern", ["0 * * * *", "0 */1 * * *", "0 0-23 * * *", "@hourly",
                                     "*/15 * * * *", "* * * * *", "5,35 * * * 0"])
def test_patterns_naming_every_hour_are_hourly(pattern: str) -> None:
    assert CronSchedule(pattern, PARIS).hourly


@pytest.mark.parametrize("pattern", ["30 1 * * *", "0 */2 * * *", "*/15 2 * * *",
                                     "0 9-17 * * *", "@daily"])
def test_patterns_with_chosen_hours_are_fixed_time(pattern: str) -> None:
    assert not CronSchedule(pattern, PARIS).hourly


# Fall back: the repeated hour is run through, in real time --------------------------

@pytest.mark.parametrize(("zone", "start", "end"), [
    (PARIS, "2026-10-24 22:00", "2026-10-25 04:00"),
    (NEW_YORK, "2026-11-01 03:00", "2026-11-01 09:00"),
])
@pytest.mark.parametrize(("pattern", "step"), [
    ("0 * * * *", HOUR), ("*/15 * * * *", 15 * MINUTE), ("* * * * *", MINUTE),
])
def test_fall_back_hourly_patterns_fire_every_real_interval(
    zone: str, start: str, end: str, pattern: str, step: dt.timedelta,
) -> None:
    assert fire_times(pattern, zone, start, end) == every(step, start, end)


def test_fall_back_hourly_pattern_fires_in_both_occurrences_of_the_repeated_hour() -> None:
    times = fire_times("0 * * * *", PARIS, "2026-10-24 23:30", "2026-10-25 02:30")
    assert local(times, PARIS) == ["02:00+0200", "02:00+0100", "03:00+0100"]
    times = fire_times("30 * * * *", NEW_YORK, "2026-11-01 04:00", "2026-11-01 07:00")
    assert local(times, NEW_YORK) == ["00:30-0400", "01:30-0400", "01:30-0500"]


def test_from_inside_the_first_occurrence_the_repeat_comes_next() -> None:
    quarter = CronSchedule("*/15 * * * *", PARIS)
    # 02:45 summer time (00:45 UTC) -> 02:00 winter time (01:00 UTC), not 03:00.
    assert quarter.next_after(utc("2026-10-25 00:45")) == utc("2026-10-25 01:00")
    assert quarter.next_after(utc("2026-10-25 00:50")) == utc("2026-10-25 01:00")
    minutely = CronSchedule("* * * * *", NEW_YORK)
    assert minutely.next_after(utc("2026-11-01 05:59:30")) == utc("2026-11-01 06:00")


@pytest.mark.parametrize(("pattern", "zone", "start", "expected"), [
    ("30 1 * * *", NEW_YORK, "2026-10-31 12:00", ["01:30-0400", "01:30-0500"]),
    ("30 2 * * *", PARIS, "2026-10-24 12:00", ["02:30+0200", "02:30+0100"]),
    ("0 2 * * *", PARIS, "2026-10-24 12:00", ["02:00+0200", "02:00+0100"]),
])
def test_fall_back_fixed_times_fire_once_at_the_first_occurrence(
    pattern: str, zone: str, start: str, expected: list[str],
) -> None:
    # Two days: the DST night (summer offset) and the next (winter offset), once each.
    end = (utc(start) + dt.timedelta(days=2)).isoformat(" ")[:16]
    assert local(fire_times(pattern, zone, start, end), zone) == expected


def test_fall_back_fixed_hour_with_frequent_minutes_fires_its_hour_once() -> None:
    times = fire_times("*/15 2 * * *", PARIS, "2026-10-24 12:00", "2026-10-25 12:00")
    assert local(times, PARIS) == ["02:00+0200", "02:15+0200", "02:30+0200", "02:45+0200"]


# Spring forward: the skipped hour has no fire times; nothing is lost in real time ---

@pytest.mark.parametrize(("zone", "start", "end"), [
    (PARIS, "2026-03-28 22:00", "2026-03-29 04:00"),
    (NEW_YORK, "2026-03-08 04:00", "2026-03-08 10:00"),
])
@pytest.mark.parametrize(("pattern", "step"), [
    ("0 * * * *", HOUR), ("*/15 * * * *", 15 * MINUTE), ("* * * * *", MINUTE),
])
def test_spring_forward_hourly_patterns_fire_every_real_interval(
    zone: str, start: str, end: str, pattern: str, step: dt.timedelta,
) -> None:
    assert fire_times(pattern, zone, start, end) == every(step, start, end)


def test_spring_forward_hourly_pattern_has_no_fire_time_in_the_skipped_hour() -> None:
    times = fire_times("30 * * * *", PARIS, "2026-03-28 23:45", "2026-03-29 02:00")
    assert local(times, PARIS) == ["01:30+0100", "03:30+0200"]
    times = fire_times("0 * * * *", NEW_YORK, "2026-03-08 05:30", "2026-03-08 08:00")
    assert local(times, NEW_YORK) == ["01:00-0500", "03:00-0400", "04:00-0400"]


@pytest.mark.parametrize(("pattern", "zone", "start", "expected"), [
    ("30 2 * * *", PARIS, "2026-03-28 12:00", ["03:30+0200", "02:30+0200"]),
    ("30 2 * * *", NEW_YORK, "2026-03-07 12:00", ["03:30-0400", "02:30-0400"]),
    ("0 2 * * *", PARIS, "2026-03-28 12:00", ["03:00+0200", "02:00+0200"]),
])
def test_spring_forward_fixed_times_in_the_gap_fire_once_just_after_the_jump(
    pattern: str, zone: str, start: str, expected: list[str],
) -> None:
    end = (utc(start) + dt.timedelta(days=2)).isoformat(" ")[:16]
    assert local(fire_times(pattern, zone, start, end), zone) == expected


def test_next_after_is_a_pure_function_of_pattern_zone_and_time() -> None:
    """The firing code caches answers by (pattern, zone, after): asking again changes nothing."""
    after = utc("2026-10-25 00:45")
    first = CronSchedule("*/15 * * * *", PARIS).next_after(after)
    assert CronSchedule("*/15 * * * *", PARIS).next_after(after) == first
    assert CronSchedule("*/15 * * * *", PARIS).upcoming(after, 3) == [
        after, utc("2026-10-25 01:00"), utc("2026-10-25 01:15")]
