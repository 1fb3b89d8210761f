"""When a cron trigger fires: pure computation over a pattern, a time zone and a jitter bound.

Patterns are what ``croniter`` accepts, as in Mistral (five fields, an optional
sixth for seconds, ``@daily`` ...). They are read as wall-clock times in the
trigger's IANA time zone (UTC when none is given), and every result is an
aware UTC datetime.

Daylight-saving changes follow classic cron (Vixie cron, cronie), which tells
two kinds of pattern apart by the hour field:

* **Hourly patterns** -- the hour field, once expanded, names all 24 hours
  (``*``, ``*/1``, ``0-23``, a list of every hour; ``@hourly``): the pattern
  follows real elapsed time. A wall-clock time that happens twice on a
  fall-back night fires at both occurrences (``*/15 * * * *`` fires every 15
  real minutes right through the repeated hour), and the hour skipped on a
  spring-forward night simply has no fire times (its times do not exist).
* **Fixed-time patterns** -- every other hour field (``30 1 * * *``,
  ``0 */2 * * *``, ``0 9-17 * * *``): each wall-clock time fires once a day.
  Spring forward: a time that does not exist that night (02:30 when clocks
  jump from 02:00 to 03:00) fires once, as if the clocks had not moved yet
  (02:30 standard time, i.e. 03:30 summer time); fire times that would land
  on the same instant fire once. Fall back: a time that happens twice (02:30
  when clocks go back from 03:00 to 02:00) fires once, at its first occurrence.

(cronie counts any field that starts with ``*`` as hourly, so ``0 */2 * * *``
would be hourly there; Levante asks whether the expanded hours are all 24,
which is what decides whether a run could be lost or doubled.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

UTC = dt.UTC
#: Upper bound on pattern candidates examined for one answer (a guard, never reached
#: by a valid pattern: a nonexistent local time is skipped within a few candidates).
_MAX_CANDIDATES = 10_000


def _fold_shift(wall: dt.datetime, zone: dt.tzinfo) -> dt.timedelta:
    """How far clocks go back at ``wall`` when it happens twice (zero when it happens once)."""
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if first is None or second is None or first <= second:
        return dt.timedelta(0)
    return first - second


def _instants(wall: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, ...]:
    """The real instants (UTC) at which clocks in ``zone`` show ``wall``: none, one or two."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) != wall:
        return ()  # skipped by a spring-forward jump
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return (first,) if second == first else (first, second)


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

    @cached_property
    def hourly(self) -> bool:
        """True when the hour field names every hour: the pattern follows real elapsed time."""
        if self.pattern is None:
            return False
        hours = croniter(self.pattern).expanded[1]
        return hours == ["*"] or set(hours) >= set(range(24))

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after ``after`` (aware UTC); ``None`` without a pattern."""
        if self.pattern is None:
            return None
        after = as_utc(after)
        local = after.astimezone(self.zone)
        wall = local.replace(tzinfo=None)
        if not self.hourly:
            return self._next_fixed(wall, after)
        found = self._next_elapsed(wall, after)
        shift = _fold_shift(wall, self.zone)
        if local.fold == 0 and shift:
            # ``after`` is in the first occurrence of a repeated hour: the repeat of
            # the wall-clock times just before it comes sooner than later ones.
            repeat = self._first_repeat(wall - shift, wall, after)
            if repeat is not None and repeat < found:
                found = repeat
        return found

    def _next_fixed(self, wall: dt.datetime, after: dt.datetime) -> dt.datetime:
        """Fixed-time patterns: each wall-clock time once (the module docstring says how)."""
        candidates = croniter(self.pattern, wall)
        for _ in range(_MAX_CANDIDATES):
            candidate: dt.datetime = candidates.get_next(dt.datetime)
            # fold=0: a time in a spring-forward gap is read with the offset before
            # the jump; a time that happens twice is its first occurrence.
            instant = candidate.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
            if instant > after:
                return instant
        raise ScheduleError(f"Pattern {self.pattern!r} yields no fire time after {after}")

    def _next_elapsed(self, wall: dt.datetime, after: dt.datetime) -> dt.datetime:
        """Hourly patterns: every real instant whose wall-clock time matches, in order."""
        candidates = croniter(self.pattern, wall)
        for _ in range(_MAX_CANDIDATES):
            candidate: dt.datetime = candidates.get_next(dt.datetime)
            for instant in _instants(candidate, self.zone):
                if instant > after:
                    return instant
        raise ScheduleError(f"Pattern {self.pattern!r} yields no fire time after {after}")

    def _first_repeat(self, start: dt.datetime, end: dt.datetime,
                      after: dt.datetime) -> dt.datetime | None:
        """The first second occurrence after ``after`` of a wall time in ``(start, end]``."""
        candidates = croniter(self.pattern, start)
        for _ in range(_MAX_CANDIDATES):
            candidate: dt.datetime = candidates.get_next(dt.datetime)
            if candidate > end:
                return None
            instant = candidate.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
            if instant > after:
                return instant
        return None

    def times_after(self, after: dt.datetime) -> Iterator[dt.datetime]:
        """Every fire time after ``after``, in order: ``next_after`` applied again and again.

        In UTC one croniter walks the whole way (a wall-clock time is an
        instant there); building one per answer parses the pattern each time,
        which made counting the fire times of a long pause take seconds.
        """
        if self.pattern is None:
            return
        if self.zone is not UTC:
            current = self.next_after(after)
            while current is not None:
                yield current
                current = self.next_after(current)
            return
        candidates = croniter(self.pattern, as_utc(after).replace(tzinfo=None))
        while True:
            yield candidates.get_next(dt.datetime).replace(tzinfo=UTC)

    def upcoming(self, first: dt.datetime, count: int) -> list[dt.datetime]:
        """``count`` fire times from ``first`` (included: the trigger's next execution time)."""
        first = as_utc(first)
        if count <= 0:
            return []
        return [first, *itertools.islice(self.times_after(first), count - 1)]
