"""Resuming a paused trigger: the fire times that passed while it was paused go into its history.

A paused trigger is skipped by the firing loop and its ``next_execution_time``
stays where it was; resuming recomputes it from now. The fire times in
between are recorded as ``paused`` in the resume's transaction, so the
history shows every fire time. Only the newest :data:`PAUSED_ROWS_KEPT` are
written (a per-second trigger paused for a day has 86,400); the oldest row
written says how many older ones were left out.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.scheduler.policies import FiredBy, RunOutcome
from levante.scheduler.schedule import CronSchedule, as_utc
from levante.store.bulk import insert_rows
from levante.store.models import CronTrigger, new_id
from levante.store.models.triggers import CronTriggerRun

#: Most ``paused`` rows one resume writes (the newest fire times).
PAUSED_ROWS_KEPT = 1000
#: Most fire times counted one by one; beyond, the newest are found by looking back from now.
SCAN_LIMIT = 5000
_RUNS = CronTriggerRun.__table__


@dataclass(frozen=True)
class PausedFireTimes:
    """The fire times that passed while a trigger was paused."""

    newest: tuple[dt.datetime, ...]
    """The newest of them (at most the ``keep`` asked for), oldest first."""
    older: int
    """How many older ones are not in ``newest``."""
    older_is_exact: bool = True
    """False when there were too many to count: ``older`` is then a lower bound."""
    first: dt.datetime | None = None
    """The first of all of them (the trigger's pending fire time when it was resumed)."""


def paused_fire_times(schedule: CronSchedule, pending: dt.datetime, now: dt.datetime, *,
                      keep: int = PAUSED_ROWS_KEPT,
                      scan_limit: int = SCAN_LIMIT) -> PausedFireTimes:
    """The fire times of ``schedule`` from ``pending`` (included) to ``now`` (included).

    Pure. At most ``scan_limit`` fire times are looked at one by one; when
    there are more, the newest ``keep`` are found in growing windows back
    from ``now`` and the count of older ones becomes a lower bound.
    """
    pending, now = as_utc(pending), as_utc(now)
    newest, counted, done = _scan(schedule, pending, now, keep, scan_limit)
    if done:
        return PausedFireTimes(tuple(newest), counted - len(newest), True,
                               pending if counted else None)
    last = newest[-1]
    exact = True  # False once a stretch of fire times was skipped uncounted
    # Windows sized from the spacing seen so far, so that one usually holds ``keep``.
    spacing = (last - pending) / max(1, counted - 1)
    window = max(spacing * keep * 2, dt.timedelta(seconds=1))
    while True:
        start = max(now - window, last)
        following = schedule.next_after(start)
        found, count, done = (_scan(schedule, following, now, keep, scan_limit)
                              if following is not None else (deque(), 0, True))
        if start == last:  # the window met the part already counted
            if done:
                kept = (list(newest) + list(found))[-keep:]
                total = counted + count
                return PausedFireTimes(tuple(kept), total - len(kept), exact, pending)
            counted, last, newest = counted + count, found[-1], found
            continue
        if not done:  # denser than expected: skip to where this scan stopped
            counted, last, newest, exact = counted + count, found[-1], found, False
            continue
        if len(found) >= keep:
            # Count the stretch between the counted part and the window if that is cheap.
            after_last = schedule.next_after(last)
            _, gap_count, gap_done = (
                _scan(schedule, after_last, start, 1, scan_limit)
                if after_last is not None else (deque(), 0, True))
            older = counted + gap_count + count - len(found)
            return PausedFireTimes(tuple(found), older, exact and gap_done, pending)
        window *= 2


def _scan(schedule: CronSchedule, first: dt.datetime, now: dt.datetime, keep: int,
          limit: int) -> tuple[deque[dt.datetime], int, bool]:
    """The newest ``keep`` fire times from ``first`` to ``now``, how many, and whether all seen."""
    newest: deque[dt.datetime] = deque(maxlen=keep)
    count = 0
    for current in itertools.chain((first,), schedule.times_after(first)):
        if current > now:
            break
        if count == limit:
            return newest, count, False
        newest.append(current)
        count += 1
    return newest, count, True


def record_paused_fire_times(session: Session, row: CronTrigger, schedule: CronSchedule,
                             pending: dt.datetime, now: dt.datetime) -> int:
    """Add a ``paused`` history row for each fire time of ``row`` that passed while paused.

    ``schedule`` and ``pending`` are the trigger's pattern and next fire time
    as they were while it was paused (before the resume changes them). Fire
    times that already have a row are left alone. Returns the rows added.
    """
    if schedule.pattern is None:
        return 0  # a first-time-only trigger still fires (late) after the resume
    times = paused_fire_times(schedule, pending, now)
    if not times.newest:
        return 0
    taken = set(session.scalars(select(CronTriggerRun.scheduled_at).where(
        CronTriggerRun.trigger_id == row.id,
        CronTriggerRun.scheduled_at >= times.newest[0],
        CronTriggerRun.scheduled_at <= times.newest[-1])))
    taken = {as_utc(moment) for moment in taken}
    rows = [{"id": new_id(), "trigger_id": row.id, "trigger_name": row.name,
             "project_id": row.project_id, "scheduled_at": moment, "recorded_at": now,
             "fired_by": FiredBy.SCHEDULE.value, "outcome": RunOutcome.PAUSED.value,
             "execution_id": None,
             "detail": _left_out(times) if index == 0 and times.older else None}
            for index, moment in enumerate(times.newest) if moment not in taken]
    insert_rows(session, _RUNS, rows)  # one statement for up to a thousand rows
    return len(rows)


def _left_out(times: PausedFireTimes) -> str:
    count = f"{times.older}" if times.older_is_exact else f"more than {times.older}"
    since = f" since {times.first.isoformat()}" if times.first is not None else ""
    return (f"{count} older fire times while paused{since} are not listed "
            f"(only the newest {len(times.newest)} are)")
