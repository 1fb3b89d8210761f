"""Events: the one thing that happened, handed to :func:`levante.engine.decide`.

Each event is applied in one transaction. Events carry ids and values, never
rows: the engine reads the rows it needs through the host's reader.
"""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum
from typing import Any

from levante.engine.records import record
from levante.lang.spec import WorkflowSpec


@record
class StartWorkflow:
    """Start a new execution of ``spec`` with the given id.

    ``params`` are Mistral's: ``env`` (a map; the host resolves an env given by
    name before this event), ``evaluate_env``, ``task_name`` (reverse
    workflows), ``notify``, ``namespace``. For a sub-workflow,
    ``task_execution_id`` / ``root_execution_id`` / ``index`` say where it runs.
    ``workflow_name`` and ``workflow_id`` name the stored definition it was
    started from (``wb.flow`` for a workbook's workflow; default: the spec's name).
    """

    execution_id: str
    spec: WorkflowSpec
    input: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    task_execution_id: str | None = None
    root_execution_id: str | None = None
    index: int = 0
    namespace: str = ""
    workflow_name: str = ""
    workflow_id: str | None = None
    item: dict[str, Any] | None = None
    """A with-items iteration's variables (``{"host": ...}``), kept in runtime_context."""


@record
class ActionFinished:
    """An action execution ended (executor result, or an async action completed by API)."""

    action_execution_id: str
    state: str
    """SUCCESS, ERROR or CANCELLED."""
    result: Any = None


@record
class SubworkflowFinished:
    """A child workflow of a WORKFLOW task ended (or could not start: no child id)."""

    task_execution_id: str
    item_index: int
    state: str
    output: Any = None
    state_info: str | None = None
    child_execution_id: str | None = None


class TimerKind(StrEnum):
    """What a durable timer is for; the same words are the ``timers.kind`` column."""

    WAIT_BEFORE = "wait_before"
    """wait-before elapsed: start the task's actions."""
    WAIT_AFTER = "wait_after"
    """wait-after elapsed: finish the task in the state it ended with."""
    RETRY = "retry"
    """Retry delay elapsed: run the next attempt."""
    TIMEOUT = "timeout"
    """The task took too long: fail it unless it has finished."""


@record
class TimerFired:
    """A timer set by :class:`~levante.engine.commands.SetTimer` became due."""

    kind: TimerKind
    task_execution_id: str
    payload: dict[str, Any] = field(default_factory=dict)


@record
class PauseWorkflow:
    """Pause (API, a ``pause`` engine command, a paused child or parent).

    ``requested``: an operation someone asked for, refused (as Mistral does) when
    the execution has finished; a pause propagated to a child or parent is not.
    """

    execution_id: str
    msg: str | None = None
    requested: bool = True


@record
class ResumeWorkflow:
    """Resume a paused workflow; ``env`` updates the environment for tasks started later."""

    execution_id: str
    env: dict[str, Any] | None = None


@record
class CancelWorkflow:
    """Cancel a workflow, its running tasks and its sub-workflows."""

    execution_id: str
    msg: str | None = None


@record
class FailWorkflow:
    """Force a workflow to ERROR (API); a paused or finished one is left as it is (Mistral)."""

    execution_id: str
    msg: str | None = None


@record
class SucceedWorkflow:
    """Force a running workflow to SUCCESS, evaluating its output (API, as Mistral allows)."""

    execution_id: str
    msg: str | None = None


@record
class RerunTask:
    """Rerun a failed task. ``reset=False`` reruns only the failed with-items iterations."""

    task_execution_id: str
    reset: bool = True
    env: dict[str, Any] | None = None


@record
class SkipTask:
    """Skip a failed task (Mistral's task update to SKIPPED): it ends SKIPPED and moves on.

    It publishes ``publish-on-skip`` (and the publish of ``on-skip`` and
    ``on-complete``) and follows ``on-skip``, or ``on-success`` when no
    ``on-skip`` transition is chosen; the workflow (and its parents) run again.
    ``env`` updates the environment for tasks started afterwards.
    """

    task_execution_id: str
    env: dict[str, Any] | None = None


@record
class ChildRerun:
    """A sub-workflow of this task was rerun: the task and its workflow run again."""

    task_execution_id: str
    item_index: int


Event = (
    StartWorkflow | ActionFinished | SubworkflowFinished | TimerFired | PauseWorkflow
    | ResumeWorkflow | CancelWorkflow | FailWorkflow | SucceedWorkflow | RerunTask | SkipTask
    | ChildRerun
)
