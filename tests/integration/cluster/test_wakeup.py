"""Nodes wake each other with LISTEN/NOTIFY: work started on one node runs on another at once.

The executor and timer loops here poll only once a minute, so an execution
that finishes within seconds proves the wake-ups crossed the nodes.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from levante.executor import ExecutorConfig
from levante.node import Node, NodeConfig
from levante.node.cluster import Role
from levante.store import Database

pytestmark = pytest.mark.postgres

WORKFLOW = """
version: '2.0'
hop:
  tasks:
    first:
      action: std.noop
      on-success: later
    later:
      action: std.echo output=done
      wait-before: 1
      on-success: last
    last:
      action: std.noop
"""
SLOW_POLL = 60.0


def _node(db: Database, *roles: Role) -> Node:
    return Node(db, NodeConfig(
        roles=frozenset(roles), timer_poll=SLOW_POLL, cron=None,
        executor=ExecutorConfig(poll_interval=SLOW_POLL),
    ))


async def _finish(starter: Node, execution_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    state = "RUNNING"
    while time.monotonic() < deadline:
        state = (await starter.in_db(lambda: starter.runtime.execution(execution_id)))["state"]
        if state in ("SUCCESS", "ERROR", "CANCELLED"):
            break
        await asyncio.sleep(0.05)
    return state


def test_work_and_timers_set_on_one_node_wake_the_others(cluster_url: str) -> None:
    db = Database(cluster_url)

    async def scenario() -> tuple[str, float, int, int]:
        # The starter runs no loop of its own; an executor and a scheduler elsewhere do.
        async with _node(db, Role.API) as starter, _node(db, Role.EXECUTOR) as executor, \
                _node(db, Role.SCHEDULER) as scheduler:
            started = time.monotonic()
            execution = await starter.in_db(
                lambda: starter.runtime.start_workflow("hop", definition_text=WORKFLOW))
            state = await _finish(starter, execution["id"], timeout=20)
            assert executor.wakeup is not None and scheduler.wakeup is not None
            return (state, time.monotonic() - started, executor.wakeup.heard,
                    scheduler.wakeup.heard)

    try:
        state, seconds, executor_heard, scheduler_heard = asyncio.run(scenario())
    finally:
        db.dispose()
    assert state == "SUCCESS"
    # 1 s of wait-before; polling alone would have taken three minutes.
    assert seconds < 15, f"took {seconds:.1f}s: the nodes did not wake each other"
    assert executor_heard >= 1
    assert scheduler_heard >= 1
    print(f"3-step workflow across 3 nodes (1 s wait-before): {seconds:.2f}s")


def test_a_node_on_sqlite_needs_no_wakeups(sqlite_db: Database) -> None:
    async def scenario() -> Node:
        async with Node(sqlite_db, NodeConfig(cron=None)) as node:
            return node

    assert asyncio.run(scenario()).wakeup is None
