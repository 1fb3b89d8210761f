"""While a node fires a burst of cron triggers, its executor waits before claiming more work."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from levante.engine.runtime import EngineRuntime
from levante.node.work_source import DatabaseWorkSource
from levante.store import Database

ONE = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"


def _source(db: Database, firing: list[bool], longest: float) -> DatabaseWorkSource:
    return DatabaseWorkSource(db, EngineRuntime(db), node_id="node-1",
                              db_thread=ThreadPoolExecutor(1), yield_to=lambda: firing[0],
                              longest_yield=longest)


def test_a_claim_waits_for_the_burst_to_end(sqlite_db: Database) -> None:
    EngineRuntime(sqlite_db).start_workflow("wf", definition_text=ONE)
    firing = [True]
    seen: list[str] = []

    async def scenario() -> None:
        source = _source(sqlite_db, firing, longest=30.0)
        claim = asyncio.create_task(source.claim(10))
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert not claim.done()
        seen.append("burst over")
        firing[0] = False
        requests = await claim
        seen.append(f"claimed {len(requests)}")

    asyncio.run(scenario())
    assert seen == ["burst over", "claimed 1"]


def test_a_claim_waits_no_longer_than_the_longest_yield(sqlite_db: Database) -> None:
    EngineRuntime(sqlite_db).start_workflow("wf", definition_text=ONE)

    async def scenario() -> int:
        source = _source(sqlite_db, [True], longest=0.05)  # the burst never ends
        return len(await asyncio.wait_for(source.claim(10), timeout=30))

    assert asyncio.run(scenario()) == 1


def test_the_scheduler_wants_priority_only_early_in_a_burst(sqlite_db: Database) -> None:
    from levante.scheduler import CronScheduler, SchedulerConfig

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
