"""One Levante node: engine runtime, executor and timers sharing one database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from levante.engine.runtime import EngineRuntime
from levante.executor import Executor, ExecutorConfig
from levante.node.work_source import DatabaseWorkSource
from levante.scheduler import CronLoop, CronScheduler, SchedulerConfig
from levante.store import Database, nodes
from levante.store.types import utc_now

T = TypeVar("T")
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeConfig:
    """How a node runs. The defaults suit an embedded single process."""

    #: Name that task ``target`` values select (``--executor-name``).
    executor_name: str | None = None
    #: Seconds a claim on queued work lasts without a heartbeat.
    lease_seconds: float = 30.0
    #: Longest sleep (s) of the timer loop when no timer is due sooner.
    timer_poll: float = 1.0
    #: Seconds between looks for work lost by dead nodes.
    recovery_interval: float = 5.0
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)
    #: Cron triggers: fired by every node (exactly once between them); ``None``: not here.
    cron: SchedulerConfig | None = field(default_factory=SchedulerConfig)


class Node:
    """Runs the executor and the timer loop of one process until stopped.

    Use ``async with Node(db): ...``; ``node.runtime`` is the engine runtime
    that starts and steers executions.
    """

    def __init__(self, db: Database, config: NodeConfig | None = None) -> None:
        """A node over ``db``; nothing runs before :meth:`start`."""
        self.db = db
        self.config = config or NodeConfig()
        self.node_id = ""
        self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="levante-db")
        self._timers_due = asyncio.Event()
        self._source: DatabaseWorkSource | None = None
        self._executor: Executor | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.runtime = EngineRuntime(db, on_work=self._on_work)
        # Cron triggers (levante.scheduler): one loop on its own database thread.
        self.cron: CronLoop | None = None
        if self.config.cron is not None:
            self.cron = CronLoop(CronScheduler(db, self.runtime, config=self.config.cron))

    @property
    def executor(self) -> Executor | None:
        """The running executor (None before :meth:`start` and after :meth:`stop`)."""
        return self._executor

    def _on_work(self) -> None:
        # Called after a commit that enqueued work or set a timer, on the database thread.
        if self._source is not None and self._loop is not None:
            self._source.wake()
            self._loop.call_soon_threadsafe(self._timers_due.set)

    async def in_db(self, work: Callable[[], T]) -> T:
        """Run blocking database ``work`` on the node's database thread."""
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, work)

    async def start(self) -> None:
        """Recover work of dead processes, then start the executor and the timer loop."""
        cfg = self.config
        self._loop = asyncio.get_running_loop()
        self.node_id = await self.in_db(self._register)
        self._source = DatabaseWorkSource(
            self.db,
            self.runtime,
            node_id=self.node_id,
            db_thread=self._db_thread,
            executor_name=cfg.executor_name,
            lease_seconds=cfg.lease_seconds,
        )
        await self.in_db(self._recover)
        self._executor = Executor(self._source, config=cfg.executor)
        await self._executor.start()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._timer_loop(), name="node-timers"),
            loop.create_task(self._recovery_loop(), name="node-recovery"),
        ]
        if self.cron is not None:
            self._tasks.append(loop.create_task(self.cron.run(), name="node-cron"))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming work and timers; let running actions finish for ``grace`` s."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._executor is not None:
            await self._executor.stop(grace)
            self._executor = None
        if self.node_id:
            await self.in_db(self._unregister)
        self._db_thread.shutdown(wait=True)

    async def __aenter__(self) -> Node:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def _register(self) -> str:
        with self.db.transaction() as session:
            row = nodes.register_node(
                session,
                roles=("engine", "executor", "scheduler"),
                executor_name=self.config.executor_name,
                lease_seconds=self.config.lease_seconds,
            )
            return row.id

    def _unregister(self) -> None:
        with self.db.transaction() as session:
            nodes.remove_nodes(session, [self.node_id])

    def _recover(self) -> None:
        """Heartbeat, then hand the work of dead nodes (and expired leases) to the engine."""
        with self.db.transaction() as session:
            nodes.heartbeat(session, self.node_id)
            dead = nodes.dead_nodes(session)
        recovery = self.runtime.recover_lost_actions(dead, expired=True)
        if recovery.requeued or recovery.failed:
            LOG.warning(
                "took over work of lost executors: %d re-queued (safe-rerun), %d failed",
                len(recovery.requeued), len(recovery.failed),
            )
        if dead:
            with self.db.transaction() as session:
                nodes.remove_nodes(session, dead)

    async def _recovery_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.recovery_interval)
            try:
                await self.in_db(self._recover)
            except Exception:
                # Keep the node alive; the next round retries.
                LOG.exception(
                    "recovering lost work failed; retrying in %ss", self.config.recovery_interval
                )

    async def _timer_loop(self) -> None:
        poll = self.config.timer_poll
        while True:
            try:
                fired = await self.in_db(self.runtime.fire_due_timers)
                if fired:
                    continue
                due = await self.in_db(self.runtime.next_timer_due)
            except Exception:
                # A failed round (e.g. the database restarting) is retried after a pause.
                LOG.exception("firing timers failed; retrying in %ss", poll)
                await asyncio.sleep(poll)
                continue
            delay = poll if due is None else _seconds_until(due, poll)
            self._timers_due.clear()
            try:
                async with asyncio.timeout(delay):
                    await self._timers_due.wait()
            except TimeoutError:
                pass


def _seconds_until(due: dt.datetime, longest: float) -> float:
    if due.tzinfo is None:
        due = due.replace(tzinfo=dt.UTC)
    return max(0.0, min(longest, (due - utc_now()).total_seconds()))
