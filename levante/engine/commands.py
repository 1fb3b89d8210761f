"""Commands: what the engine decided, for the host to apply in the same transaction.

The host applies them in order. ``Update*`` commands carry the changed
columns, and the record as the decision left it with them (a host that
keeps records need not work the change out again). Nothing here is executed
by the engine itself.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from levante.engine.events import Event, TimerKind
from levante.engine.records import ActionExecution, TaskExecution, WorkflowExecution, record


@record
class CreateWorkflow:
    """Insert a workflow execution row."""

    execution: WorkflowExecution


@record
class UpdateWorkflow:
    """Set columns of a workflow execution row."""

    execution_id: str
    changes: dict[str, Any]
    after: WorkflowExecution = field(repr=False)
    """The row with ``changes`` applied."""


@record
class CreateTask:
    """Insert a task execution row."""

    task: TaskExecution


@record
class UpdateTask:
    """Set columns of a task execution row (counters included, under the task's lock)."""

    task_execution_id: str
    changes: dict[str, Any]
    after: TaskExecution = field(repr=False)
    """The row with ``changes`` applied."""


@record
class ScheduleActions:
    """Insert action executions (one batch per task attempt).

    Those in state RUNNING get a work-queue entry in the same transaction
    (outbox); those in state IDLE wait for a concurrency slot.
    """

    task_execution_id: str
    actions: tuple[ActionExecution, ...]


@record
class UpdateAction:
    """Set columns of an action execution (its result is accepted with this)."""

    action_execution_id: str
    changes: dict[str, Any]
    after: ActionExecution = field(repr=False)
    """The row with ``changes`` applied."""


@record
class PromoteIdle:
    """Start the ``count`` IDLE iterations of a task with the lowest item index.

    Actions become RUNNING and get queue entries; IDLE sub-workflows are started.
    """

    task_execution_id: str
    count: int


@record
class InvalidateResults:
    """Mark a task's iterations as not accepted (before a retry or rerun).

    ``item_indexes`` None means all of them.
    """

    task_execution_id: str
    item_indexes: tuple[int, ...] | None = None


@record
class AcceptChild:
    """A child workflow's end counts as the iteration ``item_index`` of its task.

    Its output (already on the child's row) is that iteration's result.
    """

    task_execution_id: str
    child_execution_id: str | None
    item_index: int
    state: str
    output: Any = None


@record
class ClearResults:
    """``keep-result: false``: drop the stored outputs of a task's actions."""

    task_execution_id: str


@record
class CancelActions:
    """Cancel the task's IDLE and RUNNING actions (the executor may stop running ones)."""

    task_execution_id: str


@record
class StartSubworkflow:
    """Start a child workflow for one iteration of a WORKFLOW task.

    The host resolves ``workflow_name`` with
    :func:`levante.engine.naming.subworkflow_candidates` (inside ``workbook``
    first, then as written; each in the root namespace, then the default one) and feeds a
    :class:`~levante.engine.events.StartWorkflow`; when the name is unknown or
    the input is refused it feeds a ``SubworkflowFinished`` in ERROR instead.
    ``idle`` children wait for a concurrency slot (``PromoteIdle``).
    """

    execution_id: str
    task_execution_id: str
    workflow_execution_id: str
    workflow_name: str
    input: dict[str, Any]
    root_execution_id: str
    item_index: int
    namespace: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    idle: bool = False
    workbook: str | None = None
    """The workbook of the parent's workflow (a short name resolves inside it first)."""
    item: dict[str, Any] | None = None
    """The with-items variables of this iteration (kept in the child's runtime_context)."""


@record
class SetTimer:
    """A durable timer: after ``delay`` seconds the host feeds ``TimerFired``.

    ``unique_key`` makes setting the same timer twice a no-op.
    """

    kind: TimerKind
    delay: float
    workflow_execution_id: str
    task_execution_id: str
    unique_key: str
    payload: dict[str, Any] = field(default_factory=dict)


@record
class CancelTimer:
    """Delete a timer that is no longer needed (a task finished before its timeout)."""

    unique_key: str


@record
class NotifyParent:
    """A sub-workflow ended: tell the parent task (the host feeds ``SubworkflowFinished``)."""

    event: Event


@record
class Propagate:
    """Deliver another engine event after this one (pause / resume / cancel up and down)."""

    event: Event


@record
class Notify:
    """Tell the execution's notify targets about ``event`` (see :mod:`levante.engine.notify`).

    The host writes one outbox row per target in the same transaction as the
    state change; a delivery loop sends them later, at least once.
    """

    event: str
    workflow_execution_id: str
    task_execution_id: str | None
    root_execution_id: str
    payload: dict[str, Any]
    targets: tuple[dict[str, Any], ...]


Command = (
    CreateWorkflow | UpdateWorkflow | CreateTask | UpdateTask | ScheduleActions | UpdateAction
    | PromoteIdle | InvalidateResults | AcceptChild | ClearResults | CancelActions
    | StartSubworkflow
    | SetTimer | CancelTimer | NotifyParent | Propagate | Notify
)
