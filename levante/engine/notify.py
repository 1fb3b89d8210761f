"""Notifications: Mistral's ``notify`` execution parameter, decided purely.

An execution started with ``params: {notify: [{type: webhook, url: ...,
headers: {...}, event_types: [WORKFLOW_FAILED, ...]}]}`` asks to be told when
it or one of its tasks changes state. Sub-workflows inherit the notify list of
their root execution (Mistral copies it into each child's params).

:func:`notifications_for` looks at the commands of one decision, follows the
state of every workflow and task they touch, and adds a :class:`~levante.engine.commands.Notify`
right after each state change some target asked for. The host writes those to
the ``notifications`` outbox in the same transaction; delivery happens later,
at least once (``levante.node.notify``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from levante.engine import commands as cmd
from levante.engine.reader import ExecutionReader
from levante.engine.records import TaskExecution, WorkflowExecution, evolve


class WorkflowEvent(StrEnum):
    """What happened to a workflow execution (the ``event`` a webhook receives)."""

    LAUNCHED = "WORKFLOW_LAUNCHED"
    SUCCEEDED = "WORKFLOW_SUCCEEDED"
    FAILED = "WORKFLOW_FAILED"
    CANCELLED = "WORKFLOW_CANCELLED"
    PAUSED = "WORKFLOW_PAUSED"
    RESUMED = "WORKFLOW_RESUMED"
    RERUN = "WORKFLOW_RERUN"


class TaskEvent(StrEnum):
    """What happened to a task execution (the ``event`` a webhook receives)."""

    LAUNCHED = "TASK_LAUNCHED"
    SUCCEEDED = "TASK_SUCCEEDED"
    FAILED = "TASK_FAILED"
    CANCELLED = "TASK_CANCELLED"
    PAUSED = "TASK_PAUSED"
    RESUMED = "TASK_RESUMED"
    RERUN = "TASK_RERUN"
    SKIPPED = "TASK_SKIPPED"


#: Every event name a ``notify`` entry may list in ``event_types``.
EVENT_TYPES = frozenset(e.value for e in (*WorkflowEvent, *TaskEvent))

# new state -> {previous state -> event}; "*" is any other previous state.
_WORKFLOW_EVENTS: dict[str, dict[str, WorkflowEvent]] = {
    "RUNNING": {"*": WorkflowEvent.LAUNCHED, "PAUSED": WorkflowEvent.RESUMED,
                # a rerun brings a failed execution back to RUNNING
                "ERROR": WorkflowEvent.RERUN},
    "SUCCESS": {"*": WorkflowEvent.SUCCEEDED},
    "ERROR": {"*": WorkflowEvent.FAILED},
    "CANCELLED": {"*": WorkflowEvent.CANCELLED},
    "PAUSED": {"*": WorkflowEvent.PAUSED},
}
_TASK_EVENTS: dict[str, dict[str, TaskEvent]] = {
    "RUNNING": {"*": TaskEvent.LAUNCHED, "IDLE": TaskEvent.RESUMED,
                "PAUSED": TaskEvent.RESUMED, "WAITING": TaskEvent.RESUMED,
                "ERROR": TaskEvent.RERUN},
    "SUCCESS": {"*": TaskEvent.SUCCEEDED},
    "ERROR": {"*": TaskEvent.FAILED},
    "CANCELLED": {"*": TaskEvent.CANCELLED},
    "PAUSED": {"*": TaskEvent.PAUSED},
    "SKIPPED": {"*": TaskEvent.SKIPPED},
}


def workflow_event(previous: str | None, new: str) -> WorkflowEvent | None:
    """The event of a workflow going from ``previous`` (None: just created) to ``new``."""
    return _pick(_WORKFLOW_EVENTS, previous, new)


def task_event(previous: str | None, new: str) -> TaskEvent | None:
    """The event of a task going from ``previous`` (None: just created) to ``new``."""
    return _pick(_TASK_EVENTS, previous, new)


def _pick(table: dict[str, dict[str, Any]], previous: str | None, new: str) -> Any:
    if previous == new or new not in table:
        return None
    arrows = table[new]
    return arrows.get(previous or "*", arrows["*"])


def targets_for(notify: Any, event: str) -> tuple[dict[str, Any], ...]:
    """The entries of a ``notify`` list that want ``event`` (no ``event_types``: all events).

    Entries that are not mappings are ignored, as Mistral does.
    """
    if not isinstance(notify, list):
        return ()
    chosen = []
    for entry in notify:
        if not isinstance(entry, dict):
            continue
        wanted = entry.get("event_types") or []
        if not wanted or event in wanted:
            chosen.append(dict(entry))
    return tuple(chosen)


def workflow_payload(wf: WorkflowExecution) -> dict[str, Any]:
    """What a webhook receives about a workflow execution (the host adds times and project)."""
    return {
        "id": wf.id, "name": wf.name, "workflow_name": wf.workflow_name,
        "workflow_namespace": wf.workflow_namespace, "workflow_id": wf.workflow_id,
        "state": wf.state, "state_info": wf.state_info,
        "task_execution_id": wf.task_execution_id, "root_execution_id": wf.root_execution_id,
    }


def task_payload(task: TaskExecution, wf: WorkflowExecution) -> dict[str, Any]:
    """What a webhook receives about a task execution (the host adds times and project)."""
    return {
        "id": task.id, "name": task.name, "workflow_execution_id": task.workflow_execution_id,
        "workflow_name": task.workflow_name or wf.workflow_name,
        "workflow_namespace": wf.workflow_namespace,
        "workflow_id": task.workflow_id or wf.workflow_id,
        "state": task.state, "state_info": task.state_info, "type": task.type,
    }


class _Tracker:
    """Follows the versions of the workflows and tasks one decision's commands touch."""

    def __init__(self, reader: ExecutionReader) -> None:
        self.reader = reader
        self.workflows: dict[str, WorkflowExecution] = {}
        self.tasks: dict[str, TaskExecution] = {}
        self.fresh: set[str] = set()
        """Tasks created in this decision and not yet moved (IDLE -> RUNNING is their launch)."""

    def workflow(self, wid: str) -> WorkflowExecution:
        if wid not in self.workflows:
            self.workflows[wid] = self.reader.workflow(wid)
        return self.workflows[wid]

    def task(self, tid: str) -> TaskExecution:
        if tid not in self.tasks:
            self.tasks[tid] = self.reader.task(tid)
        return self.tasks[tid]

    def notify_list(self, wf: WorkflowExecution) -> Any:
        """The execution's own ``notify``, else its root's (how sub-workflows inherit it)."""
        own = wf.params.get("notify")
        if own or not wf.root_execution_id:
            return own
        return self.workflow(wf.root_execution_id).params.get("notify")


