"""Running an action the way the executor does, for action-level specs."""

from __future__ import annotations

import inspect
from typing import Any

from levante.actions import ActionContext, ActionRegistry, default_registry

REGISTRY: ActionRegistry = default_registry(load_plugins=False)


async def run_std(name: str, **input: Any) -> Any:
    """Instantiate ``name`` with ``input`` and return what its ``run`` returns."""
    action = REGISTRY.get(name).instantiate(input)
    value = action.run(ActionContext.for_action_execution("a-1"))
    if inspect.isawaitable(value):
        value = await value
    return value
