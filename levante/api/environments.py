"""``/v2/environments``: named sets of variables that executions can be started with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from levante.api.context import Ctx
from levante.api.crud import list_page, one_resource
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest
from levante.api.listing import (
    ListSpec,
    openapi_parameters,
)
from levante.api.wire import (
    json_object,
    json_response,
    json_text,
    no_content,
    timestamps,
    without_null_updated_at,
)
from levante.store.definitions import create_definition, delete_definition, get_definition
from levante.store.models import Environment

router = APIRouter(tags=["environments"])

FIELDS = (
    "id",
    "name",
    "description",
    "variables",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="environments",
    model=Environment,
    fields=FIELDS,
    filters=("created_at", "name", "updated_at", "description", "variables", "scope"),
)


class EnvironmentBody(BaseModel):
    """An environment as sent by the client; ``variables`` is an object or its JSON text."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    variables: dict[str, Any] | str | None = None
    scope: str | None = None


def environment_resource(row: Environment) -> dict[str, Any]:
    """An environment as Mistral shows it (``variables`` as a JSON string)."""
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "variables": json_text(row.variables),
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
    }


@router.get("/v2/environments", openapi_extra=openapi_parameters(LIST))
def list_environments(request: Request, ctx: Ctx) -> JSONResponse:
    """List environments."""
    return list_page(request, ctx, LIST, environment_resource)


@router.post("/v2/environments", status_code=201)
def create_environment(body: EnvironmentBody, ctx: Ctx) -> JSONResponse:
    """Create an environment; ``name`` is required and unique."""
    if not body.name:
        raise BadRequest("An environment needs a name")
    row = Environment(
        name=body.name,
        description=body.description,
        variables=json_object(body.variables, "variables", allow_none=False),
        scope=checked_scope(body.scope),
    )
    with ctx.db.transaction() as session:
        create_definition(session, row)
        session.flush()
        resource = without_null_updated_at(environment_resource(row))
    return json_response(resource, status_code=201)


@router.put("/v2/environments")
def update_environment(body: EnvironmentBody, ctx: Ctx) -> JSONResponse:
    """Change the description, variables or scope of the environment named in the body."""
    if not body.name:
        raise BadRequest("Name of the environment is not provided.")
    with ctx.db.transaction() as session:
        row = get_definition(session, Environment, body.name)
        given = body.model_fields_set
        if "description" in given:
            row.description = body.description
        if "variables" in given:
            row.variables = json_object(body.variables, "variables", allow_none=False)
        if "scope" in given:
            row.scope = checked_scope(body.scope)
        session.flush()
        resource = environment_resource(row)
    return json_response(resource)


@router.get("/v2/environments/{name}")
def get_environment(name: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One environment by name or id."""
    return one_resource(
        ctx, fields, FIELDS, lambda s: get_definition(s, Environment, name), environment_resource
    )


@router.delete("/v2/environments/{name}", status_code=204)
def delete_environment(name: str, ctx: Ctx) -> Response:
    """Delete an environment."""
    with ctx.db.transaction() as session:
        delete_definition(session, Environment, name)
    return no_content()
