"""Repository of what users register: workbooks, workflows, ad-hoc actions, environments, code.

Names are unique per (namespace, project) — environments per project — and a
duplicate raises ``DuplicateError`` (REST 409). Lookups accept a name or an
id; by name they look in the namespace asked for, then (unless told not to)
in the default namespace ``""``, as Mistral does. Missing rows raise
``NotFoundError`` naming what was looked for (REST 404).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.store.errors import DuplicateError, NotFoundError
from levante.store.models import (
    DEFAULT_NAMESPACE,
    DEFAULT_PROJECT,
    ActionDefinition,
    CodeSource,
    DynamicActionDefinition,
    Environment,
    Workbook,
    WorkflowDefinition,
)
from levante.store.sql import is_unique_violation

D = TypeVar(
    "D",
    Workbook,
    WorkflowDefinition,
    ActionDefinition,
    Environment,
    CodeSource,
    DynamicActionDefinition,
)

#: How each kind of definition is named in messages.
KIND_NAMES: dict[type[Any], str] = {
    Workbook: "Workbook",
    WorkflowDefinition: "Workflow",
    ActionDefinition: "Action definition",
    Environment: "Environment",
    CodeSource: "Code source",
    DynamicActionDefinition: "Dynamic action",
}


def is_namespaced(model: type[Any]) -> bool:
    """True for the kinds of definition that live in a namespace (all but environments)."""
    return "namespace" in model.__table__.c


def create_definition(session: Session, row: D) -> D:
    """Insert a definition built by the caller; ``DuplicateError`` if its name is taken.

    Runs in a savepoint, so the caller's transaction stays usable after a duplicate.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise DuplicateError(KIND_NAMES[type(row)], **_unique_key(row)) from None
    return row


def find_definition(
    session: Session,
    model: type[D],
    identifier: str,
    namespace: str | None = DEFAULT_NAMESPACE,
    *,
    project_id: str | None = None,
    fallback: bool = True,
) -> D | None:
    """The definition whose id or name is ``identifier``, or ``None``.

    By name, it is looked for in ``namespace`` and then, with ``fallback``, in
    the default namespace. ``project_id`` limits the search to that project's
    rows and public ones (``None``: every project, as with authentication off).
    """
    namespaces = [namespace or DEFAULT_NAMESPACE]
    if fallback and namespaces[0] != DEFAULT_NAMESPACE:
        namespaces.append(DEFAULT_NAMESPACE)
    for candidate in namespaces:
        statement = select(model).where(
            or_(model.id == identifier, _name_in(model, identifier, candidate))
        )
        if project_id is not None:
            statement = statement.where(visible_to(model, project_id))
        # An exact id match wins over a same-named row.
        rows = list(session.scalars(statement.limit(2)))
        for row in rows:
            if row.id == identifier:
                return row
        if rows:
            return rows[0]
    return None


def get_definition(
    session: Session,
    model: type[D],
    identifier: str,
    namespace: str | None = DEFAULT_NAMESPACE,
    *,
    project_id: str | None = None,
    fallback: bool = True,
) -> D:
    """Like ``find_definition``, but a missing definition raises ``NotFoundError``."""
    row = find_definition(
        session, model, identifier, namespace, project_id=project_id, fallback=fallback
    )
    if row is None:
        key: dict[str, object] = {"identifier": identifier}
        if is_namespaced(model):
            key["namespace"] = namespace or DEFAULT_NAMESPACE
        raise NotFoundError(KIND_NAMES[model], **key)
    return row


def update_definition(
    session: Session,
    model: type[D],
    identifier: str,
    values: Mapping[str, Any],
    namespace: str | None = DEFAULT_NAMESPACE,
    *,
    project_id: str | None = None,
) -> D:
    """Change fields of the definition in exactly ``namespace`` (no fallback); returns it.

    ``NotFoundError`` if it is missing, ``DuplicateError`` if a rename clashes.
    """
    row = get_definition(
        session, model, identifier, namespace, project_id=project_id, fallback=False
    )
    unknown = set(values) - set(model.__table__.c.keys())
    if unknown:
        raise KeyError(f"{KIND_NAMES[model]} has no field {sorted(unknown)}")
    try:
        with session.begin_nested():
            for key, value in values.items():
                setattr(row, key, value)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        session.refresh(row)
        raise DuplicateError(KIND_NAMES[model], **_unique_key(row, values)) from None
    return row


def delete_definition(
    session: Session,
    model: type[D],
    identifier: str,
    namespace: str | None = DEFAULT_NAMESPACE,
    *,
    project_id: str | None = None,
) -> None:
    """Delete the definition in exactly ``namespace`` (no fallback); ``NotFoundError`` if absent."""
    row = get_definition(
        session, model, identifier, namespace, project_id=project_id, fallback=False
    )
    session.delete(row)
    session.flush()


def visible_to(model: type[Any], project_id: str) -> ColumnElement[bool]:
    """Rows a project may see: its own and every public one."""
    return or_(model.project_id == project_id, model.scope == "public")


def _name_in(model: type[Any], name: str, namespace: str) -> ColumnElement[bool]:
    if is_namespaced(model):
        return (model.name == name) & (model.namespace == namespace)
    return model.name == name  # type: ignore[no-any-return]


def _unique_key(row: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, object]:
    values = dict(overrides or {})
    key: dict[str, object] = {"name": values.get("name", row.name)}
    if is_namespaced(type(row)):
        key["namespace"] = values.get("namespace", row.namespace) or DEFAULT_NAMESPACE
    key["project_id"] = values.get("project_id", row.project_id) or DEFAULT_PROJECT
    return key
