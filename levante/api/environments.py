"""``/v2/environments``: named sets of variables that executions can be started with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.definition_collection import DefinitionCollection
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest
from levante.api.listing import ListSpec, openapi_parameters
from levante.api.wire import json_object, json_response, json_text, timestamps
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


#: Environments have no namespace: every lookup is by name (or id) alone.
ENVIRONMENTS = DefinitionCollection(LIST, environment_resource)


@router.get("/v2/environments", openapi_extra=openapi_parameters(LIST))
def list_environments(request: Request, ctx: Ctx) -> JSONResponse:
    """List environments."""
    return ENVIRONMENTS.page(request, ctx)


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
    (resource,) = ENVIRONMENTS.create(ctx, [row])
    return json_response(resource, status_code=201)


@router.put("/v2/environments")
def update_environment(body: EnvironmentBody, ctx: Ctx) -> JSONResponse:
    """Change the description, variables or scope of the environment named in the body."""
    if not body.name:
        raise BadRequest("Name of the environment is not provided.")

    def change(session: Session, row: Environment) -> None:
        # Only the fields the body names change; an explicit null is a change too.
        given = body.model_fields_set
        if "description" in given:
            row.description = body.description
        if "variables" in given:
            row.variables = json_object(body.variables, "variables", allow_none=False)
        if "scope" in given:
            row.scope = checked_scope(body.scope)

    (resource,) = ENVIRONMENTS.update(ctx, "", [(body.name, change)])
    return json_response(resource)


@router.get("/v2/environments/{name}")
def get_environment(name: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One environment by name or id."""
    return ENVIRONMENTS.get(ctx, name, "", fields)


@router.delete("/v2/environments/{name}", status_code=204)
def delete_environment(name: str, ctx: Ctx) -> Response:
    """Delete an environment."""
    return ENVIRONMENTS.delete(ctx, name, "")