def notifications_for(commands: Sequence[cmd.Command],
                      reader: ExecutionReader) -> list[cmd.Command]:
    """``commands`` with a ``Notify`` after each state change a notify target asked for.

    ``reader`` shows the state before the commands. Nothing is read unless a
    command changes a state (and the execution or its root has notify params).
    """
    if not any(_changes_state(c) for c in commands) or not _asked_for(commands, reader):
        return list(commands)
    seen = _Tracker(reader)
    out: list[cmd.Command] = []
    for c in commands:
        out.append(c)
        found = _notice(c, seen)
        if found is not None:
            out.append(found)
    return out


def _asked_for(commands: Sequence[cmd.Command], reader: ExecutionReader) -> bool:
    """Whether an execution the commands touch (or its root) has ``notify`` params.

    Most executions have none; this pass costs a lookup per command, where
    following every version of every record costs a copy per command.
    """
    created: dict[str, WorkflowExecution] = {}
    owners: dict[str, str] = {}
    answers: dict[str, bool] = {}

    def wants(execution_id: str) -> bool:
        if execution_id not in answers:
            wf = created.get(execution_id) or reader.workflow(execution_id)
            root = wf.root_execution_id
            answers[execution_id] = bool(wf.params.get("notify")) or bool(
                root and (created.get(root) or reader.workflow(root)).params.get("notify"))
        return answers[execution_id]

    for c in commands:
        match c:
            case cmd.CreateWorkflow():
                created[c.execution.id] = c.execution
                found = wants(c.execution.id)
            case cmd.UpdateWorkflow():
                found = bool((c.changes.get("params") or {}).get("notify")) or wants(
                    c.execution_id)
            case cmd.CreateTask():
                owners[c.task.id] = c.task.workflow_execution_id
                found = wants(c.task.workflow_execution_id)
            case cmd.UpdateTask():
                owner = owners.get(c.task_execution_id)
                if owner is None:
                    owner = reader.task(c.task_execution_id).workflow_execution_id
                found = wants(owner)
            case _:
                found = False
        if found:
            return True
    return False


def _changes_state(c: cmd.Command) -> bool:
    return isinstance(c, cmd.CreateWorkflow | cmd.CreateTask) or (
        isinstance(c, cmd.UpdateWorkflow | cmd.UpdateTask) and "state" in c.changes)


def _notice(c: cmd.Command, seen: _Tracker) -> cmd.Notify | None:
    match c:
        case cmd.CreateWorkflow():
            seen.workflows[c.execution.id] = c.execution
            return _about_workflow(seen, None, c.execution)
        case cmd.UpdateWorkflow():
            before = seen.workflow(c.execution_id)
            after = evolve(before, c.changes)
            seen.workflows[c.execution_id] = after
            return _about_workflow(seen, before.state, after) if "state" in c.changes else None
        case cmd.CreateTask():
            seen.tasks[c.task.id] = c.task
            seen.fresh.add(c.task.id)
            return _about_task(seen, None, c.task)
        case cmd.UpdateTask():
            before = seen.task(c.task_execution_id)
            after = evolve(before, c.changes)
            seen.tasks[c.task_execution_id] = after
            if "state" not in c.changes:
                return None
            previous = None if c.task_execution_id in seen.fresh else before.state
            seen.fresh.discard(c.task_execution_id)
            return _about_task(seen, previous, after)
    return None


def _about_workflow(seen: _Tracker, previous: str | None,
                    wf: WorkflowExecution) -> cmd.Notify | None:
    return _make(seen, wf, workflow_event(previous, wf.state),
                 lambda: workflow_payload(wf), wf.id, None)


def _about_task(seen: _Tracker, previous: str | None, task: TaskExecution) -> cmd.Notify | None:
    wf = seen.workflow(task.workflow_execution_id)
    return _make(seen, wf, task_event(previous, task.state),
                 lambda: task_payload(task, wf), wf.id, task.id)


def _make(seen: _Tracker, wf: WorkflowExecution, event: StrEnum | None,
          payload: Callable[[], dict[str, Any]], wf_id: str,
          task_id: str | None) -> cmd.Notify | None:
    if event is None:
        return None
    targets = targets_for(seen.notify_list(wf), event.value)
    if not targets:
        return None
    return cmd.Notify(event=event.value, workflow_execution_id=wf_id,
                      task_execution_id=task_id,
                      root_execution_id=wf.root_execution_id or wf.id,
                      payload={**payload(), "event": event.value}, targets=targets)
