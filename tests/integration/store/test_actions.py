"""Action executions: bulk insert, first-result-wins acceptance, IDLE promotion, results."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from levante.store.actions import (
    ActionResult,
    accept_action_result,
    accept_action_results,
    actions_of_task,
    idle_query,
    insert_action_executions,
    load_action_executions,
    next_idle_action,
    promote_idle_actions,
    task_results,
)
from levante.store.db import Database
from levante.store.executions import get_action_execution

from .factories import iterations, task, workflow


def test_bulk_insert_returns_ids_in_order_and_fills_defaults(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        ids = iterations(session, tk, 5)
    with db.read() as session:
        rows = actions_of_task(session, tk.id)
        assert [r.id for r in rows] == ids
        assert [r.item_index for r in rows] == [0, 1, 2, 3, 4]
        first = rows[0]
        assert (first.accepted, first.safe_rerun, first.project_id) == (
            False,
            False,
            "<default-project>",
        )
        assert first.input == {"index": 0}
        assert first.created_at is not None
        assert len(set(ids)) == 5


def test_bulk_insert_rejects_unknown_columns(db: Database) -> None:
    with db.transaction() as session, pytest.raises(KeyError, match="colour"):
        insert_action_executions(session, [{"name": "x", "state": "RUNNING", "colour": "red"}])


def test_a_result_is_accepted_once(db: Database) -> None:
    with db.transaction() as session:
        (action_id,) = iterations(session, task(session, workflow(session)), 1)
    with db.transaction() as session:
        assert accept_action_result(session, action_id, "SUCCESS", {"result": 42})
        assert not accept_action_result(session, action_id, "ERROR", None, "late")
    with db.read() as session:
        row = get_action_execution(session, action_id)
        assert (row.state, row.output, row.state_info, row.accepted) == (
            "SUCCESS",
            {"result": 42},
            None,
            True,
        )


def test_a_result_for_an_action_not_running_is_refused(db: Database) -> None:
    with db.transaction() as session:
        running, idle = iterations(session, task(session, workflow(session)), 2, running=1)
        loaded = get_action_execution(session, running)
        assert accept_action_result(session, running, "SUCCESS", {"result": 1})
        assert loaded.state == "SUCCESS"  # a loaded object shows the accepted result
        assert not accept_action_result(session, idle, "SUCCESS", {"result": 1})
        assert not accept_action_result(session, "missing", "SUCCESS", {"result": 1})


def test_a_batch_of_results_accepts_each_running_action_once(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        a, b, c = iterations(session, tk, 3, running=2)
        assert accept_action_result(session, b, "ERROR", None, "first")
    results = [
        ActionResult(a, "SUCCESS", {"result": "a"}),
        ActionResult(a, "ERROR", None, "duplicate in the batch"),
        ActionResult(b, "SUCCESS", {"result": "too late"}),
        ActionResult(c, "SUCCESS", {"result": "idle"}),
        ActionResult("missing", "SUCCESS", None),
    ]
    with db.transaction() as session:
        accepted = accept_action_results(session, results)
    assert [
        (r.action_execution_id, r.state, r.item_index, r.task_execution_id) for r in accepted
    ] == [(a, "SUCCESS", 0, tk.id)]
    with db.read() as session:
        assert [(r.state, r.output, r.state_info) for r in task_results(session, tk.id, 0)] == [
            ("SUCCESS", {"result": "a"}, None),
            ("ERROR", None, "first"),
            ("IDLE", None, None),
        ]
    with db.transaction() as session:
        assert accept_action_results(session, results) == []


def test_results_come_back_in_item_order_for_one_attempt(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        ids = iterations(session, tk, 4)
        iterations(session, tk, 4, attempt=1)
    with db.transaction() as session:
        accept_action_results(
            session,
            [ActionResult(i, "SUCCESS", {"result": n}) for n, i in reversed(list(enumerate(ids)))],
        )
    with db.read() as session:
        results = task_results(session, tk.id, 0)
        assert [r.output["result"] for r in results] == [0, 1, 2, 3]
        assert [r.item_index for r in task_results(session, tk.id, 1)] == [0, 1, 2, 3]


def test_idle_iterations_are_promoted_in_item_order(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        ids = iterations(session, tk, 6, running=2)
        other = task(session, workflow(session))
        iterations(session, other, 3, running=0)
    with db.transaction() as session:
        assert next_idle_action(session, tk.id, 0) == ids[2]
        promoted = promote_idle_actions(session, tk.id, 0, limit=3)
        assert [p.action_execution_id for p in promoted] == ids[2:5]
        assert [p.item_index for p in promoted] == [2, 3, 4]
        assert next_idle_action(session, tk.id, 0) == ids[5]
        assert [p.item_index for p in promote_idle_actions(session, tk.id, 0, limit=3)] == [5]
        assert promote_idle_actions(session, tk.id, 0) == []
        assert next_idle_action(session, tk.id, 0) is None
        assert next_idle_action(session, tk.id, 1) is None
    with db.read() as session:
        assert {a.state for a in actions_of_task(session, tk.id)} == {"RUNNING"}
        assert {a.state for a in actions_of_task(session, other.id)} == {"IDLE"}


def test_next_idle_lookup_is_an_index_seek_on_sqlite(sqlite_db: Database) -> None:
    query = idle_query("some-task", 0).limit(1)
    compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    with sqlite_db.read() as session:
        plan = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert (
        "USING INDEX ix_action_executions_idle (task_execution_id=? AND attempt=? AND state=?)"
        in details
    )
    assert "TEMP B-TREE" not in details  # already in item order: no sort


def test_load_action_executions_keeps_the_order_asked(db: Database) -> None:
    with db.transaction() as session:
        ids = iterations(session, task(session, workflow(session)), 3)
    with db.read() as session:
        loaded = load_action_executions(session, [ids[2], "missing", ids[0]])
    assert [a.id for a in loaded] == [ids[2], ids[0]]


@pytest.mark.postgres
def test_concurrent_accepts_on_postgresql_have_exactly_one_winner(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        ids = iterations(session, task(session, workflow(session)), 20)
    barrier = threading.Barrier(2)
    wins: dict[int, list[str]] = {0: [], 1: []}

    def report(worker: int) -> None:
        for action_id in ids:
            barrier.wait()
            with pg_db.transaction() as session:
                if accept_action_result(session, action_id, "SUCCESS", {"result": worker}):
                    wins[worker].append(action_id)

    threads = [threading.Thread(target=report, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins[0] + wins[1]) == sorted(ids)
    assert not set(wins[0]) & set(wins[1])


@pytest.mark.postgres
def test_concurrent_batches_on_postgresql_accept_each_result_once(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        ids = iterations(session, task(session, workflow(session)), 200)
    barrier = threading.Barrier(2)
    accepted: dict[int, list[str]] = {0: [], 1: []}

    def report(worker: int) -> None:
        batch = [ActionResult(i, "SUCCESS", {"result": worker}) for i in ids]
        barrier.wait()
        with pg_db.transaction() as session:
            accepted[worker] = [
                r.action_execution_id for r in accept_action_results(session, batch)
            ]

    threads = [threading.Thread(target=report, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(accepted[0] + accepted[1]) == sorted(ids)


@pytest.mark.postgres
def test_concurrent_promoters_on_postgresql_never_promote_the_same_iteration(
    pg_db: Database,
) -> None:
    with pg_db.transaction() as session:
        tk = task(session, workflow(session))
        iterations(session, tk, 40, running=0)
    barrier = threading.Barrier(2)
    promoted: dict[int, list[str]] = {0: [], 1: []}

    def promote(worker: int) -> None:
        barrier.wait()
        for _ in range(10):
            with pg_db.transaction() as session:
                got = promote_idle_actions(session, tk.id, 0, limit=2)
                promoted[worker].extend(p.action_execution_id for p in got)

    threads = [threading.Thread(target=promote, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = promoted[0] + promoted[1]
    assert len(everything) == 40
    assert len(set(everything)) == 40
