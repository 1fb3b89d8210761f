"""A first-come, first-served reentrant lock: SQLite's single writer, shared fairly by threads.

``threading.RLock`` is not fair: a thread that releases it and asks again at
once (a busy executor committing batch after batch) usually wins against one
that has been waiting, which can starve, say, the cron loop for seconds. Here
the releasing owner hands the lock to the longest waiting thread directly.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class WriterLock:
    """Reentrant; waiters get the lock in the order they asked for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = -1) -> bool:
        """Take the lock (again, if this thread holds it), waiting for earlier askers first.

        With a ``timeout`` (s), gives up after it and returns False.
        """
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return True
            baton = threading.Lock()
            baton.acquire()
            entry = (me, baton)
            self._waiters.append(entry)
        if baton.acquire(timeout=timeout):  # released by the owner handing the lock to us
            return True
        with self._guard:
            if self._owner == me:  # handed over just as the wait ended
                return True
            self._waiters.remove(entry)
            return False

    def release(self) -> None:
        """Give up one level; the last one hands the lock to the next waiter, if any."""
        with self._guard:
            if self._owner != threading.get_ident():
                raise RuntimeError("WriterLock released by a thread that does not hold it")
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                self._owner, baton = self._waiters.popleft()
                self._depth = 1
                baton.release()
            else:
                self._owner = None

    @contextmanager
    def held(self, timeout: float) -> Iterator[bool]:
        """Hold the lock for a block (True), or run it without after ``timeout`` s (False)."""
        taken = self.acquire(timeout)
        try:
            yield taken
        finally:
            if taken:
                self.release()
