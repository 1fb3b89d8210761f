"""Running one action outside any workflow (``run-action``), as Mistral decides it.

:func:`plan_direct_action` resolves the name (system action or ad-hoc action
over its base), checks the input and decides how to run it, following Mistral:

- ``run_sync`` asked for an asynchronous action: refused;
- no ``run_sync`` and (``save_result`` or an asynchronous action): run in the
  background through the work queue, answering with the RUNNING row;
- otherwise: run now and answer with the result (a row is kept only with
  ``save_result``; without it Mistral answers ``id: null``). "Now" is on
  this node's executor, or, on a node without one or for a ``target``, on an
  executor node through the queue while the request waits
  (:mod:`levante.node.queued_run`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from levante.actions import ActionRegistry
from levante.actions.errors import ActionInputError
from levante.api.errors import BadRequest
from levante.api.gateway import RunAction
from levante.engine import adhoc
from levante.engine.adhoc import AdhocAction, Expansion
from levante.store import definitions
from levante.store.models import ActionDefinition


class RunMode(enum.Enum):
    """Where a directly run action runs."""

    #: Now, in the request; the answer carries the result.
    NOW = "now"
    #: In the background: an action execution row and a queue entry (outbox).
    BACKGROUND = "background"


@dataclass(frozen=True)
class DirectAction:
    """What to run for a ``run-action`` request, after ad-hoc actions are resolved.

    ``base_name`` and ``base_input`` are the action that really runs and its
    input; ``adhoc`` is the expansion of an ad-hoc action (None otherwise).
    """

    base_name: str
    base_input: Mapping[str, Any]
    mode: RunMode
    save: bool
    adhoc: Expansion | None = None

    @property
    def output(self) -> tuple[Any, ...]:
        """The ad-hoc actions' output transforms, innermost first."""
        return self.adhoc.output if self.adhoc is not None else ()


def plan_direct_action(
    session: Session, registry: ActionRegistry, request: RunAction
) -> DirectAction:
    """Resolve and check ``request``; ``BadRequest`` (400) says what is wrong."""

    def find(name: str, namespace: str) -> AdhocAction | None:
        if registry.find(name, namespace) is not None:
            return None  # a system action is never looked up as an ad-hoc one
        row = definitions.find_definition(session, ActionDefinition, name, namespace)
        if row is None:
            return None
        return AdhocAction.from_spec(row.name, row.spec or {}, row.workbook_name)

    try:
        expansion = adhoc.expand(find, request.name, dict(request.input), request.namespace)
    except adhoc.AdhocActionError as exc:
        raise BadRequest(str(exc)) from exc
    name = expansion.base if expansion else request.name
    given = expansion.base_input if expansion else dict(request.input)
    descriptor = registry.find(name, request.namespace)
    if descriptor is None:
        raise BadRequest(f"Failed to find action [action_name={name}]")
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
        adhoc=expansion,
    )


def transform_output(action: DirectAction, result: Any) -> Any:
    """The result as the ad-hoc action's ``output`` (if any) shapes it."""
    try:
        return adhoc.apply_output(action.output, result)
    except adhoc.AdhocOutputError as exc:
        raise BadRequest(str(exc)) from exc
