"""Caps on SSH handshakes in flight, so a stock sshd never drops one.

OpenSSH's ``MaxStartups 10:30:100`` starts refusing connections at random
once 10 are unauthenticated. A :class:`HandshakeLimiter` keeps a semaphore
per key (a server, or a gateway and the hosts reached through it) and lets
at most ``limit`` handshakes per key run at once. Semaphores of keys nobody
is using are dropped, so a long-lived process does not collect them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class HandshakeLimiter:
    """At most ``limit`` holders per key at once."""

    def __init__(self, limit: int) -> None:
        """Allow ``limit`` (>= 1) concurrent holders for each key."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        # key -> (semaphore, [users waiting or holding, holders])
        self._slots: dict[Hashable, tuple[asyncio.Semaphore, list[int]]] = {}
        #: The most holders each key has had at once (for tests and benchmarks).
        self.peak: dict[Hashable, int] = {}

    @asynccontextmanager
    async def slot(self, key: Hashable) -> AsyncIterator[None]:
        """Hold one of ``key``'s slots for the duration of the block."""
        entry = self._slots.get(key)
        if entry is None:
            entry = self._slots[key] = (asyncio.Semaphore(self.limit), [0, 0])
        semaphore, counts = entry
        counts[0] += 1
        try:
            async with semaphore:
                counts[1] += 1
                self.peak[key] = max(self.peak.get(key, 0), counts[1])
                try:
                    yield
                finally:
                    counts[1] -= 1
        finally:
            counts[0] -= 1
            if counts[0] == 0:
                del self._slots[key]
