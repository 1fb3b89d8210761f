"""EngineRuntime on SQLite and PostgreSQL: O(1) iterations, acceptance, recovery, starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from levante.engine import WorkflowInputError, WorkflowNotFoundError
from levante.engine.runtime import ActionReport, EngineRuntime, NewWork
from levante.engine.runtime_rows import ACTION, QUEUE, WF
from levante.store import Database
from levante.store import queue as work_queue

WITH_ITEMS = """
version: '2.0'
wf:
  input: [n, {cap: 0}]
  tasks:
    each:
      with-items: i in <% range(0, $.n) %>
      concurrency: <% $.cap %>
      action: std.noop
"""

ONE = """
version: '2.0'
wf:
  input: [who]
  tasks:
    t:
      action: std.echo output=<% $.who %>
      safe-rerun: <% $.who = "safe" %>
"""


def claim(db: Database, node: str = "node-1", limit: int = 100_000) -> list[str]:
    """Action execution ids claimed from the queue by ``node``."""
    with db.transaction() as session:
        return [w.action_execution_id for w in work_queue.claim(session, node, limit)
                if w.action_execution_id]


def wf_state(db: Database, execution_id: str) -> str:
    with db.read() as session:
        return str(session.scalar(select(WF.c.state).where(WF.c.id == execution_id)))


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def statements_for_one_iteration(db: Database, items: int, cap: int) -> list[str]:
    rt = EngineRuntime(db)
    rt.start_workflow("wf", {"n": items, "cap": cap}, definition_text=WITH_ITEMS)
    running = claim(db)
    rt.actions_finished([ActionReport(running[0], "SUCCESS")])  # warm caches
    with counting(db) as seen:
        rt.actions_finished([ActionReport(running[1], "SUCCESS")])
    return seen


@pytest.mark.parametrize("cap", [0, 10])
def test_one_iteration_costs_the_same_statements_with_100_or_1000_items(
        db: Database, cap: int) -> None:
    small = statements_for_one_iteration(db, 100, cap)
    large = statements_for_one_iteration(db, 1000, cap)
    assert len(small) == len(large)
    assert small == large  # the same statements, not just as many
    tables = {written_table(s) for s in large} - {None}
    assert tables <= {"action_executions", "task_executions", "work_queue"}


def written_table(statement: str) -> str | None:
    """The table an INSERT / UPDATE / DELETE (or PostgreSQL's COPY ... FROM STDIN) writes."""
    words = statement.split()
    verb = words[0].upper()
    if verb in ("UPDATE", "COPY"):
        return words[1]
    if verb in ("INSERT", "DELETE"):
        return words[2]
    return None


def write_verb(statement: str) -> str:
    """INSERT, UPDATE or DELETE (PostgreSQL inserts many rows with COPY)."""
    verb = statement.split()[0].upper()
    return "INSERT" if verb == "COPY" else verb


def test_a_result_is_accepted_at_most_once(db: Database) -> None:
    rt = EngineRuntime(db)
    ex = rt.start_workflow("wf", {"who": "x"}, definition_text=ONE)
    (aid,) = claim(db)
    rt.actions_finished([ActionReport(aid, "SUCCESS", "first"),
                         ActionReport(aid, "SUCCESS", "second")])
    rt.actions_finished([ActionReport(aid, "ERROR", "late")])
    assert rt.complete_action(aid, "SUCCESS", "api") is False
    with db.read() as session:
        output, state = session.execute(
            select(ACTION.c.output, ACTION.c.state).where(ACTION.c.id == aid)).one()
        assert session.scalar(select(func.count()).select_from(QUEUE)) == 0
    assert (state, output) == ("SUCCESS", {"result": "first"})
    assert rt.execution(ex["id"])["state"] == "SUCCESS"


def test_lost_actions_are_requeued_only_when_safe_rerun(db: Database) -> None:
    rt = EngineRuntime(db)
    safe = rt.start_workflow("wf", {"who": "safe"}, definition_text=ONE)
    unsafe = rt.start_workflow("wf", {"who": "unsafe"})
    lost = claim(db, "dead-node")
    assert len(lost) == 2
    recovery = rt.recover_lost_actions(["dead-node"])
    assert len(recovery.requeued) == 1 and len(recovery.failed) == 1
    assert wf_state(db, unsafe["id"]) == "ERROR"
    info = rt.execution(unsafe["id"])["state_info"]
    assert "executor running this action was lost" in info
    assert wf_state(db, safe["id"]) == "RUNNING"
    (again,) = claim(db, "node-2")
    assert again == recovery.requeued[0]
    rt.actions_finished([ActionReport(again, "SUCCESS", "safe")])
    assert wf_state(db, safe["id"]) == "SUCCESS"
    assert rt.recover_lost_actions(["dead-node"]) == type(recovery)([], [])


def test_a_start_with_an_explicit_id_is_idempotent(db: Database) -> None:
    rt = EngineRuntime(db)
    first = rt.start_workflow("wf", {"who": "a"}, execution_id="exec-1", definition_text=ONE)
    second = rt.start_workflow("wf", {"who": "b"}, execution_id="exec-1")
    assert first["id"] == second["id"] == "exec-1"
    assert second["input"] == {"who": "a"}
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(WF)) == 1
        assert session.scalar(select(func.count()).select_from(ACTION)) == 1


