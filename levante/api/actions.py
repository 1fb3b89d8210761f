"""``/v2/actions``: system actions (from the action registry) and ad-hoc actions (stored).

Listing merges both, sorted and paged in memory (the registry is not a
table); the ``marker`` is an action name, as in Mistral.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.actions import ActionDescriptor
from levante.api.context import ApiContext, Ctx, base_url
from levante.api.definition_collection import TEXT_BODY, DefinitionCollection
from levante.api.documents import checked_scope, item_definitions, parse_or_400, validation_result
from levante.api.errors import BadRequest, NotFound, plain_faults
from levante.api.listing import Filter, ListQuery, ListSpec, openapi_parameters, parse_list_query
from levante.api.wire import TEXT_BODY_OPENAPI, TextBody, json_response, no_content, timestamps
from levante.lang import input_signature, parse_actions, spec_dict
from levante.lang.spec import ActionSpec
from levante.store.definitions import create_definition, find_definition
from levante.store.models import ActionDefinition

router = APIRouter(tags=["actions"])

FIELDS = (
    "id",
    "name",
    "is_system",
    "input",
    "description",
    "tags",
    "definition",
    "scope",
    "project_id",
    "created_at",
    "updated_at",
    "namespace",
)
LIST = ListSpec(
    collection="actions",
    model=ActionDefinition,
    fields=FIELDS,
    filters=(
        "created_at",
        "name",
        "scope",
        "tags",
        "updated_at",
        "description",
        "definition",
        "is_system",
        "input",
        "namespace",
    ),
    default_sort_key="name",
)


def system_action_resource(descriptor: ActionDescriptor) -> dict[str, Any]:
    """A registry action as Mistral 23 shows it (no id of its own, no timestamps)."""
    return {
        "id": descriptor.name,
        "name": descriptor.name,
        "is_system": False,
        "input": descriptor.params_spec,
        "description": descriptor.description,
        "tags": None,
        "definition": "",
        "scope": None,
        "project_id": None,
        "created_at": "",
        "updated_at": "",
        "namespace": descriptor.namespace,
    }


def adhoc_action_resource(row: ActionDefinition) -> dict[str, Any]:
    """An ad-hoc action as Mistral shows it."""
    return {
        "id": row.id,
        "name": row.name,
        "is_system": bool(row.is_system),
        "input": row.input,
        "description": row.description,
        "tags": list(row.tags or []),
        "definition": row.definition,
        "scope": row.scope,
        "project_id": row.project_id,
        **timestamps(row),
        "namespace": row.namespace,
    }


@router.get("/v2/actions", openapi_extra=openapi_parameters(LIST))
def list_actions(request: Request, ctx: Ctx) -> JSONResponse:
    """System and ad-hoc actions together, filtered, sorted and paged."""
    params = dict(request.query_params)
    namespace = params.get("namespace", "")
    query = parse_list_query(params, LIST, max_limit=ctx.max_limit)
    with ctx.db.read() as session:
        stored = session.scalars(
            select(ActionDefinition).where(ActionDefinition.namespace.in_({namespace, ""}))
        )
        resources = [adhoc_action_resource(row) for row in stored]
    known = {item["name"] for item in resources}
    resources += [
        system_action_resource(d) for d in ctx.actions.list(namespace) if d.name not in known
    ]
    resources = [r for r in resources if all(_matches(r, f) for f in query.filters)]
    resources = _sorted(resources, query)
    if query.marker:
        names = [r["name"] for r in resources]
        if query.marker not in names:
            raise BadRequest(f"Marker {query.marker!r} names no action")
        resources = resources[names.index(query.marker) + 1 :]
    page = resources[: query.limit]
    body: dict[str, Any] = {"actions": [query.select_fields(r) for r in page]}
    if page and len(page) == query.limit:
        body["next"] = _next(base_url(request), query, page[-1]["name"])
    return json_response(body)


#: The stored (ad-hoc) actions. Only updates go through it: listing, getting
#: and deleting also see the registry's system actions, and a create answers
#: ``updated_at: null`` where the collection's create leaves it out.
ADHOC_ACTIONS = DefinitionCollection(LIST, adhoc_action_resource)


@router.post("/v2/actions", status_code=201, **TEXT_BODY)
def create_actions(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Create every ad-hoc action of a YAML document (all or none)."""
    scope = checked_scope(scope)
    document = parse_or_400(parse_actions, definition, namespace)
    texts = item_definitions(definition, document.actions)
    for name in document.actions:
        if ctx.actions.find(name, namespace) is not None:
            raise BadRequest(f"Action {name!r} is a system action; choose another name")
    with ctx.db.transaction() as session:
        rows = [
            create_definition(
                session,
                ActionDefinition(
                    name=name, namespace=namespace, **_values(spec, texts[name], scope)
                ),
            )
            for name, spec in document.actions.items()
        ]
        session.flush()
        body = [adhoc_action_resource(row) for row in rows]
    return json_response({"actions": body}, status_code=201)


