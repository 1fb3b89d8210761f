"""Fire lateness of 1,000 cron triggers due at the same instant (target: p99 < 500 ms).

Lateness is the moment a fire time's execution is committed (visible to every
node) minus its scheduled time. The triggers (pattern ``0 0 1 1 *``, so that
none fires twice during a run) are written to the database and all made due
at one instant a few seconds ahead, so the run does not wait for a minute
boundary.
Real nodes fire them (:class:`levante.node.Node` with its cron loop, as
``levante server`` runs it) while an engine + executor drains the started
workflows:

* ``--node thread`` (default): one node with every role, as one ``levante
  server`` process;
* ``--node process``: a scheduler-only node here and an engine + executor
  node in a process of its own (``--role scheduler`` next to ``--role
  api,engine,executor``);
* ``--schedulers N``: N scheduler nodes in N processes sharing the burst (on
  PostgreSQL their batches are disjoint: SKIP LOCKED).

``--spread 60`` spreads the due times evenly over a minute instead of one instant.
``--workflow FILE`` fires the first workflow of a workflows file instead of a
one-task ``std.noop`` workflow (``--input JSON`` or ``@FILE`` is its input), e.g. the cloud-cron
cookbook's ``examples/cloud-cron/update_kernel_with_email.yaml`` with
``@examples/cloud-cron/input.json``.

Run: ``.venv/bin/python -m bench.cron_lateness [--db URL] [-n 1000] [--node process]
[--schedulers 2] [--spread 60] [--workflow FILE --input JSON]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from levante.engine.runtime import EngineRuntime
from levante.lang import parse_workflows
from levante.node import Node
from levante.node.cluster import ALL_ROLES, Role
from levante.node.process import NodeConfig, settle_heap
from levante.scheduler import FireRecord
from levante.store import Database
from levante.store.models import CronTrigger, new_id
from levante.store.models.triggers import CronTriggerRun
from levante.store.models.work import Node as NodeRow
from levante.store.types import utc_now

WORKFLOW = "version: '2.0'\ntick:\n  input:\n    - n\n  tasks:\n    t:\n      action: std.noop\n"
SCHEDULER_ONLY = frozenset({Role.SCHEDULER})
WORKERS = frozenset({Role.ENGINE, Role.EXECUTOR})


@dataclass(frozen=True)
class Fired:
    """The workflow the triggers start: a definition text, its name, each trigger's input."""

    text: str = WORKFLOW
    name: str = "tick"
    input: dict[str, Any] | None = None
    """The same for every trigger; ``None``: ``{"n": i}`` for trigger ``i`` (``tick``)."""

    def input_of(self, i: int) -> dict[str, Any]:
        return {"n": i} if self.input is None else self.input


def _create(db: Database, runtime: EngineRuntime, count: int, due: dt.datetime,
            spread: float = 0.0, fired: Fired | None = None) -> None:
    """``count`` triggers of the ``fired`` workflow, due at ``due`` (or over ``spread`` s)."""
    fired = fired or Fired()
    runtime.start_workflow(fired.name, fired.input_of(-1), definition_text=fired.text)
    with db.transaction() as session:
        for i in range(count):
            session.add(CronTrigger(
                id=new_id(), name=f"bench_{i}", pattern="0 0 1 1 *", workflow_name=fired.name,
                workflow_input=fired.input_of(i), workflow_params={}, next_execution_time=due,
                due_at=due, workflow_input_hash=f"{i:064d}", workflow_params_hash="0" * 64))
    with db.transaction() as session:
        if not spread:
            session.execute(update(CronTrigger).values(next_execution_time=due, due_at=due))
            return
        for i in range(count):
            at = due + dt.timedelta(seconds=spread * i / count)
            session.execute(update(CronTrigger).where(CronTrigger.name == f"bench_{i}")
                            .values(next_execution_time=at, due_at=at))


async def _run_node(db: Database, roles: frozenset[Role], lateness: list[float] | None,
                    stop: Any) -> None:
    """Run a node until ``stop`` is set; a scheduler adds its fires' lateness to ``lateness``."""
    node = Node(db, NodeConfig(roles=roles))
    if node.cron is not None and lateness is not None:
        def committed(records: list[FireRecord]) -> None:
            now = utc_now()
            lateness.extend((now - r.scheduled_at).total_seconds() * 1000 for r in records)

        node.cron.scheduler.on_fired = committed
    async with node:
        settle_heap()  # as levante server does once its node has started
        while not stop.is_set():
            await asyncio.sleep(0.02)


