"""Cron trigger fields as the API checks them: patterns, time zones, first times, policies.

The schedule computation itself lives in :mod:`levante.scheduler.schedule`;
this module turns its errors into 400s with Mistral's messages.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TypeVar

from levante.api.errors import BadRequest
from levante.scheduler.schedule import CronSchedule, ScheduleError
from levante.scheduler.schedule import check_pattern as _check_pattern
from levante.scheduler.schedule import time_zone as _time_zone

E = TypeVar("E", bound=StrEnum)

#: How far in the future a first execution time must be (Mistral's rule).
FIRST_TIME_MARGIN = dt.timedelta(seconds=60)


def check_pattern(pattern: str) -> None:
    """``BadRequest`` unless ``pattern`` is a valid cron pattern; the message says why."""
    try:
        _check_pattern(pattern)
    except ScheduleError as error:
        raise BadRequest(str(error)) from None


def check_time_zone(name: str | None) -> None:
    """``BadRequest`` unless ``name`` is empty or an IANA time zone."""
    try:
        _time_zone(name)
    except ScheduleError as error:
        raise BadRequest(str(error)) from None


def next_fire_time(pattern: str, after: dt.datetime, zone: str | None = None) -> dt.datetime:
    """The first time strictly after ``after`` that ``pattern`` fires in ``zone`` (aware UTC)."""
    fired = CronSchedule(pattern, zone).next_after(after)
    assert fired is not None
    return fired


def parse_first_time(text: str) -> dt.datetime:
    """A first execution time: ``"YYYY-MM-DD HH:MM"`` (as the CLI sends it) or ISO 8601, UTC."""
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), layout).replace(tzinfo=dt.UTC)
        except ValueError:
            pass
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"first_execution_time {text!r} is not a time; use 'YYYY-MM-DD HH:MM' (UTC)"
        ) from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def check_schedule(
    pattern: str | None, first_time: dt.datetime | None, count: int | None, now: dt.datetime
) -> None:
    """Mistral's rules for a trigger's schedule; ``BadRequest`` naming the broken one."""
    if not (first_time or pattern):
        raise BadRequest("Pattern or first_execution_time must be specified.")
    if count is not None and count < 1:
        raise BadRequest(f"remaining_executions must be at least 1, got {count}")
    if first_time:
        if first_time < now + FIRST_TIME_MARGIN:
            raise BadRequest("first_execution_time must be at least 1 minute in the future.")
        if not pattern and count and count > 1:
            raise BadRequest("Pattern must be provided if count is superior to 1.")
    if pattern:
        check_pattern(pattern)


def check_choice(kind: type[E], field: str, value: str) -> E:
    """``value`` as a member of policy enum ``kind``, or a 400 listing the allowed words."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise BadRequest(f"{field} must be one of {allowed}; got {value!r}") from None


def check_not_negative(field: str, value: int | None) -> None:
    """``BadRequest`` when an optional count or duration is negative."""
    if value is not None and value < 0:
        raise BadRequest(f"{field} must be 0 or more, got {value}")
