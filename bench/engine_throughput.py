"""The whole engine on SQLite: action executions per second over the issue's workloads.

    .venv/bin/python -m bench.engine_throughput [--batch 500] [--only NAME]

An inline "executor" claims queue entries and reports results in batches
(std.noop -> None, std.echo -> its ``output``) straight to
:class:`levante.engine.runtime.EngineRuntime`; no action code runs, so the
figures are the engine's and the database's cost. Prints actions/s per
workload, the cost of one with-items iteration at 1,000 vs 10,000 items, and
peak RSS (``resource.getrusage``). Targets: >= 2,000 actions/s, < 300 MB for
10,000 items.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from levante.engine.runtime import ActionReport, EngineRuntime
from levante.engine.runtime_rows import ACTION, WF
from levante.store import Database, queue


def with_items(n: int, action: str = "std.noop") -> str:
    """A with-items task over ``n`` items."""
    extra = "\n      input: {output: <% $.i %>}\n      publish: {all: <% task().result %>}" \
        if action == "std.echo" else ""
    return f"""
version: '2.0'
wf:
  tasks:
    each:
      with-items: i in <% range(0, {n}) %>
      action: {action}{extra}
"""


def chain(n: int) -> str:
    """``n`` tasks, each starting the next."""
    lines = ["version: '2.0'", "wf:", "  tasks:"]
    for i in range(n):
        lines.append(f"    t{i}:")
        lines.append("      action: std.noop")
        if i + 1 < n:
            lines.append(f"      on-success: [t{i + 1}]")
    return "\n".join(lines) + "\n"


def fan_in(n: int) -> str:
    """``n`` parallel tasks joined by one."""
    lines = ["version: '2.0'", "wf:", "  tasks:"]
    for i in range(n):
        lines += [f"    p{i}:", "      action: std.noop", "      on-success: [joined]"]
    lines += ["    joined:", "      join: all", "      action: std.noop"]
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    """One workload's figures."""

    name: str
    actions: int
    seconds: float
    state: str

    @property
    def rate(self) -> float:
        """Action executions per second."""
        return self.actions / self.seconds if self.seconds else 0.0


def drive(db: Database, text: str, batch: int) -> tuple[int, float, str]:
    """Start ``wf`` from ``text`` and play the executor until nothing is queued."""
    rt = EngineRuntime(db)
    started = time.perf_counter()
    execution = rt.start_workflow("wf", definition_text=text)
    done = 0
    while True:
        with db.transaction() as session:
            claimed = [w.action_execution_id for w in queue.claim(session, "bench", batch)]
            if not claimed:
                break
            rows = session.execute(select(ACTION.c.id, ACTION.c.name, ACTION.c.input)
                                   .where(ACTION.c.id.in_(claimed))).all()
        reports = [ActionReport(aid, "SUCCESS", (inp or {}).get("output")
                                if name == "std.echo" else None) for aid, name, inp in rows]
        rt.actions_finished(reports)
        done += len(reports)
    seconds = time.perf_counter() - started
    with db.read() as session:
        state = session.scalar(select(WF.c.state).where(WF.c.id == execution["id"]))
    return done, seconds, str(state)


def fresh_db(folder: str, name: str) -> Database:
    """A migrated SQLite database file in ``folder``."""
    db = Database(f"sqlite:///{folder}/{name}.db")
    db.migrate()
    return db


def main(argv: list[str] | None = None) -> None:
    """Run the workloads and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=500, help="results per report")
    parser.add_argument("--only", help="run only the workload with this name")
    args = parser.parse_args(argv)
    workloads: list[tuple[str, str]] = [
        ("with-items noop x1000", with_items(1000)),
        ("with-items noop x10000", with_items(10_000)),
        ("chain of 100 tasks", chain(100)),
        ("50 parallel + join", fan_in(50)),
        ("with-items echo x200 publish", with_items(200, "std.echo")),
    ]
    results: list[Outcome] = []
    with tempfile.TemporaryDirectory() as folder:
        for i, (name, text) in enumerate(workloads):
            if args.only and args.only != name:
                continue
            db = fresh_db(folder, f"w{i}")
            actions, seconds, state = drive(db, text, args.batch)
            db.dispose()
            results.append(Outcome(name, actions, seconds, state))
            print(f"{name:32s} {actions:6d} actions {seconds:7.2f} s "
                  f"{actions / seconds:8.0f} actions/s  {state}", flush=True)
    by_name: dict[str, Any] = {r.name: r for r in results}
    small, large = by_name.get("with-items noop x1000"), by_name.get("with-items noop x10000")
    if small and large:
        print(f"per iteration: {small.seconds / small.actions * 1e6:.0f} us at 1,000 items, "
              f"{large.seconds / large.actions * 1e6:.0f} us at 10,000 items")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(r.actions for r in results)
    seconds = sum(r.seconds for r in results)
    print(f"overall {total / seconds:.0f} actions/s; peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
