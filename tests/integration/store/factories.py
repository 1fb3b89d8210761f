"""Builders of minimal execution rows for store tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from levante.store.actions import insert_action_executions
from levante.store.executions import add_execution
from levante.store.models import TaskExecution, WorkflowExecution


def workflow(session: Session, **values: Any) -> WorkflowExecution:
    """A RUNNING workflow execution named ``wf``."""
    fields: dict[str, Any] = {"name": "wf", "workflow_name": "wf", "state": "RUNNING"}
    fields.update(values)
    return add_execution(session, WorkflowExecution(**fields))


def task(session: Session, wf: WorkflowExecution, name: str = "t", **values: Any) -> TaskExecution:
    """A RUNNING task execution of ``wf``."""
    fields: dict[str, Any] = {
        "name": name,
        "workflow_execution_id": wf.id,
        "workflow_name": wf.workflow_name,
        "state": "RUNNING",
    }
    fields.update(values)
    return add_execution(session, TaskExecution(**fields))


def iterations(
    session: Session,
    tk: TaskExecution,
    count: int,
    *,
    running: int | None = None,
    attempt: int = 0,
    action: str = "std.noop",
) -> list[str]:
    """``count`` action executions of ``tk``; the first ``running`` RUNNING, the rest IDLE."""
    running = count if running is None else running
    rows = [
        {
            "name": action,
            "task_execution_id": tk.id,
            "workflow_execution_id": tk.workflow_execution_id,
            "state": "RUNNING" if index < running else "IDLE",
            "item_index": index,
            "attempt": attempt,
            "input": {"index": index},
        }
        for index in range(count)
    ]
    return insert_action_executions(session, rows)
