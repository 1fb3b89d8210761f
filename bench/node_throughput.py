"""Whole-stack throughput: engine runtime + executor + queue in one node, on SQLite.

Unlike ``bench.engine_throughput`` (which reports results inline), actions go
through the real executor and the database work queue, as in ``levante run``.
Run: ``.venv/bin/python -m bench.node_throughput [--db URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from levante.node import Node
from levante.store import Database

WORKFLOW = """
version: '2.0'
fan_out:
  input:
    - n
  tasks:
    fan:
      with-items: i in <% range($.n) %>
      action: std.noop
"""


async def _run_one(node: Node, items: int) -> float:
    started = time.perf_counter()
    execution = await node.in_db(
        lambda: node.runtime.start_workflow("fan_out", {"n": items}, definition_text=WORKFLOW)
    )
    while True:
        state = (await node.in_db(lambda: node.runtime.execution(execution["id"])))["state"]
        if state in ("SUCCESS", "ERROR", "CANCELLED"):
            break
        await asyncio.sleep(0.01)
    assert state == "SUCCESS", state
    return time.perf_counter() - started


async def _main(url: str) -> None:
    db = Database(url)
    db.migrate()
    async with Node(db) as node:
        for items in (1_000, 10_000):
            seconds = await _run_one(node, items)
            print(f"with-items std.noop x{items:<6} {seconds:6.2f} s  "
                  f"{items / seconds:7.0f} actions/s  "
                  f"{seconds / items * 1e6:5.0f} us/iteration")
    db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


def main() -> None:
    """Run the workloads and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(_main(args.db or f"sqlite:///{Path(scratch) / 'bench.db'}"))


if __name__ == "__main__":
    main()
