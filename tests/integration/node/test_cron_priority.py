"""While a node fires a burst of cron triggers, its executor waits before claiming more work."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from levante.engine.runtime import EngineRuntime
from levante.node.work_source import DatabaseWorkSource
from levante.scheduler import CronLoop, CronScheduler, SchedulerConfig
from levante.store import Database

ONE = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"


def test_a_claim_waits_until_its_yield_returns(sqlite_db: Database) -> None:
    EngineRuntime(sqlite_db).start_workflow("wf", definition_text=ONE)
    seen: list[str] = []

    async def scenario() -> None:
        burst_over = asyncio.Event()
        source = DatabaseWorkSource(sqlite_db, EngineRuntime(sqlite_db), node_id="node-1",
                                    db_thread=ThreadPoolExecutor(1), yield_to=burst_over.wait)
        claim = asyncio.create_task(source.claim(10))
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert not claim.done()
        seen.append("burst over")
        burst_over.set()
        requests = await claim
        seen.append(f"claimed {len(requests)}")

    asyncio.run(scenario())
    assert seen == ["burst over", "claimed 1"]


class _BlockingScheduler(CronScheduler):
    """A scheduler whose rounds last until the test lets them end."""

    def __init__(self, db: Database, executor_yield: float) -> None:
        super().__init__(db, EngineRuntime(db), config=SchedulerConfig(
            executor_yield=executor_yield))
        self.release = threading.Event()

    def _fire_batches(self, limit: int) -> list:  # type: ignore[type-arg]
        self.release.wait(30)
        return []


async def _while_firing(scheduler: _BlockingScheduler) -> tuple[CronLoop, asyncio.Task[None]]:
    loop = CronLoop(scheduler)
    running = asyncio.create_task(loop.run())
    while not scheduler.wants_priority():  # the round has begun on the cron thread
        await asyncio.sleep(0.005)
    return loop, running


def test_the_executor_may_claim_once_the_round_ends(sqlite_db: Database) -> None:
    scheduler = _BlockingScheduler(sqlite_db, executor_yield=30.0)

    async def scenario() -> float:
        loop, running = await _while_firing(scheduler)
        waiting = asyncio.create_task(loop.let_executor_claim())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        ended = time.monotonic()
        scheduler.release.set()
        await asyncio.wait_for(waiting, timeout=10)
        running.cancel()
        return time.monotonic() - ended

    assert asyncio.run(scenario()) < 5  # woken by the end of the round, not its 30 s of priority


def test_the_executor_waits_no_longer_than_the_yield(sqlite_db: Database) -> None:
    scheduler = _BlockingScheduler(sqlite_db, executor_yield=0.05)

    async def scenario() -> None:
        loop, running = await _while_firing(scheduler)  # the round never ends by itself
        try:
            await asyncio.wait_for(loop.let_executor_claim(), timeout=10)
        finally:
            scheduler.release.set()
            running.cancel()

    asyncio.run(scenario())


def test_the_scheduler_wants_priority_only_early_in_a_burst(sqlite_db: Database) -> None:
    scheduler = CronScheduler(sqlite_db, EngineRuntime(sqlite_db),
                              config=SchedulerConfig(executor_yield=0.05))
    assert not scheduler.wants_priority()  # not firing
    seen: list[bool] = []
    original = scheduler._fire_batches

    def slow_burst(limit: int) -> list:  # type: ignore[type-arg]
        seen.append(scheduler.wants_priority())
        threading.Event().wait(0.1)
        seen.append(scheduler.wants_priority())
        return original(limit)

    scheduler._fire_batches = slow_burst  # type: ignore[method-assign]
    scheduler.fire_due()
    assert seen == [True, False]
    assert not scheduler.wants_priority()
    assert scheduler.priority_left() == 0
