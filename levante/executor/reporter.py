"""Batching outcomes so the engine applies many results per transaction."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from levante.executor.model import ActionOutcome

LOG = logging.getLogger(__name__)


class OutcomeBatcher:
    """Collects outcomes and reports them in batches.

    A batch goes out when ``batch_size`` outcomes are waiting, or
    ``interval`` seconds after the first of them arrived, whichever comes
    first. One report is in flight at a time. A failed report is retried
    with the same outcomes (plus any that arrived meanwhile) after
    ``retry_delay``; nothing is dropped while the executor runs.
    """

    def __init__(
        self,
        report: Callable[[Sequence[ActionOutcome]], Awaitable[None]],
        *,
        batch_size: int = 256,
        interval: float = 0.005,
        retry_delay: float = 0.5,
    ) -> None:
        """Send batches through ``report`` (usually ``WorkSource.report``)."""
        self._report = report
        self._batch_size = batch_size
        self._interval = interval
        self._retry_delay = retry_delay
        self._buffer: list[ActionOutcome] = []
        self._has_items = asyncio.Event()
        self._full = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._closing = False
        self._deadline = 0.0
        self._task: asyncio.Task[bool] | None = None

    @property
    def backlog(self) -> int:
        """How many outcomes wait to be reported."""
        return len(self._buffer)

    def waiting_ids(self) -> list[str]:
        """Ids of outcomes not yet reported (their leases must be kept)."""
        return [o.action_execution_id for o in self._buffer]

    def add(self, outcome: ActionOutcome) -> None:
        """Queue one outcome for the next batch."""
        buffer = self._buffer
        buffer.append(outcome)
        if len(buffer) == 1:
            self._has_items.set()
            self._drained.clear()
        if len(buffer) >= self._batch_size:
            self._full.set()

    async def wait_below(self, limit: int) -> None:
        """Wait until fewer than ``limit`` outcomes are waiting (back-pressure)."""
        while len(self._buffer) >= limit:
            self._drained.clear()
            await self._drained.wait()

    def start(self) -> None:
        """Start reporting in a background task (call once, inside the loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outcome-batcher")

    async def close(self, deadline: float) -> bool:
        """Report everything still waiting, retrying until ``deadline`` (monotonic).

        Returns False when outcomes remain unreported at the deadline; their
        leases then expire and the queue hands them out again.
        """
        if self._task is None:
            raise RuntimeError("OutcomeBatcher.close() called before start()")
        self._closing = True
        self._deadline = deadline
        self._has_items.set()
        self._full.set()
        return await self._task

    async def _run(self) -> bool:
        while True:
            if not self._buffer:
                if self._closing:
                    return True
                self._has_items.clear()
                await self._has_items.wait()
                continue
            if len(self._buffer) < self._batch_size and not self._closing:
                try:
                    async with asyncio.timeout(self._interval):
                        await self._full.wait()
                except TimeoutError:
                    pass  # the interval passed: send what we have
            if await self._send_one_batch():
                continue
            if self._closing and time.monotonic() + self._retry_delay > self._deadline:
                LOG.error("Gave up reporting %d action outcomes at shutdown", len(self._buffer))
                return False
            await asyncio.sleep(self._retry_delay)

    async def _send_one_batch(self) -> bool:
        batch = self._buffer[: self._batch_size]
        if not batch:
            return True
        try:
            await self._report(batch)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception:
            LOG.exception("Reporting %d action outcomes failed; will retry", len(batch))
            return False
        del self._buffer[: len(batch)]
        if not self._buffer:
            self._drained.set()
        if len(self._buffer) < self._batch_size and not self._closing:
            self._full.clear()
        return True
