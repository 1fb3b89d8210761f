"""The node's cron loop: sleep until the next trigger is due, fire, repeat.

Between rounds it also purges old trigger history (:mod:`levante.scheduler.retention`),
at most once per ``HistoryRetention.interval`` on each node.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

from levante.scheduler.firing import CronScheduler
from levante.scheduler.retention import HistoryRetention, PurgeReport, purge_history
from levante.scheduler.schedule import as_utc

LOG = logging.getLogger(__name__)


class CronLoop:
    """Runs a :class:`CronScheduler` on its own database thread until cancelled.

    Its own thread keeps a burst of fire times (a thousand triggers at 02:00)
    from queueing behind the node's other database work, and the reverse.
    """

    def __init__(self, scheduler: CronScheduler,
                 retention: HistoryRetention | None = None) -> None:
        """A loop over ``scheduler``; nothing runs before :meth:`run`.

        ``retention`` says how much history to keep (the defaults when not
        given); ``HistoryRetention`` values are checked when it is made.
        """
        self.scheduler = scheduler
        self.retention = retention or HistoryRetention()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="levante-cron")
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        """Set while no :meth:`CronScheduler.fire_due` runs (the executor waits on it)."""
        self._idle.set()
        self._next_purge: dt.datetime | None = None

    def purge_if_due(self) -> PurgeReport | None:
        """Purge old history if this node's last purge was ``interval`` ago (``None``: not yet).

        A purge that stopped with rows left is continued at the next call.
        """
        now = as_utc(self.scheduler.clock())
        if self._next_purge is not None and now < self._next_purge:
            return None
        # Set first: a purge that fails is tried again after the interval, not every round.
        self._next_purge = now + self.retention.interval
        report = purge_history(self.scheduler.db, self.retention, now)
        if report.more:
            self._next_purge = None
        return report

    async def let_executor_claim(self) -> None:
        """Return once this node's executor may claim work; call on the event loop.

        At once, unless a round of fire times is being fired: then when it
        ends, or when it has had its ``executor_yield`` seconds of priority.
        """
        left = self.scheduler.priority_left()
        if left <= 0 or self._idle.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(left):
                await self._idle.wait()

    def wake(self) -> None:
        """Look for due triggers now (e.g. after one was created); call on the event loop."""
        self._wake.set()

    async def run(self) -> None:
        """Fire due triggers forever; errors are logged and the round retried after a pause."""
        loop = asyncio.get_running_loop()
        poll = self.scheduler.config.poll
        try:
            while True:
                try:
                    await self._fire(loop)
                    await self._purge(loop)
                    due = await loop.run_in_executor(self._thread, self.scheduler.next_due)
                except Exception:
                    # Keep the node alive (e.g. the database restarting); retry after a pause.
                    LOG.exception("firing cron triggers failed; retrying in %ss", poll)
                    due = None
                delay = poll if due is None else _seconds_until(due, self.scheduler.clock(), poll)
                self._wake.clear()
                try:
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                except TimeoutError:
                    pass
        finally:
            self._thread.shutdown(wait=False)

    async def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._idle.clear()
        try:
            await loop.run_in_executor(self._thread, self.scheduler.fire_due)
        finally:
            self._idle.set()

    async def _purge(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await loop.run_in_executor(self._thread, self.purge_if_due)
        except Exception:
            # History is housekeeping: never let it hold up firing.
            LOG.exception("purging cron trigger history failed; trying again later")


def _seconds_until(due: dt.datetime, now: dt.datetime, longest: float) -> float:
    return max(0.0, min(longest, (as_utc(due) - as_utc(now)).total_seconds()))
