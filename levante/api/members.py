"""``/v2/workflows/{id}/members``: sharing a private workflow with other projects.

Mistral serves this only with authentication on; Levante serves it always
(with authentication off every row belongs to ``<default-project>``), so
the resource round-trips. Errors here have Mistral's ``{"faultstring"}`` shape.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.crud import add_unique
from levante.api.errors import BadRequest, NotFound, plain_faults
from levante.api.event_triggers import check_uuid
from levante.api.wire import json_response, no_content, timestamps, without_null_updated_at
from levante.store.models import ResourceMember, WorkflowDefinition

router = APIRouter(tags=["members"], dependencies=[Depends(plain_faults)])

RESOURCE_TYPE = "workflow"


class MemberBody(BaseModel):
    """What a client sends: ``member_id`` to share, ``status`` to accept or reject."""

    model_config = ConfigDict(extra="forbid")

    member_id: str | None = None
    status: Literal["pending", "accepted", "rejected"] | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    project_id: str | None = None
    id: str | None = None


def member_resource(row: ResourceMember) -> dict[str, Any]:
    """A sharing relationship as Mistral shows it."""
    return {
        "id": row.id,
        "resource_id": row.resource_id,
        "resource_type": row.resource_type,
        "project_id": row.project_id,
        "member_id": row.member_id,
        "status": row.status,
        **timestamps(row),
    }


@router.get("/v2/workflows/{resource_id}/members")
def list_members(resource_id: str, ctx: Ctx) -> JSONResponse:
    """The projects a workflow is shared with."""
    check_uuid(resource_id, "resource identifier")
    with ctx.db.read() as session:
        rows = session.scalars(
            select(ResourceMember)
            .where(
                ResourceMember.resource_id == resource_id,
                ResourceMember.resource_type == RESOURCE_TYPE,
            )
            .order_by(ResourceMember.created_at, ResourceMember.id)
        )
        return json_response({"members": [member_resource(row) for row in rows]})


@router.post("/v2/workflows/{resource_id}/members", status_code=201)
def create_member(resource_id: str, body: MemberBody, ctx: Ctx) -> JSONResponse:
    """Share a private workflow with the project ``member_id`` (status ``pending``)."""
    check_uuid(resource_id, "resource identifier")
    if not body.member_id:
        raise BadRequest("Member id must be provided.")
    with ctx.db.transaction() as session:
        workflow = session.get(WorkflowDefinition, resource_id)
        if workflow is None:
            raise NotFound(f"Workflow not found [workflow_identifier={resource_id}]")
        if workflow.scope != "private":
            raise BadRequest("Only private resource could be shared.")
        row = ResourceMember(
            resource_id=resource_id,
            resource_type=RESOURCE_TYPE,
            project_id=workflow.project_id,
            member_id=body.member_id,
            status="pending",
        )
        add_unique(
            session,
            row,
            "Duplicate entry for ResourceMember ['resource_id', 'resource_type', "
            f"'member_id']: {resource_id}, {RESOURCE_TYPE}, {body.member_id}"
        )
        resource = without_null_updated_at(member_resource(row))
    return json_response(resource, status_code=201)


@router.get("/v2/workflows/{resource_id}/members/{member_id}")
def get_member(resource_id: str, member_id: str, ctx: Ctx) -> JSONResponse:
    """One sharing relationship."""
    check_uuid(resource_id, "resource identifier")
    with ctx.db.read() as session:
        return json_response(member_resource(_get(session, resource_id, member_id)))


@router.put("/v2/workflows/{resource_id}/members/{member_id}")
def update_member(resource_id: str, member_id: str, body: MemberBody, ctx: Ctx) -> JSONResponse:
    """Accept or reject a share (``status``)."""
    check_uuid(resource_id, "resource identifier")
    if not body.status:
        raise BadRequest("Status must be provided.")
    with ctx.db.transaction() as session:
        row = _get(session, resource_id, member_id)
        row.status = body.status
        session.flush()
        resource = member_resource(row)
    return json_response(resource)


@router.delete("/v2/workflows/{resource_id}/members/{member_id}", status_code=204)
def delete_member(resource_id: str, member_id: str, ctx: Ctx) -> Response:
    """Stop sharing a workflow with a project."""
    check_uuid(resource_id, "resource identifier")
    with ctx.db.transaction() as session:
        session.delete(_get(session, resource_id, member_id))
    return no_content()


def _get(session: Session, resource_id: str, member_id: str) -> ResourceMember:
    row = session.scalars(
        select(ResourceMember).where(
            ResourceMember.resource_id == resource_id,
            ResourceMember.resource_type == RESOURCE_TYPE,
            ResourceMember.member_id == member_id,
        )
    ).first()
    if row is None:
        raise NotFound(
            f"Resource member not found [resource_id={resource_id}, member_id={member_id}]"
        )
    return row