def test_bad_input_or_an_unknown_workflow_is_refused_without_a_row(db: Database) -> None:
    rt = EngineRuntime(db)
    with pytest.raises(WorkflowInputError, match="missing required input: who"):
        rt.start_workflow("wf", {}, definition_text=ONE)
    with pytest.raises(WorkflowInputError, match="unexpected input: bogus"):
        rt.start_workflow("wf", {"who": 1, "bogus": 2}, definition_text=ONE)
    with pytest.raises(WorkflowNotFoundError, match="'nope' not found"):
        rt.start_workflow("nope", {})
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(WF)) == 0
        assert session.scalar(select(func.count()).select_from(ACTION)) == 0


def test_on_work_is_called_after_a_commit_that_enqueued_work(db: Database) -> None:
    woken: list[NewWork] = []
    rt = EngineRuntime(db, on_work=woken.append)
    rt.start_workflow("wf", {"who": "x"}, definition_text=ONE)
    assert woken == [NewWork.ACTIONS]
    (aid,) = claim(db)
    rt.actions_finished([ActionReport(aid, "SUCCESS", "x")])
    assert woken == [NewWork.ACTIONS]


def test_on_work_names_timers_and_notifications_too(db: Database) -> None:
    woken: list[NewWork] = []
    rt = EngineRuntime(db, on_work=woken.append)
    waiting = ("version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"
               "      wait-before: 30\n")
    rt.start_workflow("wf", definition_text=waiting,
                      params={"notify": [{"type": "webhook", "url": "http://127.0.0.1:9/"}]})
    assert woken == [NewWork.TIMERS | NewWork.NOTIFICATIONS]


def test_starts_in_one_transaction_cost_one_insert_per_table(db: Database) -> None:
    rt = EngineRuntime(db)
    rt.start_workflow("wf", {"who": "warm-up"}, definition_text=ONE)
    ids = [f"batch-{i}" for i in range(20)]

    def start_all(session: object, start: object) -> list[str]:
        start.expect(ids)  # type: ignore[attr-defined]
        return [start("wf", {"who": i}, execution_id=i) for i in ids]  # type: ignore[operator]

    with counting(db) as seen:
        assert rt.in_transaction(start_all) == ids
    inserts = [written_table(s) for s in seen if write_verb(s) == "INSERT"]
    assert sorted(inserts) == sorted([
        "workflow_executions", "task_executions", "action_executions", "work_queue"])
    assert not [s for s in seen if s.startswith("UPDATE")]
    for execution_id in ids:
        row = rt.execution(execution_id)
        # As upstream's execution-create answer shows: a started execution was updated.
        assert row["state"] == "RUNNING" and row["updated_at"] is not None
    assert len(claim(db)) == 21
    # Idempotent inside a batch as well: the same ids again start nothing new.
    assert rt.in_transaction(start_all) == ids
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(WF)) == 21


CLOUD = """
version: '2.0'
wf:
  tasks:
    list:
      action: nova.servers_list
"""


def test_a_batch_of_starts_looks_an_action_name_up_once(db: Database) -> None:
    # nova.servers_list is no ad-hoc action: whether it is one is asked of the
    # database once per transaction, not once per start.
    rt = EngineRuntime(db)
    rt.start_workflow("wf", definition_text=CLOUD)

    def start_all(session: object, start: object) -> list[str]:
        return [start("wf") for _ in range(10)]  # type: ignore[operator]

    with counting(db) as seen:
        started = rt.in_transaction(start_all)
    assert len(started) == 10
    assert len([s for s in seen if "FROM action_definitions" in s]) == 1
    with db.read() as session:
        names = session.scalars(select(ACTION.c.name).where(
            ACTION.c.workflow_execution_id.in_(started))).all()
    assert names == ["nova.servers_list"] * 10
