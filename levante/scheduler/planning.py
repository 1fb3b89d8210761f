"""What one firing step of a trigger does: pure, given its next fire time and the clock.

A step handles the trigger's oldest pending fire times: it records those the
missed-run policy drops, starts at most one execution, and says what the
trigger's next fire time becomes. The database side repeats steps while the
trigger is due, one transaction each, so every step is small and atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from levante.scheduler.policies import DEFAULT_MISSED_RUN_LIMIT, MissedRunPolicy
from levante.scheduler.schedule import CronSchedule, as_utc

#: Most fire times one step looks at (a per-second trigger after a day of downtime
#: is worked through in chunks of this many, each recorded as missed).
SCAN_LIMIT = 1000


class Schedule(Protocol):
    """What planning asks of a schedule (:class:`CronSchedule` answers it)."""

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after ``after`` (aware UTC), or ``None``."""


@lru_cache(maxsize=256)
def _schedule(pattern: str | None, zone_name: str | None) -> CronSchedule:
    return CronSchedule(pattern, zone_name)


@lru_cache(maxsize=8192)
def _next_after(pattern: str | None, zone_name: str | None,
                after: dt.datetime) -> dt.datetime | None:
    return _schedule(pattern, zone_name).next_after(after)


@dataclass(frozen=True)
class RememberedSchedule:
    """A :class:`CronSchedule` whose answers are kept (a pure function of their arguments).

    A thousand triggers with the pattern ``0 2 * * *`` ask the same question
    at 02:00; croniter answers it once.
    """

    pattern: str | None
    zone_name: str | None = None

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """As :meth:`CronSchedule.next_after`."""
        return _next_after(self.pattern, self.zone_name, as_utc(after))


def remembered_schedule(pattern: str | None, zone_name: str | None) -> RememberedSchedule:
    """The schedule of a trigger's pattern and time zone, answering from memory when it can."""
    return RememberedSchedule(pattern, zone_name)


@dataclass(frozen=True)
class Step:
    """The outcome of planning one step."""

    missed: tuple[dt.datetime, ...]
    """Fire times to record as missed (none starts)."""
    start: dt.datetime | None
    """The fire time to start an execution for, if any."""
    next_time: dt.datetime | None
    """The trigger's next fire time afterwards; ``None``: no more (the trigger is done)."""
    late: bool = False
    """True when ``start`` is a missed fire time started by the missed-run policy."""


def plan_step(
    next_time: dt.datetime,
    schedule: Schedule,
    now: dt.datetime,
    *,
    policy: MissedRunPolicy = MissedRunPolicy.RUN_ONCE,
    limit: int | None = None,
    grace: dt.timedelta = dt.timedelta(seconds=60),
    due_at: Callable[[dt.datetime], dt.datetime] = lambda t: t,
) -> Step:
    """Plan one step for a trigger whose pending fire time is ``next_time``.

    ``due_at`` maps a fire time to when it is due (the fire time plus its
    jitter). A fire time found more than ``grace`` after it was due is missed,
    and ``policy`` decides about it; one found sooner simply starts.
    """
    now = as_utc(now)
    due: list[dt.datetime] = []
    current: dt.datetime | None = as_utc(next_time)
    while current is not None and due_at(current) <= now and len(due) < SCAN_LIMIT:
        due.append(current)
        current = schedule.next_after(current)
    if not due:
        return Step((), None, as_utc(next_time))
    following = current
    truncated = following is not None and due_at(following) <= now
    late = [t for t in due if now - due_at(t) > grace]
    if not late:
        return Step((), due[0], schedule.next_after(due[0]))
    if truncated:
        # Even newer fire times wait beyond this chunk: every one here is older
        # than what any policy could start.
        return Step(tuple(due), None, following)
    timely = due[len(late):]
    if policy is MissedRunPolicy.SKIP or (policy is MissedRunPolicy.RUN_ONCE and timely):
        return Step(tuple(late), None, timely[0] if timely else following)
    if policy is MissedRunPolicy.RUN_ONCE:
        return Step(tuple(late[:-1]), late[-1], following, late=True)
    keep = max(0, DEFAULT_MISSED_RUN_LIMIT if limit is None else limit)
    if keep == 0:
        return Step(tuple(late), None, timely[0] if timely else following)
    dropped, kept = late[:-keep], late[-keep:]
    return Step(tuple(dropped), kept[0], schedule.next_after(kept[0]), late=True)
