"""Finding the workflow a request names, and checking the input it is given.

Shared by cron triggers, event triggers and executions: an unknown workflow
is a 404 that suggests close names, and an input that does not fit the
workflow's declared input is a 400 that lists what is missing or unexpected.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.api.errors import BadRequest, NotFound
from levante.store.definitions import find_definition
from levante.store.models import WorkflowDefinition


def find_workflow(session: Session, identifier: str, namespace: str = "") -> WorkflowDefinition:
    """The workflow with this id or name (in ``namespace``, then the default one), or a 404."""
    row = find_definition(session, WorkflowDefinition, identifier, namespace)
    if row is not None:
        return row
    names = list(session.scalars(select(WorkflowDefinition.name).limit(10_000)))
    close = difflib.get_close_matches(identifier, names, n=3)
    hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    raise NotFound(
        f"Workflow not found [workflow_identifier={identifier}, namespace={namespace}]{hint}"
    )


def declared_input(spec: Mapping[str, Any] | None) -> tuple[list[str], dict[str, Any]]:
    """A workflow spec's input: the required names, and the optional ones with defaults."""
    required: list[str] = []
    optional: dict[str, Any] = {}
    for item in (spec or {}).get("input") or []:
        if isinstance(item, str):
            required.append(item)
        elif isinstance(item, dict):
            optional.update(item)
    return required, optional


def check_workflow_input(workflow: WorkflowDefinition, given: Mapping[str, Any] | None) -> None:
    """``BadRequest`` unless ``given`` has every required input and nothing undeclared."""
    required, optional = declared_input(workflow.spec)
    given = given or {}
    missing = [name for name in required if name not in given]
    unexpected = sorted(set(given) - set(required) - set(optional))
    if not (missing or unexpected):
        return
    parts = []
    if missing:
        parts.append(f"missing={missing}")
    if unexpected:
        parts.append(f"unexpected={unexpected}")
    signature = workflow.input or "no input"
    raise BadRequest(
        f"Invalid input [name={workflow.name}, class=WorkflowSpec, {', '.join(parts)}]: "
        f"workflow {workflow.name!r} takes ({signature})"
    )
