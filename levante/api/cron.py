"""Cron patterns: checking them and computing the next time they fire (UTC).

Patterns are what ``croniter`` accepts, as in Mistral: five fields
(``"0 2 * * mon"``), an optional sixth for seconds, or ``@daily`` and friends.
"""

from __future__ import annotations

import datetime as dt

from croniter import CroniterError, croniter

from levante.api.errors import BadRequest

#: How far in the future a first execution time must be (Mistral's rule).
FIRST_TIME_MARGIN = dt.timedelta(seconds=60)


def check_pattern(pattern: str) -> None:
    """``BadRequest`` unless ``pattern`` is a valid cron pattern; the message says why."""
    try:
        croniter(pattern)
    except (CroniterError, ValueError, KeyError) as error:
        raise BadRequest(
            f"The specified pattern is not valid: {pattern} ({error}; expected five fields "
            "'minute hour day-of-month month day-of-week', e.g. '0 2 * * mon')"
        ) from None


def next_fire_time(pattern: str, after: dt.datetime) -> dt.datetime:
    """The first time strictly after ``after`` that ``pattern`` fires (aware UTC)."""
    if after.tzinfo is None:
        after = after.replace(tzinfo=dt.UTC)
    naive = after.astimezone(dt.UTC).replace(tzinfo=None)
    fired: dt.datetime = croniter(pattern, naive).get_next(dt.datetime)
    return fired.replace(tzinfo=dt.UTC)


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
