"""``/v2/workbooks``: a workbook and the workflows and ad-hoc actions it defines.

Creating or updating a workbook creates or updates its workflows and actions
as ``<workbook>.<name>`` in the same transaction; deleting it leaves them (as
Mistral does).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.definition_collection import TEXT_BODY, DefinitionCollection
from levante.api.documents import (
    checked_scope,
    checksum,
    item_definitions,
    parse_or_400,
    validation_result,
)
from levante.api.errors import plain_faults
from levante.api.listing import ListSpec, openapi_parameters
from levante.api.wire import TEXT_BODY_OPENAPI, TextBody, json_response, timestamps
from levante.lang import input_signature, parse_workbook, spec_dict
from levante.lang.spec import WorkbookSpec
from levante.store.definitions import create_definition, find_definition
from levante.store.models import ActionDefinition, Workbook, WorkflowDefinition

router = APIRouter(tags=["workbooks"])

FIELDS = (
    "id",
    "name",
    "namespace",
    "definition",
    "tags",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="workbooks",
    model=Workbook,
    fields=FIELDS,
    filters=("created_at", "definition", "name", "scope", "tags", "updated_at", "namespace"),
)


def workbook_resource(row: Workbook) -> dict[str, Any]:
    """A workbook as Mistral shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "namespace": row.namespace,
        "definition": row.definition,
        "tags": list(row.tags or []),
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
    }


WORKBOOKS = DefinitionCollection(LIST, workbook_resource)


@router.get("/v2/workbooks", openapi_extra=openapi_parameters(LIST))
def list_workbooks(request: Request, ctx: Ctx) -> JSONResponse:
    """List workbooks."""
    return WORKBOOKS.page(request, ctx)


@router.post("/v2/workbooks", status_code=201, **TEXT_BODY)
def create_workbook(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Create a workbook with its workflows and actions (all or none)."""
    scope = checked_scope(scope)
    spec = parse_or_400(parse_workbook, definition, namespace)
    row = Workbook(
        name=spec.name,
        namespace=namespace,
        definition=definition,
        spec=dict(spec.raw),
        tags=list(spec.tags),
        scope=scope,
    )
    (body,) = WORKBOOKS.create(
        ctx,
        [row],
        then=lambda session: _save_items(session, spec, definition, namespace, scope),
    )
    return json_response(body, status_code=201)


@router.put("/v2/workbooks", **TEXT_BODY)
def update_workbook(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Replace a workbook's definition; its workflows and actions are created or updated."""
    scope = checked_scope(scope)
    spec = parse_or_400(parse_workbook, definition, namespace)

    def change(session: Session, row: Workbook) -> None:
        row.definition = definition
        row.spec = dict(spec.raw)
        row.tags = list(spec.tags)
        row.scope = scope
        _save_items(session, spec, definition, namespace, scope)

    (body,) = WORKBOOKS.update(ctx, namespace, [(spec.name, change)])
    return json_response(body)


@router.post(
    "/v2/workbooks/validate", dependencies=[Depends(plain_faults)], openapi_extra=TEXT_BODY_OPENAPI
)
def validate_workbook(definition: TextBody) -> JSONResponse:
    """Check a workbook without storing it."""
    return json_response(validation_result(parse_workbook, definition))


@router.get("/v2/workbooks/{name}")
def get_workbook(name: str, ctx: Ctx, namespace: str = "", fields: str = "") -> JSONResponse:
    """One workbook by name (or id)."""
    return WORKBOOKS.get(ctx, name, namespace, fields)


@router.delete("/v2/workbooks/{name}", status_code=204)
def delete_workbook(name: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete a workbook (its workflows and actions stay)."""
    return WORKBOOKS.delete(ctx, name, namespace)


def _save_items(
    session: Session, spec: WorkbookSpec, definition: str, namespace: str, scope: str
) -> None:
    """Create or update ``<workbook>.<item>`` for every workflow and action of the workbook."""
    texts = item_definitions(definition, spec.workflows, whole_if_single=False)
    for short, workflow in spec.workflows.items():
        full = f"{spec.name}.{short}"
        values: dict[str, Any] = {
            "definition": texts[short],
            "spec": {**spec_dict(workflow), "name": full},
            "input": input_signature(workflow.input),
            "tags": list(workflow.tags),
            "checksum": checksum(texts[short]),
            "scope": scope,
            "workbook_name": spec.name,
        }
        _upsert(session, WorkflowDefinition, full, namespace, values)
    action_texts = item_definitions(definition, spec.actions, whole_if_single=False)
    for short, action in spec.actions.items():
        full = f"{spec.name}.{short}"
        values = {
            "definition": action_texts[short],
            "spec": {**spec_dict(action), "name": full},
            "input": input_signature(action.input),
            "description": action.description,
            "tags": list(action.tags),
            "scope": scope,
            "workbook_name": spec.name,
        }
        _upsert(session, ActionDefinition, full, namespace, values)


def _upsert(
    session: Session,
    model: type[WorkflowDefinition] | type[ActionDefinition],
    name: str,
    namespace: str,
    values: dict[str, Any],
) -> None:
    row = find_definition(session, model, name, namespace, fallback=False)
    if row is None:
        create_definition(session, model(name=name, namespace=namespace, **values))
        return
    for key, value in values.items():
        setattr(row, key, value)
