"""When a cron trigger fires: pure computation over a pattern, a time zone and a jitter bound.

Patterns are what ``croniter`` accepts, as in Mistral (five fields, an optional
sixth for seconds, ``@daily`` ...). They are read as wall-clock times in the
trigger's IANA time zone (UTC when none is given), and every result is an
aware UTC datetime. Daylight-saving changes, in words:

* spring forward: a wall-clock time that does not exist that night (02:30
  when clocks jump from 02:00 to 03:00) fires once, as if the clocks had not
  moved yet (02:30 standard time, i.e. 03:30 summer time); fire times that
  would land on the same instant fire once;
* fall back: a wall-clock time that happens twice (02:30 when clocks go back
  from 03:00 to 02:00) fires once, at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

UTC = dt.UTC
#: Upper bound on pattern candidates examined for one answer (a guard, never reached
#: by a valid pattern: a nonexistent local time is skipped within a few candidates).
_MAX_CANDIDATES = 10_000


class ScheduleError(ValueError):
    """A pattern or time zone that cannot be used; the message says what to write instead."""


def check_pattern(pattern: str) -> None:
    """Raise :class:`ScheduleError` unless ``pattern`` is a cron pattern croniter accepts."""
    try:
        croniter(pattern)
    except (CroniterError, ValueError, KeyError) as error:
        raise ScheduleError(
            f"The specified pattern is not valid: {pattern} ({error}; expected five fields "
            "'minute hour day-of-month month day-of-week', e.g. '0 2 * * mon')"
        ) from None


def time_zone(name: str | None) -> dt.tzinfo:
    """The IANA time zone ``name`` (``None`` or ``""``: UTC); :class:`ScheduleError` if unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Paris', "
            "'America/New_York' or 'UTC'"
        ) from None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware UTC datetime (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def jitter_delay(trigger_id: str, scheduled: dt.datetime, bound_seconds: float) -> dt.timedelta:
    """The random delay, in ``[0, bound_seconds)``, of one fire time of one trigger.

    Derived from a hash of the trigger and the fire time, so every node computes
    the same delay (and a restart does not move it), yet a thousand triggers
    with the same pattern spread over the bound.
    """
    if bound_seconds <= 0:
        return dt.timedelta(0)
    digest = hashlib.sha256(f"{trigger_id}|{as_utc(scheduled).isoformat()}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return dt.timedelta(milliseconds=int(fraction * bound_seconds * 1000))


@dataclass(frozen=True)
class CronSchedule:
    """A cron pattern read in a time zone; answers "when next?" in UTC."""

    pattern: str | None
    """``None`` for a trigger that fires only at its first execution time."""
    zone_name: str | None = None
    """IANA time zone of the pattern's wall-clock times; ``None`` means UTC."""

    @cached_property
    def zone(self) -> dt.tzinfo:
        """The time zone object (UTC when none is set)."""
        return time_zone(self.zone_name)

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after ``after`` (aware UTC); ``None`` without a pattern."""
        if self.pattern is None:
            return None
        after = as_utc(after)
        local = after.astimezone(self.zone).replace(tzinfo=None)
        candidates = croniter(self.pattern, local)
        for _ in range(_MAX_CANDIDATES):
            wall: dt.datetime = candidates.get_next(dt.datetime)
            # fold=0: a time in a spring-forward gap is read with the offset before
            # the jump; a time that happens twice is its first occurrence.
            instant = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
            if instant > after:
                return instant
        raise ScheduleError(f"Pattern {self.pattern!r} yields no fire time after {after}")

    def upcoming(self, first: dt.datetime, count: int) -> list[dt.datetime]:
        """``count`` fire times from ``first`` (included: the trigger's next execution time)."""
        times: list[dt.datetime] = []
        current: dt.datetime | None = as_utc(first)
        while current is not None and len(times) < count:
            times.append(current)
            current = self.next_after(current)
        return times
