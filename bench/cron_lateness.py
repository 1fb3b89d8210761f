"""Fire lateness of 1,000 cron triggers due at the same instant (target: p99 < 500 ms).

Lateness is the moment a fire time's execution is committed (visible to every
node) minus its scheduled time. The triggers are created through the REST
handlers' rules (every minute, ``* * * * *``) and then all made due at one
instant a few seconds ahead, so the run does not wait for a minute boundary.
A node runs its executor meanwhile, draining the started workflows, as a
server would. Run: ``.venv/bin/python -m bench.cron_lateness [--db URL] [-n 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import update

from levante.engine.runtime import EngineRuntime
from levante.node import Node
from levante.node.process import NodeConfig
from levante.scheduler import CronScheduler
from levante.store import Database
from levante.store.models import CronTrigger, new_id
from levante.store.types import utc_now

WORKFLOW = "version: '2.0'\ntick:\n  input:\n    - n\n  tasks:\n    t:\n      action: std.noop\n"


def _create(db: Database, runtime: EngineRuntime, count: int, due: dt.datetime) -> None:
    runtime.start_workflow("tick", {"n": -1}, definition_text=WORKFLOW)
    with db.transaction() as session:
        for i in range(count):
            session.add(CronTrigger(
                id=new_id(), name=f"bench_{i}", pattern="* * * * *", workflow_name="tick",
                workflow_input={"n": i}, workflow_params={}, next_execution_time=due,
                due_at=due, workflow_input_hash=f"{i:064d}", workflow_params_hash="0" * 64))
    with db.transaction() as session:
        session.execute(update(CronTrigger).values(next_execution_time=due, due_at=due))


def _node_thread(db: Database, stop: threading.Event) -> threading.Thread:
    async def serve() -> None:
        async with Node(db, NodeConfig(cron=None)):
            while not stop.is_set():
                await asyncio.sleep(0.1)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    return thread


def measure(db: Database, count: int) -> list[float]:
    """Lateness (ms) of each of ``count`` fire times due at the same instant."""
    runtime = EngineRuntime(db)
    due = (utc_now() + dt.timedelta(seconds=3)).replace(microsecond=0)
    _create(db, runtime, count, due)
    scheduler = CronScheduler(db, runtime)
    stop = threading.Event()
    node = _node_thread(db, stop)
    time.sleep(max(0.0, (due - utc_now()).total_seconds()))
    lateness: list[float] = []
    try:
        while len(lateness) < count:
            records = scheduler.fire_due(limit=1)  # one batch, one transaction
            committed = utc_now()
            lateness += [(committed - r.scheduled_at).total_seconds() * 1000 for r in records]
            if not records:
                time.sleep(0.001)
    finally:
        stop.set()
        node.join(timeout=30)
    return lateness


def main() -> None:
    """Print p50 / p99 / max fire lateness."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("-n", type=int, default=1000, help="triggers due at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate()
        try:
            lateness = sorted(measure(db, args.n))
        finally:
            db.dispose()
    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    print(f"cron fire lateness, {len(lateness)} triggers due at once ({db.dialect}): "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {lateness[-1]:.0f} ms "
          f"(target p99 < 500 ms: {'met' if p99 < 500 else 'NOT met'})")


if __name__ == "__main__":
    main()
