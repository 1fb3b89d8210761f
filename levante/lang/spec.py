"""Immutable spec objects of Workflow Language v2.

These are what the parser produces and what the engine consumes. They hold
*values as written*: any field typed ``Value`` may be a literal or a string that
contains expressions (``<% %>`` / ``{{ }}``); the engine evaluates it at run
time with ``levante.expr``. Nothing here does I/O.

Maps are stored as ``Mapping`` (built as plain dicts by the parser and never
mutated afterwards); sequences as tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: A literal or an expression-bearing value, exactly as written in YAML.
Value = Any

#: Task names that a transition may not use as targets: they are engine commands.
ENGINE_COMMANDS = frozenset({"fail", "succeed", "pause", "noop"})

#: Names a task may not have.
RESERVED_TASK_NAMES = ENGINE_COMMANDS


@dataclass(frozen=True)
class Location:
    """Where something was written: file (may be None for text), 1-based line and column."""

    file: str | None
    line: int
    column: int

    def __str__(self) -> str:
        where = self.file or "<text>"
        return f"{where}:{self.line}:{self.column}"


class WorkflowType(StrEnum):
    """How a workflow decides which task runs next."""

    DIRECT = "direct"
    """Tasks name their successors with on-success / on-error / on-complete."""
    REVERSE = "reverse"
    """Tasks name their prerequisites with ``requires``; run towards a target task."""


class JoinKind(StrEnum):
    """Symbolic values of a task's ``join``; an integer join is stored as ``int``."""

    ALL = "all"
    ONE = "one"


@dataclass(frozen=True)
class InputParam:
    """One declared input of a workflow or ad-hoc action (``- name`` or ``- name: default``)."""

    name: str
    has_default: bool = False
    default: Value = None


@dataclass(frozen=True)
class RetryPolicy:
    """``retry``: count and delay (seconds) may be expressions; break-on / continue-on are."""

    count: Value
    delay: Value = 0
    break_on: str | None = None
    continue_on: str | None = None


@dataclass(frozen=True)
class Policies:
    """Task policies. ``None`` means "not set" (task-defaults or the default applies)."""

    retry: RetryPolicy | None = None
    wait_before: Value = None
    wait_after: Value = None
    timeout: Value = None
    pause_before: Value = None
    concurrency: Value = None
    fail_on: Value = None


@dataclass(frozen=True)
class PublishSpec:
    """What a task publishes. The simple form (``publish: {k: v}``) fills ``branch``."""

    branch: Mapping[str, Value] = field(default_factory=dict)
    global_: Mapping[str, Value] = field(default_factory=dict)
    atomic: Mapping[str, Value] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.branch or self.global_ or self.atomic)


@dataclass(frozen=True)
class Transition:
    """One entry of an on-clause: go to ``target`` when ``condition`` holds.

    ``target`` is a task name or one of ``ENGINE_COMMANDS``. ``condition`` is the
    expression text, or None for "always". ``params`` holds the parameters of an
    engine command (``fail msg="..."`` -> ``{"msg": "..."}``) or of a task
    (``task2 param=1``), values as written.
    """

    target: str
    condition: str | None = None
    params: Mapping[str, Value] = field(default_factory=dict)
    location: Location | None = None

    @property
    def is_engine_command(self) -> bool:
        return self.target in ENGINE_COMMANDS


@dataclass(frozen=True)
class OnClause:
    """``on-success`` / ``on-error`` / ``on-complete`` / ``on-skip``.

    The simple forms (a name, a list, ``{task: condition}``) fill ``next``; the
    advanced form may also carry a ``publish``.
    """

    next: tuple[Transition, ...] = ()
    publish: PublishSpec | None = None


@dataclass(frozen=True)
class WithItems:
    """``with-items``: one or several ``var in source`` pairs, zipped (not crossed).

    ``sources`` are values as written: an expression string or a literal list.
    """

    variables: tuple[str, ...]
    sources: tuple[Value, ...]


