"""``/v2/tasks`` and ``/v2/executions/{id}/tasks``: task executions.

Reading works on the store alone; a rerun (``PUT`` with ``state: RUNNING``)
goes through the engine gateway. ``result`` is shown by ``GET /v2/tasks/{id}``
only, not in lists, as in Mistral.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.context import ApiContext, Ctx, base_url
from levante.api.errors import BadRequest
from levante.api.executions import STARTED, get_started_execution
from levante.api.listing import (
    ListSpec,
    next_link,
    openapi_parameters,
    page_body,
    parse_fields,
    parse_list_query,
    pick_fields,
    run_list,
)
from levante.api.wire import json_object, json_response, json_text, timestamps
from levante.store.executions import get_task_execution
from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution

router = APIRouter(tags=["tasks"])

FIELDS = (
    "id",
    "name",
    "type",
    "workflow_name",
    "workflow_namespace",
    "workflow_id",
    "workflow_execution_id",
    "tags",
    "state",
    "state_info",
    "project_id",
    "runtime_context",
    "result",
    "published",
    "processed",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
)
LIST = ListSpec(
    collection="tasks",
    model=TaskExecution,
    fields=FIELDS,
    filters=(
        "name",
        "workflow_name",
        "workflow_id",
        "workflow_execution_id",
        "tags",
        "state",
        "state_info",
        "published",
        "processed",
        "created_at",
        "updated_at",
    ),
)


class TaskBody(BaseModel):
    """A task update: ``state: RUNNING`` reruns it (``reset``, ``env`` as in Mistral)."""

    model_config = ConfigDict(extra="allow")

    state: str | None = None
    reset: bool | None = None
    env: dict[str, Any] | str | None = None
    name: str | None = None
    id: str | None = None


def task_resource(
    row: TaskExecution, result: Any = None, *, with_result: bool = False
) -> dict[str, Any]:
    """A task execution as Mistral shows it; ``result`` only when asked for (task-get)."""
    resource: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "workflow_name": row.workflow_name,
        "workflow_namespace": row.workflow_namespace,
        "workflow_id": row.workflow_id,
        "workflow_execution_id": row.workflow_execution_id,
        "tags": list(row.tags or []),
        "state": row.state,
        "state_info": row.state_info,
        "project_id": row.project_id,
        "runtime_context": json_text(row.runtime_context or {}),
        "published": json_text(row.published or {}),
        "processed": bool(row.processed),
        **timestamps(row, ("created_at", "updated_at", "started_at", "finished_at")),
    }
    if with_result:
        resource["result"] = json_text(result)
    return resource


def task_result(session: Session, task: TaskExecution) -> Any:
    """The task's result: its action's (or sub-workflow's) result, a list for with-items."""
    with_items = "with_items" in (task.runtime_context or {})
    if task.type == "WORKFLOW":
        subs = session.scalars(
            select(WorkflowExecution)
            .where(WorkflowExecution.task_execution_id == task.id, STARTED)
            .order_by(WorkflowExecution.created_at, WorkflowExecution.id)
        )
        results = [sub.output for sub in subs]
    else:
        actions = session.scalars(
            select(ActionExecution)
            .where(
                ActionExecution.task_execution_id == task.id,
                ActionExecution.accepted.is_(True),
            )
            .order_by(ActionExecution.item_index, ActionExecution.created_at)
        )
        results = [(action.output or {}).get("result") for action in actions]
    if with_items:
        return results
    return results[-1] if results else None


@router.get("/v2/tasks", openapi_extra=openapi_parameters(LIST))
def list_tasks(request: Request, ctx: Ctx) -> JSONResponse:
    """List task executions of all workflow executions."""
    return _list(request, ctx, None)


@router.get("/v2/executions/{execution_id}/tasks", openapi_extra=openapi_parameters(LIST))
def list_tasks_of_execution(execution_id: str, request: Request, ctx: Ctx) -> JSONResponse:
    """List the task executions of one workflow execution."""
    return _list(request, ctx, execution_id)


def _list(request: Request, ctx: ApiContext, execution_id: str | None) -> JSONResponse:
    query = parse_list_query(dict(request.query_params), LIST, max_limit=ctx.max_limit)
    where = []
    path = None
    if execution_id is not None:
        where.append(TaskExecution.workflow_execution_id == execution_id)
        path = f"executions/{execution_id}/tasks"
    with ctx.db.read() as session:
        if execution_id is not None:
            get_started_execution(session, execution_id)
        rows = run_list(session, LIST, query, where=where)
        resources = [task_resource(row) for row in rows]
    return json_response(
        page_body(
            LIST, query, resources, next_link(base_url(request), LIST, query, rows, path=path)
        )
    )


@router.get("/v2/tasks/{task_id}")
def get_task(task_id: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One task execution, with its result."""
    wanted = parse_fields(fields, FIELDS)
    with ctx.db.read() as session:
        row = get_task_execution(session, task_id)
        resource = task_resource(row, task_result(session, row), with_result=True)
    return json_response(pick_fields(resource, wanted))


@router.put("/v2/tasks/{task_id}")
def update_task(task_id: str, body: TaskBody, ctx: Ctx) -> JSONResponse:
    """Rerun a failed task (``state: RUNNING``; ``reset: false`` keeps finished with-items
    iterations) or skip it (``state: SKIPPED``: the workflow follows its on-skip routes)."""
    if body.state not in ("RUNNING", "SKIPPED"):
        raise BadRequest(
            f"Invalid task state: {body.state}; only updating a task to RUNNING (rerun) "
            "or SKIPPED is supported"
        )
    env = json_object(body.env, "env")
    with ctx.db.read() as session:
        row = get_task_execution(session, task_id)
        if body.name and body.name != row.name:
            raise BadRequest(f"Task name does not match: task {task_id} is {row.name!r}")
    if body.state == "SKIPPED":
        ctx.require_engine("Skipping a task").skip_task(task_id, env)
    else:
        engine = ctx.require_engine("Rerunning a task")
        engine.rerun_task(task_id, body.reset if body.reset is not None else True, env)
    with ctx.db.read() as session:
        row = get_task_execution(session, task_id)
        resource = task_resource(row, task_result(session, row), with_result=True)
    return json_response(resource)
