"""Workflow and task executions: lookups, conditional updates, counters, join bookkeeping."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from levante.store.db import Database
from levante.store.errors import NotFoundError
from levante.store.executions import (
    add_join_arrival,
    change_active_tasks,
    create_task_execution,
    get_task_execution,
    get_workflow_execution,
    increment_task_counters,
    sub_workflows_of_task,
    tasks_by_name,
    tasks_of_workflow,
    update_execution,
)
from levante.store.models import TaskExecution, WorkflowExecution

from .factories import task, workflow


def test_an_execution_round_trips_with_its_json_columns(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(
            session,
            input={"hosts": ["a", "b"]},
            params={"env": {"x": 1}},
            spec={"tasks": {"t": {"action": "std.noop"}}},
        )
    with db.read() as session:
        loaded = get_workflow_execution(session, wf.id)
        assert loaded.input == {"hosts": ["a", "b"]}
        assert loaded.params == {"env": {"x": 1}}
        assert loaded.output is None
        assert loaded.active_tasks == 0
        assert loaded.to_dict()["created_at"] == wf.to_dict()["created_at"]
        assert len(loaded.to_dict()["created_at"]) == len("2026-11-28 17:11:17")


def test_a_missing_execution_names_what_was_looked_for(db: Database) -> None:
    with (
        db.read() as session,
        pytest.raises(NotFoundError, match=r"Task execution not found.*nope"),
    ):
        get_task_execution(session, "nope")


def test_conditional_update_applies_only_from_the_expected_states(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
    with db.transaction() as session:
        assert update_execution(
            session, WorkflowExecution, wf.id, {"state": "PAUSED"}, only_in_states=["RUNNING"]
        )
        assert not update_execution(
            session, WorkflowExecution, wf.id, {"state": "PAUSED"}, only_in_states=["RUNNING"]
        )
        assert get_workflow_execution(session, wf.id).state == "PAUSED"
        assert not update_execution(session, WorkflowExecution, "missing", {"state": "ERROR"})


def test_updates_stamp_updated_at(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        assert wf.updated_at is None
    with db.transaction() as session:
        update_execution(session, WorkflowExecution, wf.id, {"state_info": "hello"})
    with db.read() as session:
        assert get_workflow_execution(session, wf.id).updated_at is not None


def test_task_counters_are_incremented_in_sql_and_returned(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        counters = increment_task_counters(session, tk.id, count=3, started=3)
        assert (counters.items_count, counters.items_started, counters.all_in) == (3, 3, False)
    with db.transaction() as session:
        increment_task_counters(session, tk.id, succeeded=2)
        counters = increment_task_counters(session, tk.id, failed=1)
    assert counters.items_finished == 3
    assert counters.all_in
    with db.read() as session:
        assert get_task_execution(session, tk.id).items_succeeded == 2


def test_counter_increments_refresh_a_loaded_task(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        increment_task_counters(session, tk.id, succeeded=1)
        assert tk.items_succeeded == 1


def test_counters_of_a_missing_task_raise(db: Database) -> None:
    with db.transaction() as session, pytest.raises(NotFoundError):
        increment_task_counters(session, "missing", succeeded=1)


def test_active_tasks_counter(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        assert change_active_tasks(session, wf.id, 2) == 2
        assert change_active_tasks(session, wf.id, -1) == 1
        assert wf.active_tasks == 1
        with pytest.raises(NotFoundError):
            change_active_tasks(session, "missing", 1)


def test_a_join_task_is_created_once_per_workflow_and_key(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        other = workflow(session)
        first, created = create_task_execution(
            session,
            TaskExecution(
                name="join", workflow_execution_id=wf.id, state="WAITING", unique_key="join"
            ),
        )
        assert created
        again, created_again = create_task_execution(
            session,
            TaskExecution(
                name="join", workflow_execution_id=wf.id, state="WAITING", unique_key="join"
            ),
        )
        assert (again.id, created_again) == (first.id, False)
        elsewhere, created_elsewhere = create_task_execution(
            session,
            TaskExecution(
                name="join", workflow_execution_id=other.id, state="WAITING", unique_key="join"
            ),
        )
        assert created_elsewhere and elsewhere.id != first.id
        plain_a, _ = create_task_execution(
            session, TaskExecution(name="t", workflow_execution_id=wf.id, state="RUNNING")
        )
        plain_b, _ = create_task_execution(
            session, TaskExecution(name="t", workflow_execution_id=wf.id, state="RUNNING")
        )
        assert plain_a.id != plain_b.id
    with db.read() as session:
        assert len(tasks_by_name(session, wf.id, "join")) == 1


def test_join_arrivals_accumulate(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session), "join")
        add_join_arrival(session, tk.id, {"task_execution_id": "a", "outcome": "on-success"})
        arrivals = add_join_arrival(
            session, tk.id, {"task_execution_id": "b", "outcome": "on-error"}
        )
    assert [a["task_execution_id"] for a in arrivals] == ["a", "b"]
    with db.read() as session:
        assert get_task_execution(session, tk.id).join_arrivals == arrivals


def test_tasks_of_a_workflow_by_state_and_name(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        task(session, wf, "a", state="SUCCESS")
        task(session, wf, "b", state="RUNNING")
        task(session, wf, "c", state="ERROR")
        task(session, workflow(session), "a", state="SUCCESS")
    with db.read() as session:
        assert [t.name for t in tasks_of_workflow(session, wf.id)] == ["a", "b", "c"]
        finished = tasks_of_workflow(session, wf.id, states=["SUCCESS", "ERROR"])
        assert sorted(t.name for t in finished) == ["a", "c"]
        assert [t.state for t in tasks_by_name(session, wf.id, "a")] == ["SUCCESS"]


def test_sub_workflows_of_a_task(db: Database) -> None:
    with db.transaction() as session:
        parent = workflow(session)
        tk = task(session, parent)
        for index in range(3):
            workflow(
                session,
                name="child",
                task_execution_id=tk.id,
                root_execution_id=parent.id,
                runtime_context={"index": index},
            )
    with db.read() as session:
        children = sub_workflows_of_task(session, tk.id)
        assert [c.runtime_context["index"] for c in children] == [0, 1, 2]


def test_deleting_a_workflow_execution_deletes_its_tasks(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        task(session, wf)
    with db.transaction() as session:
        session.delete(session.get(WorkflowExecution, wf.id))
    with db.read() as session:
        assert session.scalars(select(TaskExecution)).all() == []
