"""``/v2/workflows``: create and update from YAML text, get, list, delete, validate."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.context import ApiContext, Ctx
from levante.api.definition_collection import TEXT_BODY, DefinitionCollection
from levante.api.documents import (
    checked_scope,
    checksum,
    item_definitions,
    parse_or_400,
    validation_result,
)
from levante.api.errors import BadRequest, plain_faults
from levante.api.listing import ListSpec, openapi_parameters
from levante.api.wire import TEXT_BODY_OPENAPI, TextBody, json_response, json_text, timestamps
from levante.lang import input_signature, parse_workflows, spec_dict
from levante.lang.spec import WorkflowSpec
from levante.store.models import CronTrigger, EventTrigger, ResourceMember, WorkflowDefinition

router = APIRouter(tags=["workflows"])

FIELDS = (
    "id",
    "name",
    "namespace",
    "input",
    "interface",
    "definition",
    "checksum",
    "tags",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="workflows",
    model=WorkflowDefinition,
    fields=FIELDS,
    filters=(
        "name",
        "input",
        "definition",
        "tags",
        "scope",
        "project_id",
        "created_at",
        "updated_at",
        "namespace",
    ),
    always=("interface",),
)


def interface_of(spec: dict[str, Any] | None) -> dict[str, Any]:
    """Mistral's ``interface``: the input list as written and the output names."""
    spec = spec or {}
    return {"input": list(spec.get("input") or []), "output": list(spec.get("output") or {})}


def workflow_resource(row: WorkflowDefinition, *, interface_as_text: bool = True) -> dict[str, Any]:
    """A workflow as Mistral shows it (``interface`` is JSON text except in POST/PUT answers)."""
    interface = interface_of(row.spec)
    return {
        "id": row.id,
        "name": row.name,
        "namespace": row.namespace,
        "input": row.input,
        "interface": json_text(interface) if interface_as_text else interface,
        "definition": row.definition,
        "checksum": row.checksum,
        "tags": list(row.tags or []),
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
    }


def _values(spec: WorkflowSpec, definition: str, scope: str) -> dict[str, Any]:
    return {
        "definition": definition,
        "spec": spec_dict(spec),
        "input": input_signature(spec.input),
        "tags": list(spec.tags),
        "checksum": checksum(definition),
        "scope": scope,
    }


WORKFLOWS = DefinitionCollection(
    LIST, workflow_resource, partial(workflow_resource, interface_as_text=False)
)


@router.get("/v2/workflows", openapi_extra=openapi_parameters(LIST))
def list_workflows(request: Request, ctx: Ctx) -> JSONResponse:
    """List workflows (Mistral's paging, sorting, fields and filters)."""
    return WORKFLOWS.page(request, ctx)


@router.post("/v2/workflows", status_code=201, **TEXT_BODY)
def create_workflows(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Create every workflow of a YAML document (all or none)."""
    scope = checked_scope(scope)
    document = parse_or_400(parse_workflows, definition, namespace)
    texts = item_definitions(definition, document.workflows)
    rows = [
        WorkflowDefinition(name=name, namespace=namespace, **_values(spec, texts[name], scope))
        for name, spec in document.workflows.items()
    ]
    return json_response({"workflows": WORKFLOWS.create(ctx, rows)}, status_code=201)


@router.put("/v2/workflows", **TEXT_BODY)
def update_workflows(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Update every workflow of a YAML document; each must exist in ``namespace``."""
    return json_response({"workflows": _update(ctx, definition, namespace, scope, None)})


@router.put("/v2/workflows/{identifier}", **TEXT_BODY)
def update_workflow(
    identifier: str, definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Update the one workflow named or identified by ``identifier``."""
    return json_response(_update(ctx, definition, namespace, scope, identifier)[0])


def _update(
    ctx: ApiContext, definition: str, namespace: str, scope: str, identifier: str | None
) -> list[dict[str, Any]]:
    scope = checked_scope(scope)
    document = parse_or_400(parse_workflows, definition, namespace)
    if identifier is not None and len(document.workflows) != 1:
        raise BadRequest(
            "The definition must contain exactly one workflow when it is updated by "
            f"identifier; it has {len(document.workflows)}"
        )
    texts = item_definitions(definition, document.workflows)

    def change(name: str, spec: WorkflowSpec) -> Callable[[Session, WorkflowDefinition], None]:
        def apply(session: Session, row: WorkflowDefinition) -> None:
            if identifier is not None and row.name != name:
                raise BadRequest(
                    f"Workflow {identifier!r} is named {row.name!r}; the definition names {name!r}"
                )
            for key, value in _values(spec, texts[name], scope).items():
                setattr(row, key, value)

        return apply

    return WORKFLOWS.update(
        ctx,
        namespace,
        [(identifier or name, change(name, spec)) for name, spec in document.workflows.items()],
    )


@router.post(
    "/v2/workflows/validate",
    dependencies=[Depends(plain_faults)],
    openapi_extra=TEXT_BODY_OPENAPI,
)
def validate_workflows(definition: TextBody) -> JSONResponse:
    """Check a workflows document without storing it: ``{"valid": ..., "error": ...}``."""
    return json_response(validation_result(parse_workflows, definition))


@router.get("/v2/workflows/{identifier}")
def get_workflow(identifier: str, ctx: Ctx, namespace: str = "", fields: str = "") -> JSONResponse:
    """One workflow by name (in ``namespace``, then the default one) or id."""
    return WORKFLOWS.get(ctx, identifier, namespace, fields)


@router.delete("/v2/workflows/{identifier}", status_code=204)
def delete_workflow(identifier: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete a workflow that no trigger uses (its members go with it)."""

    def unlink(session: Session, row: WorkflowDefinition) -> None:
        _refuse_if_triggered(session, row, identifier, namespace)
        for member in session.scalars(
            select(ResourceMember).where(
                ResourceMember.resource_id == row.id, ResourceMember.resource_type == "workflow"
            )
        ):
            session.delete(member)

    return WORKFLOWS.delete(ctx, identifier, namespace, first=unlink)


def _refuse_if_triggered(
    session: Session, row: WorkflowDefinition, identifier: str, namespace: str
) -> None:
    cron = list(session.scalars(select(CronTrigger.name).where(CronTrigger.workflow_id == row.id)))
    if cron:
        raise BadRequest(
            "Can't delete workflow that has cron triggers associated. "
            f"[workflow_identifier={identifier}, namespace={namespace}], "
            f"[cron trigger(s)={', '.join(cron)}]; delete the triggers first"
        )
    events = list(
        session.scalars(select(EventTrigger.id).where(EventTrigger.workflow_id == row.id))
    )
    if events:
        raise BadRequest(
            "Can't delete workflow that has event triggers associated. "
            f"[workflow_identifier={identifier}], [event_trigger_id(s)={', '.join(events)}]"
        )
