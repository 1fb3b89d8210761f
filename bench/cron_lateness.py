"""Fire lateness of 1,000 cron triggers due at the same instant (target: p99 < 500 ms).

Lateness is the moment a fire time's execution is committed (visible to every
node) minus its scheduled time. The triggers are created through the REST
handlers' rules (every minute, ``* * * * *``) and then all made due at one
instant a few seconds ahead, so the run does not wait for a minute boundary.
An engine + executor node runs meanwhile, draining the started workflows, as
a server would:

* ``--node thread`` (default): in this process, beside the scheduler, as one
  ``levante server`` runs them;
* ``--node process``: in a process of its own, as ``levante server --role
  scheduler`` next to ``levante server --role api,engine,executor`` would.

``--schedulers N`` runs N scheduler processes sharing the burst (several
nodes; on PostgreSQL their batches are disjoint, SKIP LOCKED).

Run: ``.venv/bin/python -m bench.cron_lateness [--db URL] [-n 1000] [--node process]
[--schedulers 2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from levante.engine.runtime import EngineRuntime
from levante.node import Node
from levante.node.process import NodeConfig
from levante.scheduler import CronScheduler
from levante.store import Database
from levante.store.models import CronTrigger, new_id
from levante.store.models.work import Node as NodeRow
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


async def _serve(db: Database, stop: Any) -> None:
    async with Node(db, NodeConfig(cron=None)):
        while not stop.is_set():
            await asyncio.sleep(0.1)


def _node_process(url: str, stop: Any) -> None:
    db = Database(url)
    try:
        asyncio.run(_serve(db, stop))
    finally:
        db.dispose()


def _fire(url: str, due: dt.datetime, out: str) -> None:
    """One scheduler: wait for ``due``, fire batch after batch until nothing is due."""
    db = Database(url)
    scheduler = CronScheduler(db, EngineRuntime(db))
    time.sleep(max(0.0, (due - utc_now()).total_seconds()))
    lateness: list[float] = []
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 0.5:
        records = scheduler.fire_due(limit=1)  # one batch, one transaction
        committed = utc_now()
        lateness += [(committed - r.scheduled_at).total_seconds() * 1000 for r in records]
        if records:
            idle_since = time.monotonic()
        else:
            time.sleep(0.001)
    Path(out).write_text(json.dumps(lateness))
    db.dispose()


def _wait_for_node(db: Database) -> None:
    """Until the engine + executor node has registered (its start-up is not measured)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.read() as session:
            if session.scalar(select(func.count()).select_from(NodeRow)):
                return
        time.sleep(0.05)
    raise RuntimeError("the engine + executor node did not start within 60 s")


def measure(db: Database, count: int, *, node: str = "thread", schedulers: int = 1,
            folder: Path) -> list[float]:
    """Lateness (ms) of each of ``count`` fire times due at the same instant."""
    url = db.url
    spawn = mp.get_context("spawn")
    stop = spawn.Event() if node == "process" else threading.Event()
    if node == "process":
        worker: Any = spawn.Process(target=_node_process, args=(url, stop))
    else:
        worker = threading.Thread(target=lambda: asyncio.run(_serve(db, stop)), daemon=True)
    worker.start()
    _wait_for_node(db)
    runtime = EngineRuntime(db)
    due = (utc_now() + dt.timedelta(seconds=4)).replace(microsecond=0)
    _create(db, runtime, count, due)
    outs = [folder / f"lateness-{i}.json" for i in range(schedulers)]
    others = [spawn.Process(target=_fire, args=(url, due, str(out))) for out in outs[1:]]
    for process in others:
        process.start()
    try:
        _fire(url, due, str(outs[0]))
        for process in others:
            process.join(timeout=120)
    finally:
        stop.set()
        worker.join(timeout=30)
    return [ms for out in outs for ms in json.loads(out.read_text())]


def main() -> None:
    """Print p50 / p99 / max fire lateness."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("-n", type=int, default=1000, help="triggers due at once")
    parser.add_argument("--node", choices=("thread", "process"), default="thread",
                        help="where the engine + executor node runs (default: thread)")
    parser.add_argument("--schedulers", type=int, default=1, help="scheduler processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate()
        try:
            lateness = sorted(measure(db, args.n, node=args.node,
                                      schedulers=args.schedulers, folder=Path(folder)))
        finally:
            db.dispose()
    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    print(f"cron fire lateness, {len(lateness)} triggers due at once ({db.dialect}, node "
          f"{args.node}, {args.schedulers} scheduler(s)): p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
          f"max {lateness[-1]:.0f} ms (target p99 < 500 ms: {'met' if p99 < 500 else 'NOT met'})")


if __name__ == "__main__":
    main()
