"""Actions: the units of work tasks call, and where they come from.

Public API:

* :class:`Action`, :class:`AsyncAction`, :class:`Result` — write actions
  (mistral-lib's ``Action`` API; mistral-lib classes work unchanged);
* :class:`ActionContext` — the ``context`` given to ``run``;
* :class:`ActionDescriptor` — signature, run mode, validated instantiation;
* :class:`ActionProvider`, :class:`ActionRegistry`, :func:`default_registry`
  — finding actions by name (std, entry points, later OpenStack/SSH/...).
"""

from levante.actions.base import Action, AsyncAction
from levante.actions.context import ActionContext, ExecutionContext, SecurityContext
from levante.actions.descriptor import (
    REQUIRED,
    ActionDescriptor,
    Parameter,
    RunMode,
    describe_action_class,
)
from levante.actions.errors import (
    ActionError,
    ActionInputError,
    ActionLoadError,
    ActionNotFound,
    InvalidActionInput,
    MissingActionInput,
    UnexpectedActionInput,
)
from levante.actions.registry import (
    ActionProvider,
    ActionRegistry,
    ClassActionProvider,
    default_registry,
)
from levante.actions.result import Result, as_result

__all__ = [
    "REQUIRED",
    "Action",
    "ActionContext",
    "ActionDescriptor",
    "ActionError",
    "ActionInputError",
    "ActionLoadError",
    "ActionNotFound",
    "ActionProvider",
    "ActionRegistry",
    "AsyncAction",
    "ClassActionProvider",
    "ExecutionContext",
    "InvalidActionInput",
    "MissingActionInput",
    "Parameter",
    "Result",
    "RunMode",
    "SecurityContext",
    "UnexpectedActionInput",
    "as_result",
    "default_registry",
    "describe_action_class",
]
