"""``/v2/event_triggers``: start a workflow when a notification arrives (resource only).

The listener that consumes notifications is not part of the API; the
resource is stored, checked and round-trips as in Mistral.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.crud import add_unique, list_page, one_resource
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, NotFound
from levante.api.listing import (
    ListSpec,
    openapi_parameters,
)
from levante.api.lookup import check_workflow_input
from levante.api.wire import (
    json_object,
    json_response,
    json_text,
    no_content,
    timestamps,
    without_null_updated_at,
)
from levante.store.models import EventTrigger, WorkflowDefinition

router = APIRouter(tags=["event triggers"])

FIELDS = (
    "id",
    "name",
    "workflow_id",
    "workflow_input",
    "workflow_params",
    "exchange",
    "topic",
    "event",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="event_triggers",
    model=EventTrigger,
    fields=FIELDS,
    filters=(
        "name",
        "workflow_id",
        "workflow_input",
        "workflow_params",
        "exchange",
        "topic",
        "event",
        "scope",
        "project_id",
        "created_at",
        "updated_at",
    ),
)
#: Fields that identify what a trigger listens to; they cannot change.
UPDATE_NOT_ALLOWED = ("exchange", "topic", "event")


class EventTriggerBody(BaseModel):
    """An event trigger as the client sends it."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    workflow_id: str | None = None
    workflow_input: dict[str, Any] | str | None = None
    workflow_params: dict[str, Any] | str | None = None
    exchange: str | None = None
    topic: str | None = None
    event: str | None = None
    scope: str | None = None


def event_trigger_resource(row: EventTrigger) -> dict[str, Any]:
    """An event trigger as Mistral shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "workflow_id": row.workflow_id,
        "workflow_input": json_text(row.workflow_input),
        "workflow_params": json_text(row.workflow_params),
        "exchange": row.exchange,
        "topic": row.topic,
        "event": row.event,
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
    }


def check_uuid(value: str, what: str = "id") -> str:
    """``value`` if it is a UUID, else a 400 (Mistral takes only ids here)."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise BadRequest(f"Expected a uuid but received {value} (as {what}).") from None
    return value


@router.get("/v2/event_triggers", openapi_extra=openapi_parameters(LIST))
def list_event_triggers(request: Request, ctx: Ctx) -> JSONResponse:
    """List event triggers."""
    return list_page(request, ctx, LIST, event_trigger_resource)


@router.post("/v2/event_triggers", status_code=201)
def create_event_trigger(body: EventTriggerBody, ctx: Ctx) -> JSONResponse:
    """Create an event trigger; exchange, topic, event and workflow_id are required."""
    missing = [f for f in ("exchange", "topic", "event", "workflow_id") if not getattr(body, f)]
    if missing:
        raise BadRequest(f"Params {missing} must be provided for creating event trigger.")
    assert body.workflow_id is not None
    workflow_input = json_object(body.workflow_input, "workflow_input", allow_none=False) or {}
    with ctx.db.transaction() as session:
        workflow = session.get(WorkflowDefinition, check_uuid(body.workflow_id, "workflow_id"))
        if workflow is None:
            raise NotFound(f"Workflow not found [workflow_id={body.workflow_id}]")
        check_workflow_input(workflow, workflow_input)
        row = EventTrigger(
            name=body.name or "",
            workflow_id=workflow.id,
            workflow_input=workflow_input,
            workflow_params=json_object(body.workflow_params, "workflow_params", allow_none=False),
            exchange=body.exchange,
            topic=body.topic,
            event=body.event,
            scope=checked_scope(body.scope),
        )
        add_unique(
            session,
            row,
            "Duplicate entry for EventTrigger ['exchange', 'topic', 'event', 'workflow_id', "
            f"'project_id']: {body.exchange}, {body.topic}, {body.event}, {workflow.id}"
        )
        resource = without_null_updated_at(event_trigger_resource(row))
    return json_response(resource, status_code=201)


@router.put("/v2/event_triggers/{identifier}")
def update_event_trigger(identifier: str, body: EventTriggerBody, ctx: Ctx) -> JSONResponse:
    """Change a trigger's name, workflow input or params, or scope."""
    if any(getattr(body, f) for f in UPDATE_NOT_ALLOWED):
        raise BadRequest(f"Can not update fields {list(UPDATE_NOT_ALLOWED)} of event trigger.")
    with ctx.db.transaction() as session:
        row = _get(session, identifier)
        given = body.model_fields_set
        if "name" in given and body.name is not None:
            row.name = body.name
        if "workflow_input" in given:
            row.workflow_input = json_object(
                body.workflow_input, "workflow_input", allow_none=False
            )
        if "workflow_params" in given:
            row.workflow_params = json_object(
                body.workflow_params, "workflow_params", allow_none=False
            )
        if "scope" in given:
            row.scope = checked_scope(body.scope)
        session.flush()
        resource = event_trigger_resource(row)
    return json_response(resource)


@router.get("/v2/event_triggers/{identifier}")
def get_event_trigger(identifier: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One event trigger by id."""
    return one_resource(ctx, fields, FIELDS, lambda s: _get(s, identifier), event_trigger_resource)


@router.delete("/v2/event_triggers/{identifier}", status_code=204)
def delete_event_trigger(identifier: str, ctx: Ctx) -> Response:
    """Delete an event trigger by id."""
    with ctx.db.transaction() as session:
        session.delete(_get(session, identifier))
    return no_content()


def _get(session: Session, identifier: str) -> EventTrigger:
    row = session.get(EventTrigger, check_uuid(identifier))
    if row is None:
        raise NotFound(f"Event trigger not found [id={identifier}]")
    return row
