"""What is known about an action before it runs: name, signature, how to run it.

A descriptor validates input against the class's ``__init__`` signature and
instantiates the action, so a bad input is refused with the action's and the
parameter's names instead of a bare ``TypeError``.
"""

from __future__ import annotations

import enum
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from levante.actions.errors import (
    InvalidActionInput,
    MissingActionInput,
    UnexpectedActionInput,
)


class RunMode(enum.Enum):
    """How the executor calls an action's ``run``."""

    #: ``async def run``: awaited on the event loop.
    ASYNC = "async"
    #: A plain ``run`` that never blocks: called directly on the event loop.
    INLINE = "inline"
    #: A plain ``run`` that may block: called in the bounded thread pool.
    THREAD = "thread"


class _NoDefault:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a parameter that must be given.
REQUIRED: Any = _NoDefault()


@dataclass(frozen=True, slots=True)
class Parameter:
    """One input parameter of an action."""

    name: str
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        """True when the parameter has no default."""
        return self.default is REQUIRED


@dataclass(frozen=True, slots=True)
class ActionDescriptor:
    """An action known to the registry, ready to be instantiated with input.

    ``params_spec`` is the signature as Mistral's ``action-list`` shows it
    (``"output, delay=0"``). ``sync`` is what the class says before it is
    instantiated; the executor asks the instance, which has the last word.
    """

    name: str
    action_class: type
    description: str
    params_spec: str
    parameters: tuple[Parameter, ...]
    accepts_any_input: bool
    run_mode: RunMode
    sync: bool
    provider: str = ""
    namespace: str = ""
    class_attributes: Mapping[str, Any] | None = None
    _names: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    _required: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def check_input(self, input: Mapping[str, Any]) -> None:
        """Raise :class:`ActionInputError` unless ``input`` fits the parameters."""
        keys = input.keys()
        missing = self._required - keys
        if missing:
            ordered = [p.name for p in self.parameters if p.name in missing]
            raise MissingActionInput(self.name, ordered, self.params_spec)
        if not self.accepts_any_input:
            unexpected = keys - self._names
            if unexpected:
                raise UnexpectedActionInput(self.name, sorted(unexpected), self.params_spec)

    def instantiate(self, input: Mapping[str, Any] | None = None) -> Any:
        """Validate ``input`` and construct the action with it as keyword arguments.

        A ``TypeError`` or ``ValueError`` raised by the class's own
        constructor is reported as :class:`InvalidActionInput`.
        """
        input = input or {}
        self.check_input(input)
        try:
            return self.action_class(**input)
        except InvalidActionInput:
            raise
        except (TypeError, ValueError) as exc:
            raise InvalidActionInput(self.name, None, f"{type(exc).__name__}: {exc}") from exc


def describe_action_class(
    name: str,
    action_class: type,
    *,
    provider: str = "",
    namespace: str = "",
    class_attributes: Mapping[str, Any] | None = None,
    description: str | None = None,
    params_spec: str | None = None,
) -> ActionDescriptor:
    """Build the descriptor of a Python action class (Levante's or mistral-lib's).

    ``class_attributes`` makes a dynamic subclass carrying those attributes
    (how generated actions, such as OpenStack client calls, share one base
    class). ``description`` and ``params_spec`` override what is derived from
    the docstring and ``__init__``.
    """
    cls = action_class
    if class_attributes:
        cls = type(action_class.__name__, (action_class,), dict(class_attributes))
    parameters, any_input = _parameters_of(cls)
    spec = params_spec if params_spec is not None else _params_spec(cls, parameters, any_input)
    return ActionDescriptor(
        name=name,
        action_class=cls,
        description=description if description is not None else inspect.getdoc(cls) or "",
        params_spec=spec,
        parameters=parameters,
        accepts_any_input=any_input,
        run_mode=run_mode_of(cls),
        sync=_class_is_sync(cls),
        provider=provider,
        namespace=namespace,
        class_attributes=class_attributes,
        _names=frozenset(p.name for p in parameters),
        _required=frozenset(p.name for p in parameters if p.required),
    )


def run_mode_of(action_class: type) -> RunMode:
    """How the executor must call ``run`` of this class (see :class:`RunMode`)."""
    if inspect.iscoroutinefunction(getattr(action_class, "run", None)):
        return RunMode.ASYNC
    if getattr(action_class, "blocking", True) is False:
        return RunMode.INLINE
    return RunMode.THREAD


def _parameters_of(cls: type) -> tuple[tuple[Parameter, ...], bool]:
    init = cls.__init__
    if init is object.__init__:
        return (), False
    params: list[Parameter] = []
    any_input = False
    for p in list(inspect.signature(init).parameters.values())[1:]:
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            any_input = True
        elif p.kind is not inspect.Parameter.VAR_POSITIONAL:
            default = REQUIRED if p.default is inspect.Parameter.empty else p.default
            params.append(Parameter(p.name, default))
    return tuple(params), any_input


def _params_spec(cls: type, parameters: tuple[Parameter, ...], any_input: bool) -> str:
    # mistral-lib lets a class state its signature text in __init__.__arguments__.
    declared = getattr(cls.__init__, "__arguments__", None)
    if isinstance(declared, str) and declared:
        return declared
    parts = [p.name if p.required else f"{p.name}={_show(p.default)}" for p in parameters]
    if any_input:
        var_kw = next(
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.kind is inspect.Parameter.VAR_KEYWORD
        )
        parts.append(f"**{var_kw}")
    return ", ".join(parts)


def _show(default: Any) -> str:
    try:
        return json.dumps(default)
    except (TypeError, ValueError):
        # Mistral drops such parameters from the text; showing them is kinder.
        return repr(default)


def _class_is_sync(cls: type) -> bool:
    is_sync = getattr(cls, "is_sync", None)
    if is_sync is None:
        return True
    try:
        # Most asynchronous actions simply ``return False``; ask without
        # running __init__, which may need input.
        return bool(is_sync(object.__new__(cls)))
    except (AttributeError, TypeError):
        # It depends on instance state: the executor asks each instance.
        return True
