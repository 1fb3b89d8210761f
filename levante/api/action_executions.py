"""``/v2/action_executions`` and ``/v2/tasks/{id}/action_executions``.

Reading works on the store alone. Running an action directly (``POST``) and
reporting an asynchronous action's result (``PUT``) go through the engine
gateway (501 until it is wired); an unknown action is refused first (400).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement

from levante.api.context import ApiContext, Ctx, base_url
from levante.api.crud import one_resource
from levante.api.errors import ApiError, BadRequest
from levante.api.gateway import UNSAVED_RUN_KEY, RunAction, RunActionOutcome
from levante.api.listing import (
    ListSpec,
    next_link,
    openapi_parameters,
    page_body,
    parse_list_query,
    run_list,
)
from levante.api.wire import json_object, json_response, json_text, timestamps
from levante.store.definitions import find_definition
from levante.store.executions import get_action_execution, get_task_execution
from levante.store.models import ActionDefinition, ActionExecution
from levante.store.states import ActionState

router = APIRouter(tags=["action executions"])

FIELDS = (
    "id",
    "workflow_name",
    "workflow_namespace",
    "task_execution_id",
    "state",
    "state_info",
    "tags",
    "name",
    "description",
    "project_id",
    "input",
    "output",
    "created_at",
    "updated_at",
    "accepted",
)
LIST = ListSpec(
    collection="action_executions",
    model=ActionExecution,
    fields=FIELDS,
    filters=(
        "created_at",
        "name",
        "tags",
        "updated_at",
        "workflow_name",
        "task_execution_id",
        "state",
        "state_info",
        "accepted",
        "input",
        "output",
        "description",
    ),
)
#: States an asynchronous action may report through ``PUT``.
REPORTABLE = {
    ActionState.SUCCESS.value,
    ActionState.ERROR.value,
    ActionState.CANCELLED.value,
    ActionState.PAUSED.value,
    ActionState.RUNNING.value,
}


class ActionExecutionBody(BaseModel):
    """Run an action (name, input, params) or report its result (state, output)."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    input: dict[str, Any] | str | None = None
    params: dict[str, Any] | str | None = None
    description: str | None = None
    state: str | None = None
    state_info: str | None = None
    output: Any = None
    workflow_namespace: str | None = None


def action_execution_resource(row: ActionExecution, *, with_output: bool = True) -> dict[str, Any]:
    """An action execution as Mistral shows it (input and output as JSON strings)."""
    resource: dict[str, Any] = {
        "id": row.id,
        "workflow_name": row.workflow_name,
        "workflow_namespace": row.workflow_namespace,
        "task_execution_id": row.task_execution_id,
        "state": row.state,
        "state_info": row.state_info,
        "tags": row.tags,
        "name": row.name,
        "description": row.description or "",
        "project_id": row.project_id,
        "input": json_text(row.input or {}),
        "output": json_text(row.output),
        **timestamps(row),
        "accepted": bool(row.accepted),
    }
    if not with_output:
        resource.pop("output")
    return resource


def unsaved_resource(request: RunAction, outcome: RunActionOutcome) -> dict[str, Any]:
    """What Mistral answers for an action run synchronously without saving it (``id: null``)."""
    return {
        "id": None,
        "workflow_name": None,
        "workflow_namespace": request.namespace,
        "task_execution_id": None,
        "state": outcome.state,
        "state_info": outcome.state_info,
        "tags": None,
        "name": request.name,
        "description": None,
        "project_id": None,
        "input": json_text(dict(request.input)),
        "output": json_text(dict(outcome.output) if outcome.output is not None else None),
        "created_at": None,
        "updated_at": None,
        "accepted": None,
    }


@router.get("/v2/action_executions", openapi_extra=openapi_parameters(LIST, ("include_output",)))
def list_action_executions(request: Request, ctx: Ctx) -> JSONResponse:
    """List action executions; ``output`` only with ``include_output=true``."""
    return _list(request, ctx, None)


@router.get(
    "/v2/tasks/{task_id}/action_executions",
    openapi_extra=openapi_parameters(LIST, ("include_output",)),
)
def list_action_executions_of_task(task_id: str, request: Request, ctx: Ctx) -> JSONResponse:
    """List the action executions of one task execution."""
    return _list(request, ctx, task_id)


