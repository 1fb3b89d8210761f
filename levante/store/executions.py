"""Repository of workflow and task executions (action executions: ``levante.store.actions``).

Functions take the Session of the caller's transaction and never commit.
Counters are changed in SQL (``x = x + n``) and returned, so "is the task /
workflow done?" is answered from one row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.store.errors import NotFoundError
from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution
from levante.store.rows import sync_loaded
from levante.store.sql import is_unique_violation, lock_for_update

E = TypeVar("E", WorkflowExecution, TaskExecution, ActionExecution)

_KIND = {
    WorkflowExecution: "Workflow execution",
    TaskExecution: "Task execution",
    ActionExecution: "Action execution",
}
_COUNTERS = ("items_count", "items_started", "items_succeeded", "items_failed", "items_cancelled")


@dataclass(frozen=True)
class TaskCounters:
    """The iteration counters of a task execution, as they are after an update."""

    task_execution_id: str
    items_count: int
    items_started: int
    items_succeeded: int
    items_failed: int
    items_cancelled: int
    attempt: int

    @property
    def items_finished(self) -> int:
        """Iterations in a final state."""
        return self.items_succeeded + self.items_failed + self.items_cancelled

    @property
    def all_in(self) -> bool:
        """True when every iteration has finished."""
        return self.items_finished >= self.items_count


# --- single rows ---------------------------------------------------------------------------


def add_execution(session: Session, row: E) -> E:
    """Insert a workflow, task or action execution built by the caller; returns it with its id."""
    session.add(row)
    session.flush()
    return row


def get_execution(session: Session, model: type[E], execution_id: str) -> E:
    """The execution of type ``model`` with this id; ``NotFoundError`` if there is none."""
    row = session.get(model, execution_id)
    if row is None:
        raise NotFoundError(_KIND[model], id=execution_id)
    return row


def get_workflow_execution(session: Session, execution_id: str) -> WorkflowExecution:
    """The workflow execution with this id; ``NotFoundError`` if there is none."""
    return get_execution(session, WorkflowExecution, execution_id)


def get_task_execution(session: Session, execution_id: str) -> TaskExecution:
    """The task execution with this id; ``NotFoundError`` if there is none."""
    return get_execution(session, TaskExecution, execution_id)


def get_action_execution(session: Session, execution_id: str) -> ActionExecution:
    """The action execution with this id; ``NotFoundError`` if there is none."""
    return get_execution(session, ActionExecution, execution_id)


def update_execution(
    session: Session,
    model: type[E],
    execution_id: str,
    values: Mapping[str, Any],
    *,
    only_in_states: Iterable[str] | None = None,
) -> bool:
    """Set ``values`` on one execution; with ``only_in_states``, only if its state is one of them.

    Returns whether the row was changed: ``False`` means it does not exist or
    (with ``only_in_states``) a concurrent transition got there first. This is
    how state changes stay race free: ``set RUNNING -> PAUSED only if RUNNING``.
    """
    table = model.__table__
    statement = update(model).where(table.c.id == execution_id).values(**values)
    if only_in_states is not None:
        statement = statement.where(table.c.state.in_(list(only_in_states)))
    result = session.execute(statement.execution_options(synchronize_session="fetch"))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- task executions -----------------------------------------------------------------------


def create_task_execution(session: Session, task: TaskExecution) -> tuple[TaskExecution, bool]:
    """Insert a task execution unless one with its ``unique_key`` exists in its workflow.

    Returns ``(row, created)``. A join task gets a ``unique_key`` so that all
    the branches arriving at it, even concurrently on PostgreSQL, find the one
    row instead of creating several.
    """
    if task.unique_key is None:
        return add_execution(session, task), True
    existing = _task_by_key(session, task.workflow_execution_id, task.unique_key)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        existing = _task_by_key(session, task.workflow_execution_id, task.unique_key)
        if existing is None:  # pragma: no cover - the winner's row must be visible now
            raise
        return existing, False
    return task, True


def _task_by_key(session: Session, workflow_execution_id: str, key: str) -> TaskExecution | None:
    statement = select(TaskExecution).where(
        TaskExecution.workflow_execution_id == workflow_execution_id,
        TaskExecution.unique_key == key,
    )
    return session.scalars(lock_for_update(statement)).first()


def tasks_of_workflow(
    session: Session, workflow_execution_id: str, states: Iterable[str] | None = None
) -> list[TaskExecution]:
    """Task executions of a workflow execution (optionally only in ``states``), oldest first."""
    statement = select(TaskExecution).where(
        TaskExecution.workflow_execution_id == workflow_execution_id
    )
    if states is not None:
        statement = statement.where(TaskExecution.state.in_(list(states)))
    return list(session.scalars(statement.order_by(TaskExecution.created_at, TaskExecution.id)))


def tasks_by_name(session: Session, workflow_execution_id: str, name: str) -> list[TaskExecution]:
    """Task executions of one task (by name) in a workflow execution, oldest first."""
    statement = select(TaskExecution).where(
        TaskExecution.workflow_execution_id == workflow_execution_id,
        TaskExecution.name == name,
    )
    return list(session.scalars(statement.order_by(TaskExecution.created_at, TaskExecution.id)))


def increment_task_counters(
    session: Session,
    task_execution_id: str,
    *,
    count: int = 0,
    started: int = 0,
    succeeded: int = 0,
    failed: int = 0,
    cancelled: int = 0,
) -> TaskCounters:
    """Add to a task's iteration counters in SQL (``x = x + n``) and return the new values.

    Touches one row and nothing else, so concurrent iterations of one task
    never lose an update. ``NotFoundError`` if the task does not exist.
    """
    table = TaskExecution.__table__
    deltas = dict(zip(_COUNTERS, (count, started, succeeded, failed, cancelled), strict=True))
    values = {name: table.c[name] + delta for name, delta in deltas.items() if delta}
    returned = [table.c.id, *(table.c[name] for name in _COUNTERS), table.c.attempt]
    if values:
        statement = (
            update(table)
            .where(table.c.id == task_execution_id)
            .values(**values)
            .returning(*returned)
        )
        row = session.execute(statement).first()
    else:
        row = session.execute(select(*returned).where(table.c.id == task_execution_id)).first()
    if row is None:
        raise NotFoundError("Task execution", id=task_execution_id)
    counters = TaskCounters(*row)
    sync_loaded(session, TaskExecution, task_execution_id, _counter_values(counters))
    return counters


def _counter_values(counters: TaskCounters) -> dict[str, int]:
    return {name: getattr(counters, name) for name in (*_COUNTERS, "attempt")}


def add_join_arrival(
    session: Session, task_execution_id: str, arrival: Mapping[str, Any]
) -> list[Any]:
    """Append one inbound branch to a join task's ``join_arrivals``; returns the new list.

    Locks the task row first (PostgreSQL) so two arrivals never overwrite each other.
    """
    statement = lock_for_update(
        select(TaskExecution.join_arrivals).where(TaskExecution.id == task_execution_id)
    )
    row = session.execute(statement).first()
    if row is None:
        raise NotFoundError("Task execution", id=task_execution_id)
    arrivals = [*(row[0] or []), dict(arrival)]
    session.execute(
        update(TaskExecution.__table__)
        .where(TaskExecution.__table__.c.id == task_execution_id)
        .values(join_arrivals=arrivals)
    )
    sync_loaded(session, TaskExecution, task_execution_id, {"join_arrivals": arrivals})
    return arrivals


# --- workflow executions -------------------------------------------------------------------


def change_active_tasks(session: Session, workflow_execution_id: str, delta: int) -> int:
    """Add ``delta`` to a workflow's ``active_tasks`` in SQL; returns the new value.

    The workflow is complete when this reaches 0 and nothing else is pending.
    """
    table = WorkflowExecution.__table__
    statement = (
        update(table)
        .where(table.c.id == workflow_execution_id)
        .values(active_tasks=table.c.active_tasks + delta)
        .returning(table.c.active_tasks)
    )
    value = session.execute(statement).scalar()
    if value is None:
        raise NotFoundError("Workflow execution", id=workflow_execution_id)
    sync_loaded(session, WorkflowExecution, workflow_execution_id, {"active_tasks": int(value)})
    return int(value)


def sub_workflows_of_task(session: Session, task_execution_id: str) -> list[WorkflowExecution]:
    """Workflow executions started by a task (sub-workflows, one per iteration), oldest first."""
    statement = select(WorkflowExecution).where(
        WorkflowExecution.task_execution_id == task_execution_id
    )
    return list(
        session.scalars(statement.order_by(WorkflowExecution.created_at, WorkflowExecution.id))
    )
