"""One firing step: which fire times start, which are recorded as missed, what comes next."""

from __future__ import annotations

import datetime as dt

from levante.scheduler.planning import SCAN_LIMIT, Step, plan_step
from levante.scheduler.policies import MissedRunPolicy
from levante.scheduler.schedule import CronSchedule

UTC = dt.UTC
MINUTELY = CronSchedule("* * * * *")
GRACE = dt.timedelta(seconds=60)


def at(minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + dt.timedelta(minutes=minute,
                                                                     seconds=second)


def test_not_yet_due_does_nothing() -> None:
    assert plan_step(at(5), MINUTELY, at(4, 59)) == Step((), None, at(5))


def test_on_time_starts_and_moves_to_the_next_fire_time() -> None:
    assert plan_step(at(5), MINUTELY, at(5, 0)) == Step((), at(5), at(6))


def test_late_within_the_grace_still_starts_each_fire_time_in_turn() -> None:
    # Two fire times due, both within the grace: the older starts now, the next one after.
    assert plan_step(at(5), MINUTELY, at(6, 10), grace=dt.timedelta(seconds=90)) == Step(
        (), at(5), at(6))


def test_run_once_starts_the_newest_missed_and_records_the_rest() -> None:
    step = plan_step(at(0), MINUTELY, at(10, 30), grace=dt.timedelta(seconds=10))
    assert step.start == at(10) and step.late
    assert step.missed == tuple(at(m) for m in range(10))
    assert step.next_time == at(11)


def test_run_once_with_a_timely_fire_time_records_the_older_ones_as_missed() -> None:
    step = plan_step(at(0), MINUTELY, at(10, 30), grace=dt.timedelta(seconds=45))
    assert step.missed == tuple(at(m) for m in range(10)) and step.start is None
    assert step.next_time == at(10)
    assert plan_step(step.next_time, MINUTELY, at(10, 30), grace=GRACE).start == at(10)


def test_skip_starts_nothing_and_records_every_missed_fire_time() -> None:
    step = plan_step(at(0), MINUTELY, at(10, 30), policy=MissedRunPolicy.SKIP,
                     grace=dt.timedelta(seconds=10))
    assert step == Step(tuple(at(m) for m in range(11)), None, at(11))


def test_run_all_starts_each_missed_fire_time_up_to_the_limit_newest_kept() -> None:
    now = at(10, 30)
    step = plan_step(at(0), MINUTELY, now, policy=MissedRunPolicy.RUN_ALL, limit=3,
                     grace=dt.timedelta(seconds=10))
    assert step.missed == tuple(at(m) for m in range(8))
    assert step.start == at(8) and step.next_time == at(9)
    started = [step.start]
    while step.next_time is not None and step.next_time <= now:
        step = plan_step(step.next_time, MINUTELY, now, policy=MissedRunPolicy.RUN_ALL,
                         limit=3, grace=dt.timedelta(seconds=10))
        assert step.missed == ()
        started.append(step.start)
    assert started == [at(8), at(9), at(10)]


def test_run_all_with_limit_zero_is_skip() -> None:
    step = plan_step(at(0), MINUTELY, at(3, 30), policy=MissedRunPolicy.RUN_ALL, limit=0,
                     grace=dt.timedelta(seconds=10))
    assert step.start is None and len(step.missed) == 4


def test_every_fire_time_is_accounted_for_exactly_once_under_each_policy() -> None:
    for policy in MissedRunPolicy:
        now, seen = at(45, 5), []
        step = plan_step(at(0), MINUTELY, now, policy=policy, limit=5,
                         grace=dt.timedelta(seconds=3))
        seen += [*step.missed, *([step.start] if step.start else [])]
        while step.next_time is not None and step.next_time <= now:
            step = plan_step(step.next_time, MINUTELY, now, policy=policy, limit=5,
                             grace=dt.timedelta(seconds=3))
            seen += [*step.missed, *([step.start] if step.start else [])]
        assert sorted(seen) == [at(m) for m in range(46)], policy


def test_a_long_outage_is_worked_through_in_chunks() -> None:
    per_second = CronSchedule("* * * * * *")
    now = at(0) + dt.timedelta(seconds=SCAN_LIMIT + 500)
    step = plan_step(at(0), per_second, now, grace=GRACE)
    assert len(step.missed) == SCAN_LIMIT and step.start is None
    assert step.next_time == at(0) + dt.timedelta(seconds=SCAN_LIMIT)


def test_jitter_moves_when_a_fire_time_is_due_not_which_it_is() -> None:
    def later(t: dt.datetime) -> dt.datetime:
        return t + dt.timedelta(seconds=20)

    assert plan_step(at(5), MINUTELY, at(5, 10), due_at=later).start is None
    assert plan_step(at(5), MINUTELY, at(5, 20), due_at=later) == Step((), at(5), at(6))


def test_a_one_shot_trigger_has_no_next_fire_time() -> None:
    assert plan_step(at(5), CronSchedule(None), at(5, 1)) == Step((), at(5), None)
