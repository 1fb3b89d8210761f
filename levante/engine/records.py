"""The rows the engine reads and writes, as frozen values.

Field names are the columns of docs/design/execution-model.md, so the
persistence layer maps each record to its row one to one. Records are never
mutated: the engine makes a new version with :func:`evolve` (a fast
:func:`dataclasses.replace`) and says what changed with an ``Update*``
command. Dict and list fields are JSON-like values and are replaced, never
modified in place.

The row records are frozen dataclasses made by :func:`record`: the same
class, with an ``__init__`` that fills the instance's ``__dict__`` in one
step. A frozen dataclass's own ``__init__`` sets every field through
``object.__setattr__`` (it must get past the frozen ``__setattr__``), which
for records of twenty-odd fields cost more than the rest of creating a
task; the engine creates and evolves several records per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, TypeVar

Json = Any
R = TypeVar("R")
T = TypeVar("T", bound=type)


def record(cls: T) -> T:
    """``@dataclass(frozen=True)`` with a one-step ``__init__`` (see the module docstring).

    For plain value classes: every field an ``__init__`` argument, no ``__post_init__``.
    """
    made: T = dataclass(frozen=True)(cls)
    if hasattr(made, "__post_init__") or not all(f.init for f in fields(made)):
        raise TypeError(f"{cls.__name__}: @record takes no __post_init__ or init=False field")
    made.__init__ = _fast_init(made)  # type: ignore[misc]
    return made


def _fast_init(cls: type) -> Callable[..., None]:
    """An ``__init__`` with the dataclass's signature that sets ``__dict__`` at once."""
    scope: dict[str, Any] = {"put": object.__setattr__, "MISSING": MISSING}
    params, values = [], []
    for f in fields(cls):
        params.append(f.name + _default_text(f, scope))
        if f.default_factory is not MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            values.append(f"{f.name!r}: _factory_{f.name}() if {f.name} is MISSING else {f.name}")
        else:
            values.append(f"{f.name!r}: {f.name}")
    source = (f"def __init__(self, {', '.join(params)}):\n"
              f"    put(self, '__dict__', {{{', '.join(values)}}})\n")
    exec(source, scope)  # generated from the class's own fields, as dataclasses does
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _default_text(f: Field[Any], scope: dict[str, Any]) -> str:
    if f.default is not MISSING:
        scope[f"_default_{f.name}"] = f.default
        return f"=_default_{f.name}"
    if f.default_factory is not MISSING:
        return "=MISSING"
    return ""


@record
class WorkflowExecution:
    """One workflow execution (a ``workflow_executions`` row)."""

    id: str
    name: str
    workflow_name: str
    state: str
    state_info: str | None = None
    description: str = ""
    input: dict[str, Json] = field(default_factory=dict)
    output: dict[str, Json] = field(default_factory=dict)
    params: dict[str, Json] = field(default_factory=dict)
    context: dict[str, Json] = field(default_factory=dict)
    """Initial context: input defaults applied, vars, and ``__execution``."""
    published_global: dict[str, Json] = field(default_factory=dict)
    runtime_context: dict[str, Json] = field(default_factory=dict)
    """``backlog``: transitions held while paused; ``index``: with-items index of a child."""
    task_execution_id: str | None = None
    root_execution_id: str | None = None
    workflow_namespace: str = ""
    workflow_id: str | None = None
    """The stored definition it was started from (None for an unsaved spec)."""
    active_tasks: int = 0
    """Tasks not yet final-and-processed: zero means "the workflow may be done"."""
    tags: tuple[str, ...] = ()


@record
class TaskExecution:
    """One task execution (a ``task_executions`` row)."""

    id: str
    name: str
    workflow_execution_id: str
    state: str
    type: str = "ACTION"
    """``ACTION`` or ``WORKFLOW``."""
    state_info: str | None = None
    in_context: dict[str, Json] = field(default_factory=dict)
    published: dict[str, Json] = field(default_factory=dict)
    runtime_context: dict[str, Json] = field(default_factory=dict)
    """Written at start and per attempt: ``retry_no``, ``versions``, ``triggered_by``, ..."""
    unique_key: str | None = None
    processed: bool = False
    has_next_tasks: bool = False
    next_tasks: tuple[tuple[str, str], ...] = ()
    """(task name, event) pairs this task's transitions chose."""
    error_handled: bool = False
    items_count: int = 0
    items_started: int = 0
    items_succeeded: int = 0
    items_failed: int = 0
    items_cancelled: int = 0
    attempt: int = 0
    join_arrivals: tuple[dict[str, Json], ...] = ()
    workflow_name: str = ""
    workflow_id: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def items_done(self) -> int:
        """Iterations of the current attempt that have finished, whatever their state."""
        return self.items_succeeded + self.items_failed + self.items_cancelled

    @property
    def all_items_done(self) -> bool:
        """True when every iteration of the current attempt is in."""
        return self.items_done >= self.items_count


@record
class ActionExecution:
    """One action run: an iteration of one attempt of a task (an ``action_executions`` row)."""

    id: str
    name: str
    task_execution_id: str
    workflow_execution_id: str
    state: str
    item_index: int = 0
    attempt: int = 0
    input: dict[str, Json] = field(default_factory=dict)
    output: dict[str, Json] | None = None
    """``{"result": ...}`` as Mistral returns it; None until the action finished."""
    state_info: str | None = None
    accepted: bool = False
    safe_rerun: bool = False
    target: str | None = None
    timeout: float | None = None
    is_sync: bool = True
    runtime_context: dict[str, Json] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The accepted result of one iteration, as the reader returns it."""

    item_index: int
    state: str
    result: Json
    source_id: str = ""
    """The action execution or child workflow execution that produced it."""


def iteration_context(index: int, item: dict[str, Any] | None) -> dict[str, Any]:
    """The runtime_context that says which iteration an execution is.

    ``index`` as in Mistral; ``item`` (Levante) the with-items variables of that
    iteration, written once when the execution is created, so a report can name
    the host an iteration ran for without evaluating anything again.
    """
    return {"index": index} if item is None else {"index": index, "item": item}


def evolve(record: R, changes: Mapping[str, Any]) -> R:
    """A copy of ``record`` with ``changes`` applied (what :func:`dataclasses.replace` does).

    For the classes made by :func:`record`, a copy of the instance's
    ``__dict__``: no ``__init__`` to run (records have no ``__post_init__``).
    An unknown field raises ``TypeError``.
    """
    cls = type(record)
    allowed = _FIELD_NAMES.get(cls)
    if allowed is None:
        allowed = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not allowed.issuperset(changes):
        raise TypeError(f"{cls.__name__} has no field(s) {sorted(set(changes) - allowed)}")
    new: R = object.__new__(cls)
    object.__setattr__(new, "__dict__", {**record.__dict__, **changes})
    return new


_FIELD_NAMES: dict[type, frozenset[str]] = {}
