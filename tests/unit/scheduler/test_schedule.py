"""Fire times: patterns read in a time zone, across daylight-saving changes, and jitter."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from levante.scheduler.schedule import CronSchedule, ScheduleError, check_pattern, jitter_delay

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def fire_times(schedule: CronSchedule, start: str, end: str) -> list[dt.datetime]:
    out = []
    current = schedule.next_after(at(start))
    while current is not None and current < at(end):
        out.append(current)
        current = schedule.next_after(current)
    return out


def test_without_a_time_zone_the_pattern_is_utc() -> None:
    schedule = CronSchedule("0 2 * * mon")
    assert schedule.next_after(at("2026-03-04 10:00")) == at("2026-03-09 02:00")


def test_next_fire_time_is_strictly_after() -> None:
    assert CronSchedule("*/5 * * * *").next_after(at("2026-01-01 00:05")) == at("2026-01-01 00:10")


def test_seconds_as_a_sixth_field() -> None:
    times = fire_times(CronSchedule("* * * * * */2"), "2026-01-01 00:00:00", "2026-01-01 00:00:07")
    assert [t.second for t in times] == [2, 4, 6]


def test_wall_clock_time_in_the_trigger_time_zone() -> None:
    paris = CronSchedule("30 2 * * *", "Europe/Paris")
    # January: Paris is UTC+1.
    assert paris.next_after(at("2026-01-10 12:00")) == at("2026-01-11 01:30")
    # July: UTC+2.
    assert paris.next_after(at("2026-07-10 12:00")) == at("2026-07-11 00:30")


def test_spring_forward_runs_a_nonexistent_time_exactly_once() -> None:
    # 2026-03-29: Paris jumps from 02:00 to 03:00; 02:30 does not exist that night.
    times = fire_times(CronSchedule("30 2 * * *", "Europe/Paris"), "2026-03-27 12:00",
                       "2026-03-30 12:00")
    assert times == [at("2026-03-28 01:30"), at("2026-03-29 01:30"), at("2026-03-30 00:30")]


def test_spring_forward_frequent_pattern_never_fires_twice_at_one_instant() -> None:
    times = fire_times(CronSchedule("*/15 * * * *", "Europe/Paris"), "2026-03-29 00:30",
                       "2026-03-29 01:31")
    assert len(times) == len(set(times))
    assert times == sorted(times)
    # 01:00Z is both "02:00 before the jump" and 03:00 summer time: one run.
    assert times == [at("2026-03-29 00:45"), at("2026-03-29 01:00"), at("2026-03-29 01:15"),
                     at("2026-03-29 01:30")]


def test_fall_back_runs_a_repeated_time_once_at_its_first_occurrence() -> None:
    # 2026-10-25: Paris goes back from 03:00 to 02:00; 02:30 happens twice.
    times = fire_times(CronSchedule("30 2 * * *", "Europe/Paris"), "2026-10-24 12:00",
                       "2026-10-26 12:00")
    assert times == [at("2026-10-25 00:30"), at("2026-10-26 01:30")]


def test_new_york_spring_forward_and_fall_back() -> None:
    ny = CronSchedule("30 2 * * *", "America/New_York")
    spring = fire_times(ny, "2026-03-07 12:00", "2026-03-10 12:00")
    assert len(spring) == 3 and len({t.date() for t in spring}) == 3
    fall = fire_times(ny, "2026-10-31 12:00", "2026-11-03 12:00")
    assert len(fall) == 3 and len({t.date() for t in fall}) == 3


def test_no_pattern_means_no_further_fire_time() -> None:
    assert CronSchedule(None).next_after(at("2026-01-01 00:00")) is None
    assert CronSchedule(None).upcoming(at("2026-01-01 00:00"), 5) == [at("2026-01-01 00:00")]


def test_upcoming_starts_at_the_next_execution_time() -> None:
    upcoming = CronSchedule("0 * * * *").upcoming(at("2026-01-01 00:00"), 3)
    assert upcoming == [at("2026-01-01 00:00"), at("2026-01-01 01:00"), at("2026-01-01 02:00")]


def test_unknown_time_zone_and_bad_pattern_are_refused_with_a_hint() -> None:
    with pytest.raises(ScheduleError, match="IANA name such as 'Europe/Paris'"):
        CronSchedule("* * * * *", "Mars/Olympus").next_after(at("2026-01-01 00:00"))
    with pytest.raises(ScheduleError, match="The specified pattern is not valid: 0 2 \\* \\*"):
        check_pattern("0 2 * *")


def test_jitter_stays_within_its_bound_and_is_the_same_on_every_node() -> None:
    scheduled = at("2026-01-01 02:00")
    delays = [jitter_delay(f"trigger-{i}", scheduled, 30) for i in range(500)]
    assert all(dt.timedelta(0) <= d < dt.timedelta(seconds=30) for d in delays)
    assert len(set(delays)) > 400  # spread, not all in one second
    assert max(delays) > dt.timedelta(seconds=25) and min(delays) < dt.timedelta(seconds=5)
    assert jitter_delay("trigger-1", scheduled, 30) == delays[1]


def test_no_jitter_bound_means_no_delay() -> None:
    assert jitter_delay("t", at("2026-01-01 02:00"), 0) == dt.timedelta(0)


PATTERNS = ["* * * * *", "*/7 * * * *", "30 2 * * *", "0 */3 * * mon-fri", "15 1 1 * *",
            "*/20 * * * * */15", "@hourly", "0 0 29 2 *"]


@pytest.mark.parametrize("zone", [None, "UTC", "Europe/Paris", "America/New_York"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_times_after_is_next_after_again_and_again(pattern: str, zone: str | None) -> None:
    schedule = CronSchedule(pattern, zone)
    after = dt.datetime(2026, 3, 28, 23, 10, tzinfo=dt.UTC)  # the eve of Europe's spring forward
    expected, current = [], after
    for _ in range(60):
        current = schedule.next_after(current)
        assert current is not None
        expected.append(current)
    assert list(itertools.islice(schedule.times_after(after), 60)) == expected
    assert schedule.upcoming(expected[0], 60) == expected


def test_times_after_without_a_pattern_is_empty() -> None:
    assert list(CronSchedule(None).times_after(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))) == []
    assert CronSchedule(None).upcoming(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 3) == [
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