@dataclass(frozen=True)
class TaskSpec:
    """One task as written (task-defaults not applied; see ``WorkflowSpec.task``)."""

    name: str
    action: str | None = None
    """Action name, possibly an expression. None for a workflow task (or std.noop if neither)."""
    workflow: str | None = None
    """Sub-workflow name, possibly an expression."""
    input: Mapping[str, Value] | str = field(default_factory=dict)
    """The ``input`` map merged over inline parameters, or one expression string."""
    description: str | None = None
    publish: PublishSpec = field(default_factory=PublishSpec)
    publish_on_error: PublishSpec = field(default_factory=PublishSpec)
    publish_on_skip: PublishSpec = field(default_factory=PublishSpec)
    with_items: WithItems | None = None
    keep_result: Value = True
    target: str | None = None
    safe_rerun: Value = None
    """None when the task does not set it: task-defaults apply, then False
    (``WorkflowSpec.task`` resolves it, so the engine always sees a value)."""
    policies: Policies = field(default_factory=Policies)
    # Direct workflows
    join: JoinKind | int | None = None
    on_success: OnClause | None = None
    on_error: OnClause | None = None
    on_complete: OnClause | None = None
    on_skip: OnClause | None = None
    # Reverse workflows
    requires: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    location: Location | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The task's mapping exactly as written (shared with the parsed document: never mutate)."""

    @property
    def is_workflow_task(self) -> bool:
        return self.workflow is not None


@dataclass(frozen=True)
class TaskDefaults:
    """``task-defaults``: policies, on-clauses, safe-rerun and requires for every task."""

    policies: Policies = field(default_factory=Policies)
    safe_rerun: Value = None
    on_success: OnClause | None = None
    on_error: OnClause | None = None
    on_complete: OnClause | None = None
    on_skip: OnClause | None = None
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkflowSpec:
    """A workflow. ``tasks`` keeps the order in which tasks were written."""

    name: str
    type: WorkflowType = WorkflowType.DIRECT
    tasks: Mapping[str, TaskSpec] = field(default_factory=dict)
    input: tuple[InputParam, ...] = ()
    output: Mapping[str, Value] | None = None
    output_on_error: Mapping[str, Value] | None = None
    vars: Mapping[str, Value] = field(default_factory=dict)
    task_defaults: TaskDefaults = field(default_factory=TaskDefaults)
    description: str | None = None
    tags: tuple[str, ...] = ()
    location: Location | None = None
    namespace: str = ""
    """Mistral namespace the workflow is stored in ("" is the default namespace)."""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The workflow's mapping exactly as written (never mutate). ``levante.lang.spec_dict``
    gives the dict Mistral's REST API shows as ``spec``."""
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, compare=False,
                                     repr=False)
    """What :meth:`task` and :meth:`start_tasks` worked out (the spec never changes)."""

    def task(self, name: str) -> TaskSpec:
        """The task ``name`` with task-defaults applied (the spec the engine runs).

        Policies merge key by key (the task wins); an on-clause of the defaults is
        used only when the task has none of that kind, and never makes a task
        transition to itself. Worked out once per task: the engine asks for a
        task's spec several times per event.
        """
        found: TaskSpec | None = self._derived.get(name)
        if found is None:
            from levante.lang.defaults import apply_task_defaults

            found = self._derived[name] = apply_task_defaults(self.tasks[name],
                                                              self.task_defaults)
        return found

    def start_tasks(self) -> tuple[str, ...]:
        """Direct workflows: tasks that no transition of another task names."""
        found: tuple[str, ...] | None = self._derived.get(_START_TASKS)
        if found is None:
            from levante.lang.defaults import direct_start_tasks

            found = self._derived[_START_TASKS] = direct_start_tasks(self)
        return found


#: The key of :meth:`WorkflowSpec.start_tasks` in its cache (no task can have it as a name).
_START_TASKS = ("start tasks",)


@dataclass(frozen=True)
class ActionSpec:
    """An ad-hoc action: a ``base`` action with preset ``base-input``."""

    name: str
    base: str
    base_input: Mapping[str, Value] = field(default_factory=dict)
    input: tuple[InputParam, ...] = ()
    output: Value = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    location: Location | None = None
    namespace: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The action's mapping exactly as written (never mutate)."""


@dataclass(frozen=True)
class WorkbookSpec:
    """A workbook: named workflows and ad-hoc actions that see each other by short name."""

    name: str
    workflows: Mapping[str, WorkflowSpec] = field(default_factory=dict)
    actions: Mapping[str, ActionSpec] = field(default_factory=dict)
    description: str | None = None
    tags: tuple[str, ...] = ()
    location: Location | None = None
    namespace: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The workbook's mapping exactly as written (never mutate)."""


@dataclass(frozen=True)
class WorkflowsDocument:
    """A file of one or several workflows (``version`` plus workflow names at top level)."""

    workflows: Mapping[str, WorkflowSpec]


@dataclass(frozen=True)
class ActionsDocument:
    """A file of ad-hoc actions (``version`` plus action names at top level)."""

    actions: Mapping[str, ActionSpec]