@router.put("/v2/actions", **TEXT_BODY)
def update_actions(
    definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Update every ad-hoc action of a YAML document; each must exist."""
    return json_response({"actions": _update(ctx, definition, namespace, scope, None)})


@router.put("/v2/actions/{identifier}", **TEXT_BODY)
def update_action(
    identifier: str, definition: TextBody, ctx: Ctx, namespace: str = "", scope: str = "private"
) -> JSONResponse:
    """Update the ad-hoc action with this id (the document must hold exactly one)."""
    return json_response({"actions": _update(ctx, definition, namespace, scope, identifier)})


@router.post(
    "/v2/actions/validate", dependencies=[Depends(plain_faults)], openapi_extra=TEXT_BODY_OPENAPI
)
def validate_actions(definition: TextBody) -> JSONResponse:
    """Check an ad-hoc actions document without storing it."""
    return json_response(validation_result(parse_actions, definition))


@router.get("/v2/actions/{identifier}")
@router.get("/v2/actions/{identifier}/", include_in_schema=False)
@router.get("/v2/actions/{identifier}/{namespace}")
def get_action(identifier: str, ctx: Ctx, namespace: str = "") -> JSONResponse:
    """One action: an ad-hoc action by name or id, else a system action by name."""
    with ctx.db.read() as session:
        row = find_definition(session, ActionDefinition, identifier, namespace)
        if row is not None:
            return json_response(adhoc_action_resource(row))
    descriptor = ctx.actions.find(identifier, namespace)
    if descriptor is None:
        raise NotFound(f"Action not found [name={identifier}, namespace={namespace}]")
    return json_response(system_action_resource(descriptor))


@router.delete("/v2/actions/{identifier}", status_code=204)
@router.delete("/v2/actions/{identifier}/", status_code=204, include_in_schema=False)
@router.delete("/v2/actions/{identifier}/{namespace}", status_code=204)
def delete_action(identifier: str, ctx: Ctx, namespace: str = "") -> Response:
    """Delete an ad-hoc action; system actions cannot be deleted."""
    with ctx.db.transaction() as session:
        row = find_definition(session, ActionDefinition, identifier, namespace, fallback=False)
        if row is None:
            if ctx.actions.find(identifier, namespace) is not None:
                raise BadRequest(f"Attempt to delete a system action: {identifier}")
            raise NotFound(f"Action not found [name={identifier}, namespace={namespace}]")
        if row.is_system:
            raise BadRequest(f"Attempt to delete a system action: {identifier}")
        session.delete(row)
    return no_content()


def _values(spec: ActionSpec, definition: str, scope: str) -> dict[str, Any]:
    return {
        "definition": definition,
        "spec": spec_dict(spec),
        "input": input_signature(spec.input),
        "description": spec.description,
        "tags": list(spec.tags),
        "scope": scope,
        "is_system": False,
    }


def _update(
    ctx: ApiContext, definition: str, namespace: str, scope: str, identifier: str | None
) -> list[dict[str, Any]]:
    scope = checked_scope(scope)
    document = parse_or_400(parse_actions, definition, namespace)
    if identifier is not None and len(document.actions) != 1:
        raise BadRequest("Exactly one action must be given when an action is updated by id")
    texts = item_definitions(definition, document.actions)

    def change(name: str, spec: ActionSpec) -> Callable[[Session, ActionDefinition], None]:
        def apply(session: Session, row: ActionDefinition) -> None:
            for key, value in _values(spec, texts[name], scope).items():
                setattr(row, key, value)
            # By id, the one action of the document may rename the stored one.
            row.name = name

        return apply

    return ADHOC_ACTIONS.update(
        ctx,
        namespace,
        [(identifier or name, change(name, spec)) for name, spec in document.actions.items()],
    )


def _matches(resource: dict[str, Any], item: Filter) -> bool:
    value = resource.get(item.field)
    wanted = item.value
    if isinstance(value, list):
        contained = str(wanted) in value
        return not contained if item.op in ("neq", "nin") else contained
    if isinstance(value, bool) or item.field in ("created_at", "updated_at"):
        value = str(value).lower() if isinstance(value, bool) else value
        wanted = (
            [str(v).lower() for v in wanted] if isinstance(wanted, list) else str(wanted).lower()
        )
    return _compare(value, item.op, wanted)


def _compare(value: Any, op: str, wanted: Any) -> bool:
    if op == "eq":
        return bool(value == wanted)
    if op == "neq":
        return bool(value != wanted)
    if op == "in":
        return value in wanted
    if op == "nin":
        return value not in wanted
    if op == "has":
        return str(wanted) in str(value or "")
    if value is None:
        return False
    left, right = str(value), str(wanted)
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


def _sorted(resources: list[dict[str, Any]], query: ListQuery) -> list[dict[str, Any]]:
    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for key, direction in zip(query.sort_keys, query.sort_dirs, strict=True):
            left, right = str(a.get(key) or ""), str(b.get(key) or "")
            if key == "id":
                left, right = a["name"], b["name"]
            if left != right:
                result = -1 if left < right else 1
                return result if direction == "asc" else -result
        return 0

    return sorted(resources, key=functools.cmp_to_key(compare))


def _next(url: str, query: ListQuery, marker: str) -> str:
    args = [f"sort_keys={','.join(query.sort_keys)}", f"sort_dirs={','.join(query.sort_dirs)}"]
    args += [f"{item.field}={item.raw}" for item in query.filters]
    args += [f"limit={query.limit}", f"marker={marker}"]
    if query.fields:
        args.append(f"fields={','.join(query.fields)}")
    return f"{url}/v2/actions?{'&'.join(args)}"
