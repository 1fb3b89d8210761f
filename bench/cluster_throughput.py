"""Cluster mode on PostgreSQL: throughput with 1, 2 and 3 nodes; dead-node detection time.

    .venv/bin/python -m bench.cluster_throughput [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--nodes 1,2,3] [--items 1000,10000] [--lease 10 --heartbeat 2]

A fresh database is created (and dropped at the end). The nodes are real
``levante server --role engine,executor,scheduler`` processes; this process
starts executions through a node of role ``api`` (so its commits NOTIFY the
others) and waits for them to finish. Then, with two nodes:

* *killed*: the node holding the claims of running ``std.sleep`` actions
  (safe-rerun) is SIGKILLed -- on the same host its vanished pid is noticed
  at the survivors' next heartbeat;
* *frozen*: it is SIGSTOPped instead -- only its lease runs out, as for a
  node on another host that died or was cut off;

and the time until the survivors took its claims over, and until the
workflow finished, is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy import text

from bench.engine_throughput import chain, with_items
from levante.node import Node, NodeConfig
from levante.node.cluster import Role
from levante.store import Database

SLEEPERS = """
version: '2.0'
wf:
  tasks:
    hold:
      with-items: i in <% range(0, 20) %>
      action: std.sleep seconds=4
      safe-rerun: true
"""


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new migrated database; dropped afterwards."""
    name = f"levante_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    db.migrate()
    db.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                          .format(sql.Identifier(name)))


@contextmanager
def nodes(
    url: str, count: int, lease: float, heartbeat: float
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` node processes without the API, registered before this returns."""
    command = [sys.executable, "-m", "levante", "server", "--db", url, "--role",
               "engine,executor,scheduler", "--log-level", "error",
               "--lease-seconds", str(lease), "--heartbeat-seconds", str(heartbeat)]
    procs = [subprocess.Popen(command) for _ in range(count)]
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            while conn.execute("SELECT count(*) FROM nodes").fetchone()[0] < count:  # type: ignore[index]
                time.sleep(0.1)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
                proc.terminate()
        for proc in procs:
            proc.wait()


async def run_workflow(front: Node, definition: str) -> tuple[float, str]:
    """Start ``wf`` and wait until it ends; (seconds, state)."""
    started = time.perf_counter()
    execution = await front.in_db(
        lambda: front.runtime.start_workflow("wf", definition_text=definition))
    while True:
        state = (await front.in_db(lambda: front.runtime.execution(execution["id"])))["state"]
        if state in ("SUCCESS", "ERROR", "CANCELLED"):
            return time.perf_counter() - started, state
        await asyncio.sleep(0.02)


async def throughput(url: str, counts: list[int], items: list[int], lease: float,
                     heartbeat: float) -> None:
    """Print actions/s per workload and node count."""
    db = Database(url)
    workloads = [(f"with-items noop x{n}", n, with_items(n)) for n in items]
    workloads.append(("chain of 100 noop", 100, chain(100)))
    print(f"{'workload':<26}" + "".join(f"{f'{c} node(s)':>22}" for c in counts))
    figures: dict[str, list[str]] = {name: [] for name, _, _ in workloads}
    for count in counts:
        with nodes(url, count, lease, heartbeat):
            async with Node(db, NodeConfig(roles=frozenset({Role.API}), cron=None)) as front:
                for name, actions, definition in workloads:
                    seconds, state = await run_workflow(front, definition)
                    figures[name].append(f"{actions / seconds:7.0f}/s {seconds:6.2f}s {state[:4]}")
        with db.transaction() as session:  # keep the tables small between node counts
            for table in ("work_queue", "action_executions", "task_executions",
                          "workflow_executions"):
                session.execute(text(f"DELETE FROM {table}"))
    for name, _, _ in workloads:
        print(f"{name:<26}" + "".join(f"{cell:>22}" for cell in figures[name]))
    db.dispose()


async def detection(url: str, lease: float, heartbeat: float, freeze: bool) -> None:
    """Kill (or freeze) the node holding the work; print takeover and finish times."""
    db = Database(url)
    with nodes(url, 2, lease, heartbeat) as procs:
        async with Node(db, NodeConfig(roles=frozenset({Role.API}), cron=None)) as front:
            started = asyncio.get_running_loop().create_task(run_workflow(front, SLEEPERS))
            victim_pid = await _holder(url)
            victim = next(p for p in procs if p.pid == victim_pid)
            await asyncio.sleep(0.5)
            stopped = time.perf_counter()
            os.kill(victim.pid, signal.SIGSTOP if freeze else signal.SIGKILL)
            if not freeze:
                victim.wait()  # reaped, as its service manager would: the pid is gone
            while await _held_by(url, victim_pid):
                await asyncio.sleep(0.05)
            taken = time.perf_counter() - stopped
            _seconds, state = await started
            finished = time.perf_counter() - stopped
    how = "frozen (SIGSTOP: lease expiry)" if freeze else "killed (SIGKILL: pid gone)"
    print(f"node {how:<34} taken over after {taken:5.2f}s; workflow {state} "
          f"{finished:5.2f}s after the fault (actions take 4s)")
    db.dispose()


async def _holder(url: str) -> int:
    """Pid of the node holding the most claims, once some are held."""
    while True:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT n.pid FROM work_queue q JOIN nodes n ON n.id = q.claimed_by "
                "GROUP BY n.pid ORDER BY count(*) DESC LIMIT 1").fetchone()
        if row:
            return int(row[0])
        await asyncio.sleep(0.05)


async def _held_by(url: str, pid: int) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM work_queue q JOIN nodes n ON n.id = q.claimed_by "
            "WHERE n.pid = %s", (pid,)).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    """Run the workloads and the detection measurements; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an administrative PostgreSQL URL (a database is created)")
    parser.add_argument("--nodes", default="1,2,3", help="node counts to measure")
    parser.add_argument("--items", default="1000,10000", help="with-items sizes")
    parser.add_argument("--lease", type=float, default=NodeConfig.lease_seconds)
    parser.add_argument("--heartbeat", type=float, default=NodeConfig.heartbeat_interval)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    counts = [int(c) for c in args.nodes.split(",")]
    items = [int(n) for n in args.items.split(",")]
    with fresh_database(args.pg) as url:
        if not args.skip_throughput:
            asyncio.run(throughput(url, counts, items, args.lease, args.heartbeat))
        print(f"lease {args.lease:g}s, heartbeat every {args.heartbeat:g}s")
        for freeze in (False, True):
            asyncio.run(detection(url, args.lease, args.heartbeat, freeze))


if __name__ == "__main__":
    main()