def _list(request: Request, ctx: ApiContext, task_id: str | None) -> JSONResponse:
    params = dict(request.query_params)
    query = parse_list_query(
        params, LIST, max_limit=ctx.max_limit, extra_params=("include_output",)
    )
    include_output = params.get("include_output", "").lower() in ("true", "1", "yes")
    include_output = include_output or "output" in query.fields
    where = (
        [ActionExecution.task_execution_id == task_id] if task_id is not None else [_saved_only()]
    )
    with ctx.db.read() as session:
        if task_id is not None:
            get_task_execution(session, task_id)
        rows = run_list(session, LIST, query, where=where)
        resources = [action_execution_resource(r, with_output=include_output) for r in rows]
    path = f"tasks/{task_id}/action_executions" if task_id is not None else None
    return json_response(
        page_body(
            LIST, query, resources, next_link(base_url(request), LIST, query, rows, path=path)
        )
    )


@router.post("/v2/action_executions", status_code=201)
def run_action(body: ActionExecutionBody, ctx: Ctx) -> JSONResponse:
    """Run an action directly; synchronous unless ``params.save_result`` or ``run_sync: false``."""
    if not body.name:
        raise BadRequest("Action name must be provided.")
    params = json_object(body.params, "params", allow_none=False) or {}
    namespace = body.workflow_namespace or str(params.get("namespace") or "")
    _check_action_exists(ctx, body.name, namespace)
    request = RunAction(
        name=body.name,
        input=json_object(body.input, "input", allow_none=False) or {},
        namespace=namespace,
        description=body.description or "",
        save_result=_flag(params, "save_result"),
        run_sync=_flag(params, "run_sync") if "run_sync" in params else None,
        timeout=_timeout(params),
        target=_target(params),
    )
    outcome = ctx.require_engine("Running an action").run_action(request)
    if outcome.action_execution_id is None:
        return json_response(unsaved_resource(request, outcome), status_code=201)
    with ctx.db.read() as session:
        row = get_action_execution(session, outcome.action_execution_id)
        return json_response(action_execution_resource(row), status_code=201)


@router.get("/v2/action_executions/{action_execution_id}")
def get_action_execution_resource(
    action_execution_id: str, ctx: Ctx, fields: str = ""
) -> JSONResponse:
    """One action execution, with its output."""
    return one_resource(
        ctx,
        fields,
        FIELDS,
        lambda session: get_action_execution(session, action_execution_id),
        action_execution_resource,
    )


@router.put("/v2/action_executions/{action_execution_id}")
def update_action_execution(
    action_execution_id: str, body: ActionExecutionBody, ctx: Ctx
) -> JSONResponse:
    """Report the result of an asynchronous action (``state`` and ``output``)."""
    if body.state not in REPORTABLE:
        raise BadRequest(
            f"Invalid state {body.state!r}; report one of {', '.join(sorted(REPORTABLE))}"
        )
    output = _reported_output(body.output)
    if body.state == ActionState.ERROR.value and output in (None, "", {}):
        output = "Unknown error"
    with ctx.db.read() as session:
        get_action_execution(session, action_execution_id)
    engine = ctx.require_engine("Reporting an action result")
    engine.complete_action(action_execution_id, body.state, output)
    with ctx.db.read() as session:
        return json_response(
            action_execution_resource(get_action_execution(session, action_execution_id))
        )


@router.delete("/v2/action_executions/{action_execution_id}", status_code=204)
def delete_action_execution(action_execution_id: str) -> Response:
    """Refused, as in Mistral's default configuration (results belong to their tasks)."""
    raise ApiError("Action execution deletion is not allowed.", status_code=403)


def _saved_only() -> ColumnElement[bool]:
    """Leave out rows that only carry an unsaved synchronous run (Mistral keeps none)."""
    return ActionExecution.runtime_context[UNSAVED_RUN_KEY].as_boolean().is_(None)


def _reported_output(output: Any) -> Any:
    """The result an asynchronous action reports: JSON text is decoded, anything else kept."""
    if isinstance(output, str):
        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def _flag(params: dict[str, Any], key: str) -> bool:
    value = params.get(key, False)
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"params.{key} must be true or false, not {value!r}")


def _timeout(params: dict[str, Any]) -> float | None:
    value = params.get("timeout")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRequest(f"params.timeout must be a number of seconds (>= 0), not {value!r}")
    return float(value) or None


def _target(params: dict[str, Any]) -> str | None:
    value = params.get("target")
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"params.target must be an executor name, not {value!r}")
    return value or None


def _check_action_exists(ctx: ApiContext, name: str, namespace: str) -> None:
    if ctx.actions.find(name, namespace) is not None:
        return
    with ctx.db.read() as session:
        if find_definition(session, ActionDefinition, name, namespace) is not None:
            return
    raise BadRequest(f"Failed to find action [action_name={name}]")
