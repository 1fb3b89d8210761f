"""Levante's per-item views (additive to Mistral's API): which hosts failed, and since when.

``GET /v2/executions/{id}/items``: each task of the execution with its
state and duration and, for a with-items task, each iteration with the item
it ran for (the host), its state, duration, error or output tail, failed
ones first, and a summary line per task and for the execution
(``18 succeeded, 2 failed``).

``GET /v2/workflows/{name}/tasks/{task}/items``: for each item value ever
seen in that task's runs, its last state, when, and the trend of its recent
states (newest first); ``never_succeeded=true`` keeps the items that never
succeeded.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.errors import BadRequest, NotFound
from levante.api.executions import get_started_execution
from levante.api.item_runs import (
    ItemRun,
    count_states,
    failed_first,
    item_history,
    summary_line,
    task_items,
    with_items_variables,
)
from levante.api.reports import flag
from levante.api.wire import json_response, timestamps
from levante.store.definitions import find_definition
from levante.store.models import TaskExecution, WorkflowDefinition, WorkflowExecution
from levante.store.snapshots import with_definition

router = APIRouter(tags=["items"])

#: Recent states shown per item by default, and the most that may be asked for.
DEFAULT_TREND = 5
MAX_TREND = 100


@router.get("/v2/executions/{execution_id}/items")
def execution_items(execution_id: str, ctx: Ctx, errors_only: str = "") -> JSONResponse:
    """Each task of the execution and each with-items iteration, failed first, with summaries."""
    only_errors = flag(errors_only, "errors_only")
    with ctx.db.read() as session:
        wf = get_started_execution(session, execution_id)
        body = _execution_body(session, wf, only_errors)
    return json_response(body)


@router.get("/v2/workflows/{workflow_name}/tasks/{task_name}/items")
def task_item_history(
    workflow_name: str,
    task_name: str,
    ctx: Ctx,
    namespace: str | None = None,
    runs: int | None = None,
    trend: int = DEFAULT_TREND,
    never_succeeded: str = "",
) -> JSONResponse:
    """Each item value seen in the runs of the task: last state, when, recent trend."""
    if runs is not None and runs <= 0:
        raise BadRequest("runs must be a positive number of task runs to read")
    if not 1 <= trend <= MAX_TREND:
        raise BadRequest(f"trend must be between 1 and {MAX_TREND}")
    only_never = flag(never_succeeded, "never_succeeded")
    with ctx.db.read() as session:
        read, histories = item_history(
            session, workflow_name, task_name, namespace=namespace, runs=runs
        )
        if read == 0:
            _explain_no_runs(session, workflow_name, task_name, namespace)
    entries = [h.as_dict(trend) for h in histories]
    if only_never:
        entries = [entry for entry in entries if not entry["ever_succeeded"]]
    entries.sort(key=lambda entry: (entry["last_state"] == "SUCCESS", str(entry["value"])))
    return json_response(
        {
            "workflow_name": workflow_name,
            "task_name": task_name,
            "task_runs": read,
            "summary": summary_line(count_states(e["last_state"] for e in entries)),
            "items": entries,
        }
    )


def _execution_body(session: Session, wf: WorkflowExecution, only_errors: bool) -> dict[str, Any]:
    tasks = session.scalars(
        select(TaskExecution)
        .where(TaskExecution.workflow_execution_id == wf.id)
        .order_by(TaskExecution.created_at, TaskExecution.id)
    )
    task_entries = []
    all_items: list[ItemRun] = []
    task_states = []
    for task in tasks:
        task_states.append(task.state)
        entry, items = _task_entry(session, wf, task)
        all_items += items
        if only_errors:
            entry["items"] = [item for item in entry["items"] if item["state"] == "ERROR"]
            if task.state != "ERROR" and not entry["items"]:
                continue
        task_entries.append(entry)
    return {
        "execution": {
            "id": wf.id,
            "workflow_name": wf.workflow_name,
            "state": wf.state,
            "state_info": wf.state_info,
            **timestamps(wf),
        },
        "summary": {
            "tasks": summary_line(count_states(task_states)),
            "items": summary_line(count_states(item.state for item in all_items)),
        },
        "tasks": task_entries,
    }


def _task_entry(
    session: Session, wf: WorkflowExecution, task: TaskExecution
) -> tuple[dict[str, Any], list[ItemRun]]:
    with_items = "with_items" in (task.runtime_context or {})
    entry: dict[str, Any] = {
        "id": task.id,
        "name": task.name,
        "type": task.type,
        "state": task.state,
        "state_info": task.state_info,
        **timestamps(task, ("started_at", "finished_at")),
        "duration": _seconds(task),
        "with_items": with_items,
    }
    if not with_items:
        entry["items"] = []
        return entry, []
    variables = with_items_variables(with_definition(session, wf.spec), task.name)
    items = task_items(session, task, variables)
    entry["summary"] = summary_line(count_states(item.state for item in items))
    entry["items"] = [item.as_dict() for item in failed_first(items)]
    return entry, items


def _seconds(task: TaskExecution) -> float | None:
    if task.started_at is None or task.finished_at is None:
        return None
    return round((task.finished_at - task.started_at).total_seconds(), 3)


def _explain_no_runs(
    session: Session, workflow_name: str, task_name: str, namespace: str | None
) -> None:
    """A 404 when the workflow or its task does not exist; nothing when it just never ran."""
    workflow = find_definition(session, WorkflowDefinition, workflow_name, namespace or "")
    if workflow is None:
        raise NotFound(f"Workflow not found [workflow_identifier={workflow_name}] and no "
                       "execution of it is recorded")
    tasks = sorted(((workflow.spec or {}).get("tasks") or {}).keys())
    if task_name not in tasks:
        raise NotFound(f"Workflow {workflow_name!r} has no task {task_name!r}; its tasks: "
                       f"{', '.join(tasks) or 'none'}")
