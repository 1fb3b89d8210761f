"""``/v2/code_sources``: Python source text that dynamic actions are loaded from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.definition_collection import TEXT_BODY, DefinitionCollection
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, plain_faults
from levante.api.listing import ListSpec, openapi_parameters
from levante.api.wire import TextBody, json_response, timestamps
from levante.store.models import CodeSource

router = APIRouter(tags=["code sources"])

FIELDS = (
    "id",
    "name",
    "namespace",
    "content",
    "version",
    "project_id",
    "scope",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="code_sources",
    model=CodeSource,
    fields=FIELDS,
    filters=("name", "tags", "scope", "project_id", "created_at", "updated_at", "namespace"),
)


def code_source_resource(row: CodeSource) -> dict[str, Any]:
    """A code source as Mistral shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "namespace": row.namespace,
        "content": row.content,
        "version": row.version,
        "project_id": row.project_id,
        "scope": row.scope,
        **timestamps(row),
    }


CODE_SOURCES = DefinitionCollection(LIST, code_source_resource)
_EMPTY = "The code source is empty: send the Python text as the request body"


@router.get("/v2/code_sources", openapi_extra=openapi_parameters(LIST))
def list_code_sources(request: Request, ctx: Ctx) -> JSONResponse:
    """List code sources."""
    return CODE_SOURCES.page(request, ctx)


@router.post("/v2/code_sources", status_code=201, **TEXT_BODY)
def create_code_source(
    content: TextBody, ctx: Ctx, name: str = "", scope: str = "private", namespace: str = ""
) -> JSONResponse:
    """Store source text under ``name`` (version 1)."""
    if not name:
        raise BadRequest("A code source needs a name (query parameter 'name')")
    if not content.strip():
        raise BadRequest(_EMPTY)
    row = CodeSource(
        name=name, namespace=namespace, content=content, scope=checked_scope(scope), version=1
    )
    (resource,) = CODE_SOURCES.create(ctx, [row])
    return json_response(resource, status_code=201)


@router.put("/v2/code_sources", **TEXT_BODY)
@router.put("/v2/code_sources/{identifier}", **TEXT_BODY)
def update_code_source(
    identifier: str, content: TextBody, ctx: Ctx, scope: str = "private", namespace: str = ""
) -> JSONResponse:
    """Replace the text of a code source; its version goes up when the text changes."""
    if not content.strip():
        raise BadRequest(_EMPTY)

    def change(session: Session, row: CodeSource) -> None:
        if row.content != content:
            row.version = (row.version or 1) + 1
            row.content = content
        row.scope = checked_scope(scope)

    (resource,) = CODE_SOURCES.update(ctx, namespace, [(identifier, change)])
    return json_response(resource)


@router.get("/v2/code_sources/{identifier}")
def get_code_source(
    identifier: str, ctx: Ctx, namespace: str = "", fields: str = ""
) -> JSONResponse:
    """One code source by name or id."""
    return CODE_SOURCES.get(ctx, identifier, namespace, fields)


@router.delete(
    "/v2/code_sources/{identifier}", status_code=204, dependencies=[Depends(plain_faults)]
)
def delete_code_source(identifier: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete a code source and the dynamic actions defined from it."""
    return CODE_SOURCES.delete(ctx, identifier, namespace)
