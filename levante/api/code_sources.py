"""``/v2/code_sources``: Python source text that dynamic actions are loaded from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from levante.api.context import Ctx
from levante.api.crud import list_page, one_resource
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, plain_faults
from levante.api.listing import (
    ListSpec,
    openapi_parameters,
)
from levante.api.wire import (
    TEXT_BODY_OPENAPI,
    TextBody,
    accepts_text,
    json_response,
    no_content,
    timestamps,
    without_null_updated_at,
)
from levante.store.definitions import create_definition, delete_definition, get_definition
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
_TEXT_ENDPOINT = [Depends(plain_faults), Depends(accepts_text)]


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


@router.get("/v2/code_sources", openapi_extra=openapi_parameters(LIST))
def list_code_sources(request: Request, ctx: Ctx) -> JSONResponse:
    """List code sources."""
    return list_page(request, ctx, LIST, code_source_resource)


@router.post(
    "/v2/code_sources",
    status_code=201,
    dependencies=_TEXT_ENDPOINT,
    openapi_extra=TEXT_BODY_OPENAPI,
)
def create_code_source(
    content: TextBody, ctx: Ctx, name: str = "", scope: str = "private", namespace: str = ""
) -> JSONResponse:
    """Store source text under ``name`` (version 1)."""
    if not name:
        raise BadRequest("A code source needs a name (query parameter 'name')")
    if not content.strip():
        raise BadRequest("The code source is empty: send the Python text as the request body")
    row = CodeSource(
        name=name, namespace=namespace, content=content, scope=checked_scope(scope), version=1
    )
    with ctx.db.transaction() as session:
        create_definition(session, row)
        session.flush()
        resource = without_null_updated_at(code_source_resource(row))
    return json_response(resource, status_code=201)


@router.put("/v2/code_sources", dependencies=_TEXT_ENDPOINT, openapi_extra=TEXT_BODY_OPENAPI)
@router.put(
    "/v2/code_sources/{identifier}", dependencies=_TEXT_ENDPOINT, openapi_extra=TEXT_BODY_OPENAPI
)
def update_code_source(
    identifier: str, content: TextBody, ctx: Ctx, scope: str = "private", namespace: str = ""
) -> JSONResponse:
    """Replace the text of a code source; its version goes up when the text changes."""
    if not content.strip():
        raise BadRequest("The code source is empty: send the Python text as the request body")
    with ctx.db.transaction() as session:
        row = get_definition(session, CodeSource, identifier, namespace, fallback=False)
        if row.content != content:
            row.version = (row.version or 1) + 1
            row.content = content
        row.scope = checked_scope(scope)
        session.flush()
        resource = code_source_resource(row)
    return json_response(resource)


@router.get("/v2/code_sources/{identifier}")
def get_code_source(
    identifier: str, ctx: Ctx, namespace: str = "", fields: str = ""
) -> JSONResponse:
    """One code source by name or id."""
    return one_resource(
        ctx,
        fields,
        FIELDS,
        lambda session: get_definition(session, CodeSource, identifier, namespace),
        code_source_resource,
    )


@router.delete(
    "/v2/code_sources/{identifier}", status_code=204, dependencies=[Depends(plain_faults)]
)
def delete_code_source(identifier: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete a code source and the dynamic actions defined from it."""
    with ctx.db.transaction() as session:
        delete_definition(session, CodeSource, identifier, namespace)
    return no_content()
