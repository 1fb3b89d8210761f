"""The rows the engine reads and writes, as frozen values.

Field names are the columns of docs/design/execution-model.md, so the
persistence layer maps each record to its row one to one. Records are never
mutated: the engine makes a new version with :func:`evolve` (a fast
:func:`dataclasses.replace`) and says what changed with an ``Update*``
command. Dict and list fields are JSON-like values and are replaced, never
modified in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

Json = Any
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


_COPIERS: dict[type, Callable[[Any, Mapping[str, Any]], Any]] = {}


def _copier(cls: type) -> Callable[[Any, Mapping[str, Any]], Any]:
    """``copy(record, changes)`` for one record class, written out field by field.

    The same thing :func:`dataclasses.replace` does, without re-running
    ``__init__`` and its checks (the records have no ``__post_init__``); the
    code is generated once per class, as :mod:`dataclasses` generates ``__init__``.
    """
    names = [f.name for f in fields(cls)]
    lines = ["def copy(record, changes):",
             "    if not allowed.issuperset(changes):",
             "        raise TypeError(f'{cls.__name__} has no field(s) '",
             "                        f'{sorted(set(changes) - allowed)}')",
             "    get = changes.get",
             "    new = make(cls)"]
    lines += [f"    put(new, {n!r}, get({n!r}, record.{n}))" for n in names]
    lines.append("    return new")
    scope: dict[str, Any] = {"allowed": frozenset(names), "cls": cls,
                             "make": object.__new__, "put": object.__setattr__}
    exec("\n".join(lines), scope)  # generated from the class's own field names
    copy: Callable[[Any, Mapping[str, Any]], Any] = scope["copy"]
    return copy


def evolve(record: R, changes: Mapping[str, Any]) -> R:
    """A copy of ``record`` with ``changes`` applied (what :func:`dataclasses.replace` does).

    The engine makes several new versions of a record per event, and
    ``replace`` costs more than the rest of applying a command. An unknown
    field raises ``TypeError``.
    """
    copy = _COPIERS.get(type(record))
    if copy is None:
        copy = _COPIERS[type(record)] = _copier(type(record))
    new: R = copy(record, changes)
    return new
