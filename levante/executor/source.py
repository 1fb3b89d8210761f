"""Where the executor gets work and sends results: the :class:`WorkSource` seam.

The store implements it over the database queue (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, an in-process queue on SQLite); :class:`InMemoryWorkSource` is
the stand-in for tests and the embedded fast path.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from levante.executor.model import ActionOutcome, ActionRequest


class WorkSource(Protocol):
    """The work queue as the executor sees it.

    Implementations must tolerate being called from one event loop only; the
    executor never calls them concurrently with themselves except
    ``heartbeat`` alongside ``claim``/``report``.
    """

    async def claim(self, limit: int) -> list[ActionRequest]:
        """Take up to ``limit`` requests, leasing them to this executor."""
        ...

    async def report(self, outcomes: Sequence[ActionOutcome]) -> None:
        """Accept a batch of outcomes (ideally in one transaction).

        Raising makes the executor retry the same batch later, so applying
        an outcome must be idempotent (accepted at most once per id).
        """
        ...

    async def heartbeat(self, action_execution_ids: Sequence[str]) -> None:
        """Extend the leases of requests still running here."""
        ...

    async def wait_for_work(self, timeout: float) -> None:
        """Return when new work may be claimable, or after ``timeout`` seconds.

        Must return at once if work arrived since the last ``claim`` returned
        nothing (no lost wake-ups). The timeout is the polling fallback.
        """
        ...


class InMemoryWorkSource:
    """A :class:`WorkSource` in process memory: for tests and embedded runs."""

    def __init__(self, on_report: Callable[[Sequence[ActionOutcome]], None] | None = None) -> None:
        """Start empty; ``on_report`` is called with each reported batch."""
        self._queue: deque[ActionRequest] = deque()
        self._work = asyncio.Event()
        self._reported_changed = asyncio.Event()
        self._on_report = on_report
        self.outcomes: dict[str, ActionOutcome] = {}
        self.report_batches: list[int] = []
        self.heartbeats: list[tuple[str, ...]] = []
        self.claimed: int = 0
        self.fail_next_reports: int = 0

    def put(self, request: ActionRequest) -> None:
        """Enqueue one request and wake the executor."""
        self._queue.append(request)
        self._work.set()

    def put_many(self, requests: Iterable[ActionRequest]) -> None:
        """Enqueue several requests and wake the executor once."""
        self._queue.extend(requests)
        self._work.set()

    @property
    def queued(self) -> int:
        """How many requests wait to be claimed."""
        return len(self._queue)

    async def claim(self, limit: int) -> list[ActionRequest]:
        """Take up to ``limit`` requests in arrival order."""
        queue = self._queue
        count = min(limit, len(queue))
        taken = [queue.popleft() for _ in range(count)]
        self.claimed += count
        return taken

    async def report(self, outcomes: Sequence[ActionOutcome]) -> None:
        """Record the batch; fails on purpose while ``fail_next_reports`` > 0."""
        if self.fail_next_reports > 0:
            self.fail_next_reports -= 1
            raise ConnectionError("in-memory source told to fail this report")
        self.report_batches.append(len(outcomes))
        for outcome in outcomes:
            self.outcomes[outcome.action_execution_id] = outcome
        if self._on_report is not None:
            self._on_report(outcomes)
        self._reported_changed.set()

    async def heartbeat(self, action_execution_ids: Sequence[str]) -> None:
        """Record which ids were heartbeated."""
        self.heartbeats.append(tuple(action_execution_ids))

    async def wait_for_work(self, timeout: float) -> None:
        """Wait until something is put, or ``timeout`` passes."""
        if self._queue:
            return
        self._work.clear()
        try:
            async with asyncio.timeout(timeout):
                await self._work.wait()
        except TimeoutError:
            return

    async def wait_reported(self, count: int) -> None:
        """Wait until at least ``count`` distinct outcomes were reported."""
        while len(self.outcomes) < count:
            self._reported_changed.clear()
            await self._reported_changed.wait()
