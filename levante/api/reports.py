"""Execution trees: ``/v2/executions/{id}/report`` and the sub-execution lists.

The report walks an execution, its tasks, their action executions and
sub-workflow executions (recursively), counting tasks by state, in the shape
``mistral execution-get-report`` prints. ``/v2/executions/{id}/executions``
and ``/v2/tasks/{id}/executions`` list the workflow executions below an
execution (itself included) or a task, depth first, as Mistral does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.context import ApiContext, Ctx
from levante.api.errors import BadRequest
from levante.api.executions import STARTED, execution_resource, get_started_execution
from levante.api.wire import json_response, timestamps
from levante.store.executions import get_task_execution
from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution
from levante.store.types import utc_now

router = APIRouter(tags=["executions"])

#: Finished executions of the same workflow the time estimate averages over.
ESTIMATE_SAMPLE = 20
#: Task states the statistics count (each also counts in the total).
COUNTED_STATES = ("RUNNING", "SUCCESS", "ERROR", "IDLE", "PAUSED")


@dataclass(frozen=True)
class TreeFilter:
    """Which part of the tree to walk: ``max_depth`` < 0 means no limit."""

    errors_only: bool = False
    max_depth: int = -1

    def too_deep(self, depth: int) -> bool:
        """True when ``depth`` is below the deepest level asked for."""
        return 0 <= self.max_depth < depth


@dataclass
class Statistics:
    """Task counts by state over the walked tree, and the time estimate."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED_STATES, 0))
    estimated_time: int = 0

    def count(self, state: str) -> None:
        """Count one task in ``state`` (states not listed are not counted, as in Mistral)."""
        if state in self.counts:
            self.counts[state] += 1

    def as_dict(self) -> dict[str, int]:
        """The ``statistics`` object of the report."""
        body = {f"{state.lower()}_tasks_count": n for state, n in self.counts.items()}
        return {
            "total_tasks_count": sum(self.counts.values()),
            **body,
            "estimated_time": self.estimated_time,
        }


def flag(value: str, name: str) -> bool:
    """A boolean query parameter as the client sends it (``True``, ``false``, or empty)."""
    lowered = value.strip().lower()
    if lowered in ("", "false", "0", "no"):
        return False
    if lowered in ("true", "1", "yes"):
        return True
    raise BadRequest(f"Invalid value for {name}: {value!r}; use true or false")


@router.get("/v2/executions/{execution_id}/report")
def get_report(
    execution_id: str,
    ctx: Ctx,
    errors_only: str = "",
    max_depth: int = -1,
    statistics_only: str = "",
) -> JSONResponse:
    """The execution's tree of tasks, actions and sub-workflows, with task statistics."""
    tree = TreeFilter(flag(errors_only, "errors_only"), max_depth)
    stats = Statistics()
    with ctx.db.read() as session:
        root = get_started_execution(session, execution_id)
        stats.estimated_time = _estimate(session, root)
        entry = _workflow_entry(session, root, tree, stats, 0)
    body: dict[str, Any] = {"statistics": stats.as_dict()}
    if not flag(statistics_only, "statistics_only"):
        body["root_workflow_execution"] = entry
    return json_response(body)


@dataclass(frozen=True)
class SubExecutionQuery:
    """The query both sub-execution lists take (flags as the client sends them)."""

    errors_only: str = ""
    max_depth: int = -1
    include_output: str = ""


#: A sub-execution list's query parameters, read by FastAPI.
SubExecutions = Annotated[SubExecutionQuery, Depends()]


@router.get("/v2/executions/{execution_id}/executions")
def list_sub_executions_of_execution(
    execution_id: str, ctx: Ctx, query: SubExecutions
) -> JSONResponse:
    """The execution and every workflow execution below it, depth first."""
    return _sub_executions(
        ctx,
        query,
        lambda session, tree: _executions_below_execution(
            session, get_started_execution(session, execution_id), tree, 0
        ),
    )


@router.get("/v2/tasks/{task_id}/executions")
def list_sub_executions_of_task(task_id: str, ctx: Ctx, query: SubExecutions) -> JSONResponse:
    """The workflow executions a task started, and everything below them."""
    return _sub_executions(
        ctx,
        query,
        lambda session, tree: _executions_below_task(
            session, get_task_execution(session, task_id), tree, 0
        ),
    )


