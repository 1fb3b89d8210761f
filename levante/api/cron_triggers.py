"""``/v2/cron_triggers``: the trigger resource (the scheduler that fires them is separate).

Creating a trigger checks its schedule, its workflow and the workflow input,
and computes ``next_execution_time``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.api.context import Ctx, base_url
from levante.api.cron import check_schedule, next_fire_time, parse_first_time
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, Conflict, NotFound
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
from levante.api.lookup import check_workflow_input, find_workflow
from levante.api.wire import (
    json_object,
    json_response,
    json_text,
    no_content,
    timestamps,
    without_null_updated_at,
)
from levante.store.models import CronTrigger
from levante.store.sql import is_unique_violation
from levante.store.types import format_timestamp, utc_now

router = APIRouter(tags=["cron triggers"])

FIELDS = (
    "id",
    "name",
    "workflow_name",
    "workflow_id",
    "workflow_input",
    "workflow_params",
    "project_id",
    "scope",
    "pattern",
    "remaining_executions",
    "first_execution_time",
    "next_execution_time",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="cron_triggers",
    model=CronTrigger,
    fields=FIELDS,
    filters=(
        "name",
        "workflow_name",
        "workflow_id",
        "workflow_input",
        "workflow_params",
        "scope",
        "pattern",
        "remaining_executions",
        "first_execution_time",
        "next_execution_time",
        "created_at",
        "updated_at",
        "project_id",
    ),
)


class CronTriggerBody(BaseModel):
    """A cron trigger as the client sends it (JSON fields may be objects or JSON text)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    pattern: str | None = None
    first_execution_time: str | None = None
    remaining_executions: int | None = None
    workflow_name: str | None = None
    workflow_id: str | None = None
    workflow_input: dict[str, Any] | str | None = None
    workflow_params: dict[str, Any] | str | None = None
    scope: str | None = None


def cron_trigger_resource(row: CronTrigger) -> dict[str, Any]:
    """A cron trigger as Mistral shows it (input and params as JSON strings)."""
    return {
        "id": row.id,
        "name": row.name,
        "workflow_name": row.workflow_name,
        "workflow_id": row.workflow_id,
        "workflow_input": json_text(row.workflow_input),
        "workflow_params": json_text(row.workflow_params),
        "project_id": row.project_id,
        "scope": row.scope,
        "pattern": row.pattern,
        "remaining_executions": row.remaining_executions,
        "first_execution_time": format_timestamp(row.first_execution_time),
        "next_execution_time": format_timestamp(row.next_execution_time),
        **timestamps(row),
    }


def content_hash(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (part of the trigger's uniqueness key)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@router.get("/v2/cron_triggers", openapi_extra=openapi_parameters(LIST))
def list_cron_triggers(request: Request, ctx: Ctx) -> JSONResponse:
    """List cron triggers."""
    query = parse_list_query(dict(request.query_params), LIST, max_limit=ctx.max_limit)
    with ctx.db.read() as session:
        rows = run_list(session, LIST, query)
        resources = [cron_trigger_resource(row) for row in rows]
    return json_response(
        page_body(LIST, query, resources, next_link(base_url(request), LIST, query, rows))
    )


@router.post("/v2/cron_triggers", status_code=201)
def create_cron_trigger(body: CronTriggerBody, ctx: Ctx) -> JSONResponse:
    """Create a trigger that starts a workflow on a cron pattern and/or at a first time."""
    if not body.name:
        raise BadRequest("A cron trigger needs a name")
    identifier = body.workflow_id or body.workflow_name
    if not identifier:
        raise BadRequest("A cron trigger needs workflow_name or workflow_id")
    now = utc_now()
    first_time = parse_first_time(body.first_execution_time) if body.first_execution_time else None
    pattern = body.pattern or None
    count = body.remaining_executions
    check_schedule(pattern, first_time, count, now)
    if first_time is not None:
        next_time = first_time
        if not (pattern or count):
            count = 1
    else:
        assert pattern is not None
        next_time = next_fire_time(pattern, now)
    workflow_input = json_object(body.workflow_input, "workflow_input", allow_none=False) or {}
    workflow_params = json_object(body.workflow_params, "workflow_params", allow_none=False) or {}
    with ctx.db.transaction() as session:
        workflow = find_workflow(session, identifier, str(workflow_params.get("namespace") or ""))
        check_workflow_input(workflow, workflow_input)
        row = CronTrigger(
            name=body.name,
            pattern=pattern,
            first_execution_time=first_time,
            next_execution_time=next_time,
            remaining_executions=count,
            workflow_name=workflow.name,
            workflow_id=workflow.id,
            workflow_input=workflow_input,
            workflow_input_hash=content_hash(workflow_input),
            workflow_params=workflow_params,
            workflow_params_hash=content_hash(workflow_params),
            scope=checked_scope(body.scope),
        )
        _insert(session, row)
        resource = without_null_updated_at(cron_trigger_resource(row))
    return json_response(resource, status_code=201)


@router.get("/v2/cron_triggers/{identifier}")
def get_cron_trigger(identifier: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One cron trigger by name or id."""
    wanted = parse_fields(fields, FIELDS)
    with ctx.db.read() as session:
        row = _get(session, identifier)
        return json_response(pick_fields(cron_trigger_resource(row), wanted))


@router.delete("/v2/cron_triggers/{identifier}", status_code=204)
def delete_cron_trigger(identifier: str, ctx: Ctx) -> Response:
    """Delete a cron trigger by name or id."""
    with ctx.db.transaction() as session:
        session.delete(_get(session, identifier))
    return no_content()


def _get(session: Session, identifier: str) -> CronTrigger:
    row = session.scalars(
        select(CronTrigger)
        .where(or_(CronTrigger.id == identifier, CronTrigger.name == identifier))
        .order_by(CronTrigger.id == identifier)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"Cron trigger not found [identifier={identifier}]")
    return row


def _insert(session: Session, row: CronTrigger) -> None:
    taken = session.scalar(
        select(CronTrigger.id).where(
            CronTrigger.name == row.name, CronTrigger.project_id == row.project_id
        )
    )
    if taken is not None:
        raise Conflict(
            f"Duplicate entry for cron trigger ['name', 'project_id']: {row.name}, {row.project_id}"
        )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise Conflict(
            "Duplicate entry for cron trigger: another trigger already starts workflow "
            f"{row.workflow_name!r} with the same input, params and schedule"
        ) from None