def _node_process(url: str, roles: list[str], out: str | None, stop: Any) -> None:
    db = Database(url)
    lateness: list[float] = []
    try:
        asyncio.run(_run_node(db, frozenset(Role(r) for r in roles),
                              lateness if out else None, stop))
    finally:
        db.dispose()
        if out:
            Path(out).write_text(json.dumps(lateness))


def _wait_for_nodes(db: Database, count: int) -> None:
    """Until ``count`` nodes have registered (their start-up is not measured)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.read() as session:
            if session.scalar(select(func.count()).select_from(NodeRow)) >= count:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{count} nodes did not start within 60 s")


class _Flag:
    """``stop.is_set()`` for the node run here: every fire time of ``due`` recorded."""

    def __init__(self, db: Database, due: dt.datetime, here: list[float], count: int,
                 alone: bool) -> None:
        self.db, self.due, self.here, self.count, self.alone = db, due, here, count, alone
        self._next_look = 0.0

    def is_set(self) -> bool:
        if self.alone:
            return len(self.here) >= self.count
        if time.monotonic() < self._next_look:  # other schedulers: look at the history
            return False
        self._next_look = time.monotonic() + 0.2
        with self.db.read() as session:
            fired = session.scalar(select(func.count()).select_from(CronTriggerRun).where(
                CronTriggerRun.scheduled_at == self.due))
        return (fired or 0) >= self.count


def measure(db: Database, count: int, *, node: str = "thread", schedulers: int = 1,
            spread: float = 0.0, folder: Path, fired: Fired | None = None) -> list[float]:
    """Lateness (ms) of each of ``count`` fire times due at the same instant."""
    spawn = mp.get_context("spawn")
    stop = spawn.Event()
    processes = []
    if node == "process":
        processes.append(spawn.Process(target=_node_process,
                                       args=(db.url, sorted(WORKERS), None, stop)))
    outs = [str(folder / f"lateness-{i}.json") for i in range(1, schedulers)]
    processes += [spawn.Process(target=_node_process,
                                args=(db.url, sorted(SCHEDULER_ONLY), out, stop))
                  for out in outs]
    for process in processes:
        process.start()
    _wait_for_nodes(db, len(processes))
    due = (utc_now() + dt.timedelta(seconds=4)).replace(microsecond=0)
    _create(db, EngineRuntime(db), count, due, spread, fired)
    here: list[float] = []
    roles = ALL_ROLES if node == "thread" else SCHEDULER_ONLY
    done = _Flag(db, due, here, count, alone=schedulers == 1)
    try:
        asyncio.run(_run_node(db, roles, here, done))
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=60)
    return here + [ms for out in outs for ms in json.loads(Path(out).read_text())]


def _json_or_file(text: str) -> Any:
    return json.loads(Path(text[1:]).read_text() if text.startswith("@") else text)


def main() -> None:
    """Print p50 / p99 / max fire lateness."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("-n", type=int, default=1000, help="triggers due at once")
    parser.add_argument("--node", choices=("thread", "process"), default="thread",
                        help="where the engine + executor node runs (default: thread)")
    parser.add_argument("--schedulers", type=int, default=1, help="scheduler processes")
    parser.add_argument("--spread", type=float, default=0.0, metavar="SECONDS",
                        help="due times spread evenly over this many seconds (default 0: "
                             "all at the same instant; 60: 'due in the same minute')")
    parser.add_argument("--workflow", type=Path, metavar="FILE",
                        help="fire the first workflow of this workflows file (default: one "
                             "std.noop task)")
    parser.add_argument("--input", type=_json_or_file, default=None, metavar="JSON",
                        help="the input of --workflow's workflow: JSON text or @FILE "
                             "(default: {})")
    args = parser.parse_args()
    fired = Fired()
    if args.workflow is not None:
        text = args.workflow.read_text()
        fired = Fired(text, next(iter(parse_workflows(text).workflows)), args.input or {})
    with tempfile.TemporaryDirectory() as folder:
        db = Database(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate()
        try:
            lateness = sorted(measure(db, args.n, node=args.node, schedulers=args.schedulers,
                                      spread=args.spread, folder=Path(folder), fired=fired))
        finally:
            db.dispose()
    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    when = f"spread over {args.spread:g} s" if args.spread else "due at once"
    what = f", {fired.name} of {args.workflow}" if args.workflow else ""
    print(f"cron fire lateness, {len(lateness)} triggers {when}{what} ({db.dialect}, node "
          f"{args.node}, {args.schedulers} scheduler(s)): p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
          f"max {lateness[-1]:.0f} ms (target p99 < 500 ms: {'met' if p99 < 500 else 'NOT met'})")


if __name__ == "__main__":
    main()
