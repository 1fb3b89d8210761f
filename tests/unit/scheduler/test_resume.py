"""The fire times a paused trigger let pass, as its resume records them."""

from __future__ import annotations

import datetime as dt

from levante.scheduler.resume import PausedFireTimes, paused_fire_times
from levante.scheduler.schedule import CronSchedule

UTC = dt.UTC
MINUTELY = CronSchedule("* * * * *")
NIGHTLY = CronSchedule("0 2 * * *")


def at(minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + dt.timedelta(minutes=minute,
                                                                     seconds=second)


def test_every_fire_time_from_the_pending_one_to_now_both_included() -> None:
    times = paused_fire_times(MINUTELY, at(0), at(10))
    assert times == PausedFireTimes(tuple(at(m) for m in range(11)), 0, True, at(0))


def test_nothing_when_the_pending_fire_time_is_still_ahead() -> None:
    assert paused_fire_times(MINUTELY, at(5), at(4, 59)).newest == ()


def test_only_the_newest_are_kept_and_the_older_ones_counted() -> None:
    times = paused_fire_times(MINUTELY, at(0), at(99, 30), keep=5)
    assert times.newest == tuple(at(m) for m in range(95, 100))
    assert (times.older, times.older_is_exact, times.first) == (95, True, at(0))


def test_beyond_the_scan_limit_the_newest_are_found_back_from_now() -> None:
    # 10,000 minutes paused, only 20 looked at one by one: still the newest 3 exactly.
    times = paused_fire_times(MINUTELY, at(0), at(10_000, 5), keep=3, scan_limit=20)
    assert times.newest == (at(9998), at(9999), at(10_000))
    assert not times.older_is_exact and 20 <= times.older < 10_000


def test_uneven_patterns_past_the_scan_limit_still_give_the_newest() -> None:
    # Dense at 02:xx, nothing the rest of the day: windows grow until they hold enough.
    hourly_burst = CronSchedule("* 2 * * *")
    start = dt.datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    now = dt.datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
    times = paused_fire_times(hourly_burst, start, now, keep=4, scan_limit=100)
    last_burst = dt.datetime(2026, 1, 20, 2, 59, tzinfo=UTC)
    assert times.newest == tuple(last_burst - dt.timedelta(minutes=m) for m in (3, 2, 1, 0))


def test_a_count_that_ends_near_the_limit_stays_exact() -> None:
    times = paused_fire_times(NIGHTLY, dt.datetime(2026, 1, 1, 2, tzinfo=UTC),
                              dt.datetime(2026, 1, 31, 3, tzinfo=UTC), keep=2, scan_limit=20)
    assert times.newest == (dt.datetime(2026, 1, 30, 2, tzinfo=UTC),
                            dt.datetime(2026, 1, 31, 2, tzinfo=UTC))
    assert times.older == 29
