"""Row ids: UUIDs in their 36-character text form, as Mistral's, but ordered by time.

A random (version 4) UUID lands anywhere in a primary-key index, and in
every index of a column that refers to it: starting one execution dirtied
a different page in about eleven indexes, and a burst of a thousand cron
starts wrote some 14,000 pages. Ids that begin with their creation time
(version 7, RFC 9562: 48 bits of Unix milliseconds, then 74 random bits)
are appended next to each other instead, on SQLite and PostgreSQL alike, so
one page takes the index entries of many rows. Clients see the same kind of
value as before: 36 characters, a valid UUID, unique.

:func:`derived_id` makes the same kind of id from a key instead of random
bits (version 8, the RFC's custom layout): the same key and time always give
the same id, on every node (a cron trigger's fire time names its execution).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import time

_RANDOM_62 = (1 << 62) - 1
_VARIANT = 0b10 << 62
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _text(value: int) -> str:
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _layout(milliseconds: int, version: int, bits: int) -> int:
    """48 bits of time, the version, 12 + 62 bits of ``bits``, the RFC variant."""
    return ((milliseconds & 0xFFFF_FFFF_FFFF) << 80 | version << 76
            | ((bits >> 62) & 0xFFF) << 64 | _VARIANT | bits & _RANDOM_62)


class _RandomBits:
    """80-bit random numbers from ``os.urandom``, read 4 KiB at a time.

    A call to ``os.urandom`` is a system call, which costs more than the rest
    of making an id; the bytes are just as random read in bulk. A forked
    child starts with a fresh buffer (never its parent's bytes).
    """

    _SIZE = 10 * 410

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._buffer = b""
        self._at = 0

    def next(self) -> int:
        with self._lock:
            if self._at >= len(self._buffer):
                self._buffer, self._at = os.urandom(self._SIZE), 0
            at = self._at
            self._at = at + 10
            return int.from_bytes(self._buffer[at:at + 10])


_RANDOM = _RandomBits()


def new_id() -> str:
    """A new row id: a version 7 UUID (creation time first, then random bits)."""
    return _text(_layout(time.time_ns() // 1_000_000, 7, _RANDOM.next()))


def derived_id(key: str, at: dt.datetime) -> str:
    """The id for ``key`` at ``at`` (aware): the same on every call and every node.

    A version 8 UUID: ``at`` in milliseconds first, so ids made for one moment
    sit together in an index, then bits of the SHA-256 of ``key`` and ``at``.
    """
    moment = at.astimezone(dt.UTC)
    digest = hashlib.sha256(f"{key}|{moment.isoformat()}".encode()).digest()
    milliseconds = (moment - _EPOCH) // dt.timedelta(milliseconds=1)
    return _text(_layout(milliseconds, 8, int.from_bytes(digest[:10])))
