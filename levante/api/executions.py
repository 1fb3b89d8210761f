"""``/v2/executions``: workflow executions.

Reading (get, list, tasks of an execution) and deleting finished executions
work on the store alone. Starting one and changing its state go through the
engine gateway (501 until it is wired); the workflow and its input are
checked first, so an unknown workflow is a 404 either way.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from levante.api.context import Ctx, base_url
from levante.api.crud import one_resource
from levante.api.errors import BadRequest
from levante.api.gateway import StartExecution
from levante.api.listing import (
    ListSpec,
    next_link,
    openapi_parameters,
    page_body,
    parse_list_query,
    run_list,
)
from levante.api.lookup import check_workflow_input, find_workflow
from levante.api.wire import json_object, json_response, json_text, no_content, timestamps
from levante.store.errors import NotFoundError
from levante.store.executions import get_workflow_execution
from levante.store.models import WorkflowExecution
from levante.store.states import WorkflowState

router = APIRouter(tags=["executions"])

FIELDS = (
    "id",
    "workflow_id",
    "workflow_name",
    "workflow_namespace",
    "description",
    "tags",
    "params",
    "task_execution_id",
    "root_execution_id",
    "state",
    "state_info",
    "input",
    "output",
    "created_at",
    "updated_at",
    "project_id",
    "published_global",
)
LIST = ListSpec(
    collection="executions",
    model=WorkflowExecution,
    fields=FIELDS,
    filters=(
        "workflow_name",
        "workflow_id",
        "description",
        "tags",
        "params",
        "task_execution_id",
        "root_execution_id",
        "state",
        "state_info",
        "input",
        "output",
        "created_at",
        "updated_at",
        "project_id",
    ),
)
#: Rows the API shows: the engine's placeholders (children of a with-items task
#: waiting for a concurrency slot: no spec yet) are not executions yet.
STARTED = WorkflowExecution.spec.is_not(None)
#: States a client may ask for (Mistral takes SKIPPED as a stop that changes nothing).
SETTABLE = {
    WorkflowState.RUNNING.value,
    WorkflowState.PAUSED.value,
    WorkflowState.SUCCESS.value,
    WorkflowState.ERROR.value,
    WorkflowState.CANCELLED.value,
    "SKIPPED",
}
#: States an execution cannot leave.
FINISHED = {WorkflowState.SUCCESS.value, WorkflowState.ERROR.value, WorkflowState.CANCELLED.value}


class ExecutionBody(BaseModel):
    """An execution as the client sends it to start or update one."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    workflow_namespace: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    params: dict[str, Any] | str | None = None
    input: dict[str, Any] | str | None = None
    state: str | None = None
    state_info: str | None = None
    source_execution_id: str | None = None
    task_execution_id: str | None = None
    root_execution_id: str | None = None
    output: dict[str, Any] | str | None = None


def get_started_execution(session: Session, execution_id: str) -> WorkflowExecution:
    """The workflow execution with this id; ``NotFoundError`` for none or a placeholder."""
    row = get_workflow_execution(session, execution_id)
    if row.spec is None:
        raise NotFoundError("Workflow execution", id=execution_id)
    return row


def execution_resource(row: WorkflowExecution, *, published_global: bool = True) -> dict[str, Any]:
    """A workflow execution as Mistral shows it (JSON fields as strings)."""
    resource: dict[str, Any] = {
        "id": row.id,
        "workflow_id": row.workflow_id,
        "workflow_name": row.workflow_name,
        "workflow_namespace": row.workflow_namespace,
        "description": row.description or "",
        "tags": list(row.tags or []),
        "params": json_text(row.params or {}),
        "task_execution_id": row.task_execution_id,
        "root_execution_id": row.root_execution_id,
        "state": row.state,
        "state_info": row.state_info,
        "input": json_text(row.input or {}),
        "output": json_text(row.output or {}),
        "created_at": timestamps(row)["created_at"],
        "updated_at": timestamps(row)["updated_at"],
        "project_id": row.project_id,
    }
    if published_global:
        resource["published_global"] = json_text(row.published_global or {})
    return resource


