"""``/v2/dynamic_actions``: actions implemented by a class in a stored code source."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.definition_collection import DefinitionCollection
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, plain_faults
from levante.api.listing import ListSpec, openapi_parameters
from levante.api.wire import json_response, timestamps
from levante.store.definitions import get_definition
from levante.store.models import CodeSource, DynamicActionDefinition

router = APIRouter(tags=["dynamic actions"])

FIELDS = (
    "id",
    "name",
    "namespace",
    "code_source_id",
    "code_source_name",
    "class_name",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="dynamic_actions",
    model=DynamicActionDefinition,
    fields=FIELDS,
    filters=("name", "scope", "project_id", "created_at", "updated_at", "namespace"),
)


class DynamicActionBody(BaseModel):
    """A dynamic action as the client sends it (the code source by id or by name)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    namespace: str = ""
    class_name: str | None = None
    code_source_id: str | None = None
    code_source_name: str | None = None
    scope: str | None = None


def dynamic_action_resource(row: DynamicActionDefinition) -> dict[str, Any]:
    """A dynamic action as Mistral shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "namespace": row.namespace,
        "code_source_id": row.code_source_id,
        "code_source_name": row.code_source_name,
        "class_name": row.class_name,
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
    }


DYNAMIC_ACTIONS = DefinitionCollection(LIST, dynamic_action_resource)


@router.get("/v2/dynamic_actions", openapi_extra=openapi_parameters(LIST))
def list_dynamic_actions(request: Request, ctx: Ctx) -> JSONResponse:
    """List dynamic actions."""
    return DYNAMIC_ACTIONS.page(request, ctx)


@router.post("/v2/dynamic_actions", status_code=201, dependencies=[Depends(plain_faults)])
def create_dynamic_action(body: DynamicActionBody, ctx: Ctx) -> JSONResponse:
    """Create a dynamic action: ``class_name`` in the code source given by id or name."""
    if not body.name or not body.class_name:
        raise BadRequest("A dynamic action needs 'name' and 'class_name'")
    name, class_name = body.name, body.class_name

    def build(session: Session) -> list[DynamicActionDefinition]:
        # The code source is read in the create's transaction: it cannot go in between.
        source = _code_source(session, body)
        return [
            DynamicActionDefinition(
                name=name,
                namespace=body.namespace,
                class_name=class_name,
                scope=checked_scope(body.scope),
                code_source_id=source.id,
                code_source_name=source.name,
            )
        ]

    (resource,) = DYNAMIC_ACTIONS.create(ctx, build)
    return json_response(resource, status_code=201)


@router.put("/v2/dynamic_actions", dependencies=[Depends(plain_faults)])
def update_dynamic_action(body: DynamicActionBody, ctx: Ctx) -> JSONResponse:
    """Change the class, code source or scope of the dynamic action named (or id'd) in the body."""
    identifier = body.id or body.name
    if not identifier:
        raise BadRequest("Either 'name' or 'id' must be provided.")

    def change(session: Session, row: DynamicActionDefinition) -> None:
        if body.class_name:
            row.class_name = body.class_name
        if body.scope:
            row.scope = checked_scope(body.scope)
        if body.code_source_id or body.code_source_name:
            source = _code_source(session, body)
            row.code_source_id = source.id
            row.code_source_name = source.name

    (resource,) = DYNAMIC_ACTIONS.update(ctx, body.namespace, [(identifier, change)])
    return json_response(resource)


@router.get("/v2/dynamic_actions/{identifier}")
def get_dynamic_action(
    identifier: str, ctx: Ctx, namespace: str = "", fields: str = ""
) -> JSONResponse:
    """One dynamic action by name or id."""
    return DYNAMIC_ACTIONS.get(ctx, identifier, namespace, fields)


@router.delete("/v2/dynamic_actions/{identifier}", status_code=204)
def delete_dynamic_action(identifier: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete a dynamic action."""
    return DYNAMIC_ACTIONS.delete(ctx, identifier, namespace)


def _code_source(session: Session, body: DynamicActionBody) -> CodeSource:
    identifier = body.code_source_id or body.code_source_name
    if not identifier:
        raise BadRequest("Either 'code_source_id' or 'code_source_name' must be provided.")
    return get_definition(session, CodeSource, identifier, body.namespace)
