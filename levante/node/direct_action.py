"""Running one action outside any workflow (``run-action``), as Mistral decides it.

:func:`plan_direct_action` resolves the name (system action or ad-hoc action
over its base), checks the input and decides how to run it, following Mistral:

- ``run_sync`` asked for an asynchronous action: refused;
- no ``run_sync`` and (``save_result`` or an asynchronous action): run in the
  background through the work queue, answering with the RUNNING row;
- otherwise: run now and answer with the result (a row is kept only with
  ``save_result``; without it Mistral answers ``id: null``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from levante.actions import ActionRegistry
from levante.actions.errors import ActionInputError
from levante.api.errors import BadRequest
from levante.api.gateway import RunAction
from levante.expr import ExpressionError, evaluate
from levante.store import definitions
from levante.store.models import ActionDefinition

#: How deep ad-hoc actions may be built on other ad-hoc actions.
MAX_ADHOC_DEPTH = 10


class RunMode(enum.Enum):
    """Where a directly run action runs."""

    #: Now, in the request; the answer carries the result.
    NOW = "now"
    #: In the background: an action execution row and a queue entry (outbox).
    BACKGROUND = "background"


@dataclass(frozen=True)
class DirectAction:
    """What to run for a ``run-action`` request, after ad-hoc actions are resolved.

    ``base_name`` and ``base_input`` are the system action and its input;
    ``output`` is the ad-hoc actions' output transforms, innermost first.
    """

    base_name: str
    base_input: Mapping[str, Any]
    mode: RunMode
    save: bool
    output: tuple[Any, ...] = field(default_factory=tuple)


def plan_direct_action(
    session: Session, registry: ActionRegistry, request: RunAction
) -> DirectAction:
    """Resolve and check ``request``; ``BadRequest`` (400) says what is wrong."""
    name, given, transforms = request.name, dict(request.input), []
    for _ in range(MAX_ADHOC_DEPTH):
        descriptor = registry.find(name, request.namespace)
        if descriptor is not None:
            break
        adhoc = definitions.find_definition(session, ActionDefinition, name, request.namespace)
        if adhoc is None:
            raise BadRequest(f"Failed to find action [action_name={name}]")
        name, given, transform = _expand_adhoc(adhoc, given)
        transforms.append(transform)
    else:
        raise BadRequest(
            f"Ad-hoc action {request.name} is built on more than {MAX_ADHOC_DEPTH} levels "
            "of other ad-hoc actions; check its 'base' for a cycle."
        )
    try:
        action = descriptor.instantiate(given)
    except ActionInputError as exc:
        raise BadRequest(str(exc)) from exc
    is_sync = bool(action.is_sync()) if hasattr(action, "is_sync") else descriptor.sync
    if request.run_sync and not is_sync:
        raise BadRequest(
            f"Action {request.name} does not support synchronous execution; "
            "run it without --run-sync (its result is then reported asynchronously)."
        )
    background = not request.run_sync and (request.save_result or not is_sync)
    return DirectAction(
        base_name=name,
        base_input=given,
        mode=RunMode.BACKGROUND if background else RunMode.NOW,
        save=request.save_result or background,
        output=tuple(reversed(transforms)),
    )


def transform_output(action: DirectAction, result: Any) -> Any:
    """The result as the ad-hoc action's ``output`` (if any) shapes it."""
    for transform in action.output:
        if transform is None:
            continue
        try:
            result = evaluate(transform, result if isinstance(result, Mapping) else {"_": result})
        except ExpressionError as exc:
            raise BadRequest(f"Cannot compute the ad-hoc action's output: {exc}") from exc
    return result


def _expand_adhoc(row: ActionDefinition, given: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
    spec = row.spec or {}
    base = str(spec.get("base") or "")
    if not base:
        raise BadRequest(f"Ad-hoc action {row.name} has no 'base' action")
    declared = _declared_input(spec.get("input") or [])
    missing = [k for k, (has_default, _) in declared.items() if not has_default and k not in given]
    if missing:
        raise BadRequest(
            f"Invalid input for action {row.name}: missing {', '.join(missing)} "
            f"(it takes: {', '.join(declared) or 'no input'})"
        )
    unexpected = sorted(set(given) - set(declared))
    if unexpected:
        raise BadRequest(
            f"Invalid input for action {row.name}: unexpected {', '.join(unexpected)} "
            f"(it takes: {', '.join(declared) or 'no input'})"
        )
    context = {k: given.get(k, default) for k, (_, default) in declared.items()}
    try:
        base_input = evaluate(dict(spec.get("base-input") or {}), context)
    except ExpressionError as exc:
        raise BadRequest(f"Cannot compute the base input of action {row.name}: {exc}") from exc
    return base, dict(base_input), spec.get("output")


def _declared_input(raw: Any) -> dict[str, tuple[bool, Any]]:
    """Declared inputs: name -> (has a default, the default)."""
    declared: dict[str, tuple[bool, Any]] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping):
            for key, default in item.items():
                declared[str(key)] = (True, default)
        else:
            declared[str(item)] = (False, None)
    return declared