@router.get("/v2/executions", openapi_extra=openapi_parameters(LIST, ("include_output", "nulls")))
def list_executions(request: Request, ctx: Ctx) -> JSONResponse:
    """List workflow executions; ``output`` only with ``include_output=true``."""
    params = dict(request.query_params)
    query = parse_list_query(
        params, LIST, max_limit=ctx.max_limit, extra_params=("include_output", "nulls")
    )
    include_output = params.get("include_output", "").lower() in ("true", "1", "yes")
    with ctx.db.read() as session:
        rows = run_list(session, LIST, query, where=[STARTED])
        resources = []
        for row in rows:
            resource = execution_resource(row, published_global=False)
            if not include_output and "output" not in query.fields:
                resource.pop("output")
            resources.append(resource)
    return json_response(
        page_body(LIST, query, resources, next_link(base_url(request), LIST, query, rows))
    )


@router.post("/v2/executions", status_code=201)
def create_execution(body: ExecutionBody, ctx: Ctx) -> JSONResponse:
    """Start a workflow by name or id with input, params (env, namespace, ...) and description."""
    identifier = body.workflow_id or body.workflow_name
    if not identifier:
        raise BadRequest("Either 'workflow_name' or 'workflow_id' must be provided.")
    params = json_object(body.params, "params", allow_none=False) or {}
    workflow_input = json_object(body.input, "input", allow_none=False) or {}
    namespace = body.workflow_namespace or str(params.get("namespace") or "")
    with ctx.db.read() as session:
        workflow = find_workflow(session, identifier, namespace)
        check_workflow_input(workflow, workflow_input)
    engine = ctx.require_engine("Starting an execution")
    execution_id = engine.start_execution(
        StartExecution(
            workflow_identifier=workflow.id,
            namespace=workflow.namespace,
            input=workflow_input,
            params=params,
            description=body.description or "",
            execution_id=body.id,
            source_execution_id=body.source_execution_id,
        )
    )
    with ctx.db.read() as session:
        row = get_started_execution(session, execution_id)
        return json_response(execution_resource(row, published_global=False), status_code=201)


@router.get("/v2/executions/{execution_id}")
def get_execution(execution_id: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One workflow execution, with its output and globally published variables."""
    return one_resource(
        ctx, fields, FIELDS, lambda s: get_started_execution(s, execution_id), execution_resource
    )


def check_state_change(state: str, description: str | None, env: Any) -> None:
    """Refuse what Mistral refuses before asking the engine to change a state (400)."""
    if description:
        raise BadRequest("The property description must be updated separately from state.")
    if env and state != WorkflowState.RUNNING.value:
        raise BadRequest(
            "The property env can only be updated when workflow execution is not running "
            "or on resume from pause."
        )
    if state not in SETTABLE:
        raise BadRequest(
            f"Cannot change state to {state}. Allowed states are: "
            "RUNNING, PAUSED, SUCCESS, ERROR, CANCELLED"
        )


@router.put("/v2/executions/{execution_id}")
def update_execution(execution_id: str, body: ExecutionBody, ctx: Ctx) -> JSONResponse:
    """Change description or tags (stored directly) or the state (through the engine)."""
    given = body.model_fields_set
    if not given & {"state", "description", "tags", "params"}:
        raise BadRequest("Nothing to update: give state, description, tags or params.")
    if "state" in given and body.state is not None:
        params = json_object(body.params, "params") or {}
        with ctx.db.read() as session:
            get_started_execution(session, execution_id)
        check_state_change(body.state, body.description, params.get("env"))
        engine = ctx.require_engine("Changing the state of an execution")
        engine.update_execution_state(execution_id, body.state, body.state_info, params.get("env"))
    with ctx.db.transaction() as session:
        row = get_started_execution(session, execution_id)
        if "description" in given:
            row.description = body.description
        if "tags" in given:
            row.tags = body.tags
        session.flush()
        resource = execution_resource(row)
    return json_response(resource)


@router.delete("/v2/executions/{execution_id}", status_code=204)
def delete_execution(execution_id: str, ctx: Ctx, force: bool = False) -> Response:
    """Delete a finished execution (``force=true`` deletes a running one too)."""
    with ctx.db.transaction() as session:
        row = get_started_execution(session, execution_id)
        if row.state not in FINISHED and not force:
            raise BadRequest(
                f"Only completed executions can be deleted; execution {execution_id} is "
                f"{row.state}. Cancel it first, or pass force=true."
            )
        session.delete(row)
    return no_content()