def _sub_executions(
    ctx: ApiContext,
    query: SubExecutionQuery,
    below: Callable[[Session, TreeFilter], list[WorkflowExecution]],
) -> JSONResponse:
    """``{"executions": [...]}``: the workflow executions ``below`` finds from its root."""
    tree = TreeFilter(flag(query.errors_only, "errors_only"), query.max_depth)
    with ctx.db.read() as session:
        rows = below(session, tree)
        # include_output is read once a row is shown: an unknown root stays a 404.
        resources = [_listed(row, flag(query.include_output, "include_output")) for row in rows]
    return json_response({"executions": resources})


def _listed(row: WorkflowExecution, include_output: bool) -> dict[str, Any]:
    resource = execution_resource(row, published_global=False)
    if not include_output:
        resource.pop("output")
    return resource


def _executions_below_execution(
    session: Session, wf: WorkflowExecution, tree: TreeFilter, depth: int
) -> list[WorkflowExecution]:
    if tree.too_deep(depth):
        return []
    found = [wf]
    for task in _tasks_of(session, wf.id):
        found.extend(_executions_below_task(session, task, tree, depth + 1))
    return found


def _executions_below_task(
    session: Session, task: TaskExecution, tree: TreeFilter, depth: int
) -> list[WorkflowExecution]:
    if tree.errors_only and task.state != "ERROR":
        return []
    found: list[WorkflowExecution] = []
    for child in _children_of(session, task.id):
        found.extend(_executions_below_execution(session, child, tree, depth))
    return found


def _entry(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "state": row.state,
        "state_info": row.state_info,
        **timestamps(row),
    }


def _workflow_entry(
    session: Session, wf: WorkflowExecution, tree: TreeFilter, stats: Statistics, depth: int
) -> dict[str, Any]:
    entry = _entry(wf)
    if tree.too_deep(depth):
        return entry
    tasks = []
    for task in _tasks_of(session, wf.id):
        if tree.errors_only and task.state != "ERROR":
            continue
        stats.count(task.state)
        tasks.append(_task_entry(session, task, tree, stats, depth + 1))
    entry["task_executions"] = tasks
    return entry


def _task_entry(
    session: Session, task: TaskExecution, tree: TreeFilter, stats: Statistics, depth: int
) -> dict[str, Any]:
    entry = _entry(task)
    retry = (task.runtime_context or {}).get("retry_task_policy")
    if isinstance(retry, dict) and "retry_no" in retry:
        entry["retry_count"] = retry["retry_no"]
    actions = session.scalars(
        select(ActionExecution)
        .where(ActionExecution.task_execution_id == task.id)
        .order_by(ActionExecution.created_at, ActionExecution.id)
    )
    entry["action_executions"] = [
        {
            **_entry(action),
            "accepted": bool(action.accepted),
            "last_heartbeat": timestamps(action, ("last_heartbeat",))["last_heartbeat"],
        }
        for action in actions
    ]
    entry["workflow_executions"] = [
        _workflow_entry(session, child, tree, stats, depth)
        for child in _children_of(session, task.id)
    ]
    return entry


def _tasks_of(session: Session, execution_id: str) -> list[TaskExecution]:
    return list(
        session.scalars(
            select(TaskExecution)
            .where(TaskExecution.workflow_execution_id == execution_id)
            .order_by(TaskExecution.created_at, TaskExecution.id)
        )
    )


def _children_of(session: Session, task_id: str) -> list[WorkflowExecution]:
    return list(
        session.scalars(
            select(WorkflowExecution)
            .where(WorkflowExecution.task_execution_id == task_id, STARTED)
            .order_by(WorkflowExecution.created_at, WorkflowExecution.id)
        )
    )


def _estimate(session: Session, wf: WorkflowExecution) -> int:
    """Seconds left for a RUNNING execution, from recent successful runs (-1: no history)."""
    if wf.state != "RUNNING":
        return 0
    durations = session.execute(
        select(WorkflowExecution.created_at, WorkflowExecution.updated_at)
        .where(
            WorkflowExecution.workflow_id == wf.workflow_id,
            WorkflowExecution.state == "SUCCESS",
            WorkflowExecution.updated_at.is_not(None),
        )
        .order_by(WorkflowExecution.created_at.desc())
        .limit(ESTIMATE_SAMPLE)
    ).all()
    if not durations:
        return -1
    average = sum((end - start).total_seconds() for start, end in durations) / len(durations)
    elapsed = (utc_now() - _aware(wf.created_at)).total_seconds()
    left = average - elapsed
    return int(left) if left >= 0 else 1


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
