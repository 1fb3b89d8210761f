"""One Levante node: engine runtime, executor, timers and cluster duties sharing one database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from levante.engine.runtime import EngineRuntime, NewWork
from levante.executor import Executor, ExecutorConfig
from levante.node.cluster import ALL_ROLES, Membership, Role
from levante.node.notify import DeliveryConfig, NotificationDelivery
from levante.node.wakeup import ClusterWakeup, backoff_delays
from levante.node.work_source import DatabaseWorkSource
from levante.scheduler import CronLoop, CronScheduler, SchedulerConfig
from levante.scheduler.retention import HistoryRetention
from levante.store import Database
from levante.store.types import utc_now

T = TypeVar("T")
LOG = logging.getLogger(__name__)


def settle_heap() -> None:
    """Leave what start-up made out of the garbage collector's full passes (``gc.freeze``).

    A long-lived process holds some 10^5 objects from start-up (modules, the
    REST app, SQLAlchemy's caches, parsed specs) that never become garbage;
    otherwise every full collection walks them all, some 80 ms on the
    development machine, landing in the middle of whatever runs (a burst of
    cron fire times). Call once from a process's main, after start-up.
    """
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class NodeConfig:
    """How a node runs. The defaults suit an embedded single process and a cluster alike."""

    #: What this node does (``--role``); every role unless told otherwise.
    roles: frozenset[Role] = ALL_ROLES
    #: Name that task ``target`` values select (``--executor-name``).
    executor_name: str | None = None
    #: Seconds a claim (and the node's heartbeat) lasts without renewal: after
    #: that, another node takes the work over. Running actions renew their
    #: claims every third of it.
    lease_seconds: float = 10.0
    #: Seconds between the node's heartbeats (and its looks for dead nodes' work).
    heartbeat_interval: float = 2.0
    #: Longest sleep (s) of the timer loop when no timer is due sooner.
    timer_poll: float = 1.0
    #: Longest pause (s) between retries of a loop whose database work failed.
    longest_backoff: float = 5.0
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)
    #: Cron triggers: fired by every scheduler node (exactly once between them);
    #: ``None``: not here.
    cron: SchedulerConfig | None = field(default_factory=SchedulerConfig)
    #: How much cron trigger history the cron loop keeps (``--cron-history-rows/-days``).
    cron_history: HistoryRetention = field(default_factory=HistoryRetention)
    #: Delivery of executions' ``notify`` webhooks (every node delivers).
    notify: DeliveryConfig = field(default_factory=DeliveryConfig)


class Node:
    """Runs the executor, the timer loop and the cluster duties of one process until stopped.

    Use ``async with Node(db): ...``; ``node.runtime`` is the engine runtime
    that starts and steers executions. Which loops run depends on the roles.
    """

    def __init__(self, db: Database, config: NodeConfig | None = None) -> None:
        """A node over ``db``; nothing runs before :meth:`start`."""
        self.db = db
        self.config = config or NodeConfig()
        self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="levante-db")
        self._timers_due = asyncio.Event()
        self._source: DatabaseWorkSource | None = None
        self._executor: Executor | None = None
        self._wakeup: ClusterWakeup | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._delivery: NotificationDelivery | None = None
        self.runtime = EngineRuntime(db, on_work=self._on_work)
        self.membership = Membership(
            db, self.runtime, roles=self.config.roles,
            executor_name=self.config.executor_name, lease_seconds=self.config.lease_seconds,
        )
        # Cron triggers (levante.scheduler): one loop on its own database thread.
        self.cron: CronLoop | None = None
        if self.config.cron is not None and Role.SCHEDULER in self.config.roles:
            self.cron = CronLoop(CronScheduler(db, self.runtime, config=self.config.cron),
                                 self.config.cron_history)

    @property
    def node_id(self) -> str:
        """This node's id in ``nodes`` ("" before :meth:`start`)."""
        return self.membership.node_id

    @property
    def roles(self) -> frozenset[Role]:
        """What this node does."""
        return self.config.roles

    @property
    def executor(self) -> Executor | None:
        """The running executor (None before :meth:`start` and after :meth:`stop`)."""
        return self._executor

    @property
    def wakeup(self) -> ClusterWakeup | None:
        """Cross-node wake-ups (PostgreSQL only; None on SQLite)."""
        return self._wakeup

    def _on_work(self, kinds: NewWork) -> None:
        # Called after a commit that left work for other loops, on a database thread.
        self._wake_local(kinds)
        if self._wakeup is not None:
            self._wakeup.announce(kinds)

    def _wake_local(self, kinds: NewWork) -> None:
        """Wake the loops of this node that have work of ``kinds`` (a burst of cron
        starts wakes the executor, not the timer and delivery loops)."""
        if NewWork.ACTIONS in kinds and self._source is not None:
            self._source.wake()
        if self._loop is None:
            return
        if NewWork.TIMERS in kinds:
            self._loop.call_soon_threadsafe(self._timers_due.set)
        if NewWork.NOTIFICATIONS in kinds and self._delivery is not None:
            self._loop.call_soon_threadsafe(self._delivery.wake)

    async def in_db(self, work: Callable[[], T]) -> T:
        """Run blocking database ``work`` on the node's database thread."""
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, work)

    async def start(self) -> None:
        """Register, recover work of dead processes, then start the loops of this node's roles."""
        cfg = self.config
        self._loop = asyncio.get_running_loop()
        await self.in_db(self.membership.register)
        if Role.EXECUTOR in cfg.roles:
            self._source = DatabaseWorkSource(
                self.db,
                self.runtime,
                node_id=self.node_id,
                db_thread=self._db_thread,
                executor_name=cfg.executor_name,
                lease_seconds=cfg.lease_seconds,
                yield_to=self.cron.let_executor_claim if self.cron is not None else None,
            )
        if self.db.is_postgresql:
            self._wakeup = ClusterWakeup(
                self.db.url, self.node_id, self._wake_local, longest_backoff=cfg.longest_backoff
            )
            await self.in_db(self._wakeup.start)
        await self.in_db(self.membership.recover)
        if self._source is not None:
            # Claims are renewed well within their lease, whatever the executor's default.
            executor_config = replace(cfg.executor, heartbeat_interval=min(
                cfg.executor.heartbeat_interval, cfg.lease_seconds / 3))
            self._executor = Executor(self._source, config=executor_config)
            await self._executor.start()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._membership_loop(), name="node-membership")]
        if Role.SCHEDULER in cfg.roles:
            self._tasks.append(loop.create_task(self._timer_loop(), name="node-timers"))
        if self.cron is not None:
            self._tasks.append(loop.create_task(self.cron.run(), name="node-cron"))
        # Notifications (levante.node.notify): every node delivers the outbox of
        # executions' `notify` webhooks; a claim keeps two nodes from sending one row at once.
        self._delivery = NotificationDelivery(self.db, config=cfg.notify)
        self._tasks.append(loop.create_task(self._delivery.run(), name="node-notify"))

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
        if self._wakeup is not None:
            await self.in_db(self._wakeup.stop)
            self._wakeup = None
        if self.node_id:
            try:
                await self.in_db(self.membership.unregister)
            except SQLAlchemyError:
                LOG.exception("could not unregister node %s; others will find it dead",
                              self.node_id)
        self._db_thread.shutdown(wait=True)

    async def __aenter__(self) -> Node:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _membership_loop(self) -> None:
        """Heartbeat and take over dead nodes' work, every ``heartbeat_interval``."""
        interval = self.config.heartbeat_interval
        delay = backoff_delays(interval, self.config.longest_backoff)
        while True:
            try:
                await self.in_db(self.membership.heartbeat)
                await self.in_db(self.membership.recover)
            except Exception:
                # The database may be restarting: keep the node alive and try again.
                pause = delay()
                LOG.exception("heartbeat or take-over failed; retrying in %.1fs", pause)
                await asyncio.sleep(pause)
                continue
            delay = backoff_delays(interval, self.config.longest_backoff)
            await asyncio.sleep(interval)

    async def _timer_loop(self) -> None:
        poll = self.config.timer_poll
        delay = backoff_delays(0.1, self.config.longest_backoff)
        while True:
            try:
                fired = await self.in_db(self.runtime.fire_due_timers)
                if fired:
                    continue
                due = await self.in_db(self.runtime.next_timer_due)
            except Exception:
                # A failed round (e.g. the database restarting) is retried after a pause.
                pause = delay()
                LOG.exception("firing timers failed; retrying in %.1fs", pause)
                await asyncio.sleep(pause)
                continue
            delay = backoff_delays(0.1, self.config.longest_backoff)
            wait = poll if due is None else _seconds_until(due, poll)
            self._timers_due.clear()
            try:
                async with asyncio.timeout(wait):
                    await self._timers_due.wait()
            except TimeoutError:
                pass


def _seconds_until(due: dt.datetime, longest: float) -> float:
    if due.tzinfo is None:
        due = due.replace(tzinfo=dt.UTC)
    return max(0.0, min(longest, (due - utc_now()).total_seconds()))
