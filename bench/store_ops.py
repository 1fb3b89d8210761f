"""Store cycle of one action, batched: insert + enqueue, claim, accept + counters + dequeue.

    .venv/bin/python -m bench.store_ops [--count 10000] [--batch 500] [--no-pg]

Prints actions per second on SQLite (a file in a temporary folder) and on
PostgreSQL at 127.0.0.1:5432 when it is reachable (a temporary database).
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from levante.store import queue
from levante.store.actions import ActionResult, accept_action_results, insert_action_executions
from levante.store.db import Database
from levante.store.executions import add_execution, increment_task_counters
from levante.store.models import TaskExecution, WorkflowExecution

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Timings:
    """Seconds spent per phase of the cycle."""

    phases: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time spent in the block to ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start

    @property
    def total(self) -> float:
        """All phases together."""
        return sum(self.phases.values())


def run_cycle(database: Database, count: int, batch: int) -> Timings:
    """Push ``count`` actions of one with-items task through the store, ``batch`` at a time."""
    timings = Timings()
    with database.transaction() as session:
        wf = add_execution(session, WorkflowExecution(name="bench", state="RUNNING"))
        task = add_execution(
            session,
            TaskExecution(name="t", workflow_execution_id=wf.id, state="RUNNING"),
        )
        increment_task_counters(session, task.id, count=count)
    for start in range(0, count, batch):
        size = min(batch, count - start)
        rows = [
            {
                "name": "std.noop",
                "task_execution_id": task.id,
                "workflow_execution_id": wf.id,
                "state": "RUNNING",
                "item_index": start + offset,
                "input": {"item": start + offset},
            }
            for offset in range(size)
        ]
        with timings.phase("insert+enqueue"), database.transaction() as session:
            ids = insert_action_executions(session, rows)
            queue.enqueue(session, ids)
        with timings.phase("claim"), database.transaction() as session:
            claimed = queue.claim(session, "bench-node", size)
        results = [
            ActionResult(item.action_execution_id or "", "SUCCESS", {"result": None})
            for item in claimed
        ]
        with timings.phase("accept+count+dequeue"), database.transaction() as session:
            accepted = accept_action_results(session, results)
            queue.complete_actions(session, [a.action_execution_id for a in accepted])
            increment_task_counters(session, task.id, started=size, succeeded=len(accepted))
    with database.read() as session:
        final = session.get(TaskExecution, task.id)
        assert final is not None and final.items_succeeded == count, "lost results"
    return timings


def report(label: str, count: int, timings: Timings) -> None:
    """Print one line of figures."""
    phases = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in timings.phases.items())
    print(
        f"{label:<11} {count} actions in {timings.total:.2f}s = "
        f"{count / timings.total:,.0f} actions/s  ({phases})"
    )


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A temporary PostgreSQL database URL, or None when the server is not reachable."""
    name = f"levante_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield None
        return
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    """Run the benchmark on SQLite and (if reachable) PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    print(f"store cycle, batches of {args.batch}")
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.db")
        database.migrate()
        report("sqlite", args.count, run_cycle(database, args.count, args.batch))
        database.dispose()
    if args.no_pg:
        return
    with postgres_database() as url:
        if url is None:
            print("postgresql  not reachable at 127.0.0.1:5432, skipped")
            return
        database = Database(url)
        database.migrate()
        report("postgresql", args.count, run_cycle(database, args.count, args.batch))
        database.dispose()


if __name__ == "__main__":
    main()
