"""``QueuedRunner``: a synchronous run handed to an executor node through the queue.

The executor is played by the test: it registers a node row and completes the
action through the engine runtime, as a real executor's report would.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from levante.api.gateway import UNSAVED_RUN_KEY
from levante.engine.runtime import EngineRuntime
from levante.node.queued_run import (
    NoExecutorError,
    QueuedRun,
    QueuedRunner,
    RunTimeoutError,
)
from levante.store import Database, nodes
from levante.store.models import DEFAULT_PROJECT, ActionExecution, WorkItem
from levante.store.types import utc_now

T = TypeVar("T")


def _register(db: Database, *, executor_name: str | None = None) -> str:
    with db.transaction() as session:
        return nodes.register_node(
            session, roles=["executor"], executor_name=executor_name, lease_seconds=60
        ).id


def _counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        actions = session.scalar(select(func.count()).select_from(ActionExecution))
        entries = session.scalar(select(func.count()).select_from(WorkItem))
        return int(actions or 0), int(entries or 0)


def _queued(db: Database) -> ActionExecution:
    """The action execution the runner enqueued, once it is there (at most 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        with db.read() as session:
            row = session.scalars(select(ActionExecution)).first()
            if row is not None:
                session.expunge(row)
                return row
        assert time.monotonic() < deadline, "nothing was enqueued"
        time.sleep(0.01)


def _in_background(work: Callable[[], T]) -> tuple[ThreadPoolExecutor, Future[T]]:
    pool = ThreadPoolExecutor(1)
    return pool, pool.submit(work)


def test_the_result_of_the_executor_is_answered_and_the_unsaved_row_removed(
    db: Database,
) -> None:
    _register(db)
    woken: list[bool] = []
    runner = QueuedRunner(db, on_enqueued=lambda: woken.append(True))
    pool, answer = _in_background(
        lambda: runner.run(QueuedRun("std.echo", {"output": "x"}, namespace="ns"), 30)
    )
    with pool:
        row = _queued(db)
        assert (row.state, row.is_sync, row.workflow_namespace) == ("RUNNING", True, "ns")
        assert row.runtime_context == {UNSAVED_RUN_KEY: True}
        assert EngineRuntime(db).complete_action(row.id, "SUCCESS", "x")
        finished = answer.result(timeout=30)
    assert (finished.state, finished.output) == ("SUCCESS", {"result": "x"})
    assert woken == [True]
    assert _counts(db) == (0, 0)


def test_a_saved_run_keeps_its_row_and_a_target_routes_the_entry(db: Database) -> None:
    _register(db, executor_name="special")
    runner = QueuedRunner(db)
    run = QueuedRun("std.echo", {"output": 1}, target="special", timeout=5, keep=True)
    pool, answer = _in_background(lambda: runner.run(run, 30))
    with pool:
        row = _queued(db)
        assert row.runtime_context == {"timeout": 5}
        with db.read() as session:
            assert session.scalar(select(WorkItem.target)) == "special"
        EngineRuntime(db).complete_action(row.id, "ERROR", "boom")
        finished = answer.result(timeout=30)
    assert (finished.action_execution_id, finished.state) == (row.id, "ERROR")
    assert finished.state_info == "boom"
    assert _counts(db) == (1, 0)


def test_without_a_live_executor_nothing_is_written(db: Database) -> None:
    runner = QueuedRunner(db)
    with pytest.raises(NoExecutorError, match="no executor is alive"):
        runner.run(QueuedRun("std.echo", {"output": 1}), 30)
    _register(db, executor_name="other")
    with pytest.raises(NoExecutorError, match="no executor named 'special' is alive"):
        runner.run(QueuedRun("std.echo", {"output": 1}, target="special"), 30)
    assert _counts(db) == (0, 0)


def test_an_executor_that_leaves_before_claiming_fails_the_wait(db: Database) -> None:
    node_id = _register(db)
    runner = QueuedRunner(db)
    pool, answer = _in_background(lambda: runner.run(QueuedRun("std.noop", {}), 60))
    with pool:
        _queued(db)
        with db.transaction() as session:
            nodes.remove_nodes(session, [node_id])
        with pytest.raises(NoExecutorError, match="stopped before taking it; nothing ran"):
            answer.result(timeout=30)
    assert _counts(db) == (0, 0)


def test_a_run_nobody_finishes_times_out(db: Database) -> None:
    _register(db)
    runner = QueuedRunner(db)
    with pytest.raises(RunTimeoutError, match="--save-result"):
        runner.run(QueuedRun("std.noop", {}), 0.2)
    assert _counts(db) == (0, 0)
    with pytest.raises(RunTimeoutError, match="goes on in the background as action execution"):
        runner.run(QueuedRun("std.noop", {}, keep=True), 0.2)
    assert _counts(db) == (1, 1)


def test_unsaved_runs_left_by_a_dead_waiter_are_swept(db: Database) -> None:
    now = utc_now()
    old = now - dt.timedelta(minutes=5)
    marked = {UNSAVED_RUN_KEY: True}
    rows = {
        "orphan": ("SUCCESS", marked, old),
        "answering": ("SUCCESS", marked, now),
        "still-running": ("RUNNING", marked, old),
        "saved": ("SUCCESS", {}, old),
    }
    with db.transaction() as session:
        for name, (state, context, updated) in rows.items():
            session.add(ActionExecution(
                id=str(uuid.uuid4()), name=name, state=state, runtime_context=context,
                input={}, project_id=DEFAULT_PROJECT, created_at=old, updated_at=updated,
            ))
    assert QueuedRunner(db).sweep_orphans() == 1
    with db.read() as session:
        left = set(session.scalars(select(ActionExecution.name)))
    assert left == {"answering", "still-running", "saved"}
