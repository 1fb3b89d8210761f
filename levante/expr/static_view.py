"""``StaticView``: an ``ExecutionView`` over plain data, for tests and tools.

It answers ``task()``, ``tasks()``, ``execution()``, ``executions()``,
``env()`` and ``global()`` the way Mistral does, from lists of dicts shaped
like Mistral's user models (task executions with ``id``, ``name``,
``state``, ``type``, ``workflow_execution_id``, ``result``, ``published``,
...; workflow executions with ``id``, ``state``, ``root_execution_id``,
``task_execution_id``, ``created_at``, ...).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

WORKFLOW_TASK_TYPE = "WORKFLOW"
ACTION_TASK_TYPE = "ACTION"


@dataclass
class StaticView:
    """An execution view answering from plain data.

    ``workflow_execution`` is the current workflow execution (its ``id`` scopes
    ``task(name)``); ``current_task`` the name of the task being evaluated
    for (``task()``), if any. ``task_executions`` and ``workflow_executions``
    are everything the functions may find; the current execution is added
    to ``workflow_executions`` when it is missing there.
    """

    workflow_execution: dict[str, Any] = field(default_factory=dict)
    task_executions: list[dict[str, Any]] = field(default_factory=list)
    workflow_executions: list[dict[str, Any]] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    global_vars: dict[str, Any] = field(default_factory=dict)
    current_task: str | None = None

    def __post_init__(self) -> None:
        ids = {wf.get("id") for wf in self.workflow_executions}
        current = self.workflow_execution
        if current and current.get("id") not in ids:
            self.workflow_executions = [current, *self.workflow_executions]

    # ExecutionView -----------------------------------------------------------

    def execution(self) -> dict[str, Any]:
        """The current workflow execution."""
        return self.workflow_execution

    def task(self, name: str | None = None) -> dict[str, Any] | None:
        """``task()``: the current task; ``task(name)``: its latest run in this execution."""
        if name is None or name == self.current_task:
            name = self.current_task
            if name is None:
                return None
        wf_id = self.workflow_execution.get("id")
        matches = [
            t
            for t in self.task_executions
            if t.get("name") == name and t.get("workflow_execution_id") == wf_id
        ]
        return matches[-1] if matches else None

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> list[dict[str, Any]]:
        """``tasks(...)``: task executions filtered as Mistral filters them."""
        found = [
            t
            for t in self.task_executions
            if workflow_execution_id is None
            or t.get("workflow_execution_id") == workflow_execution_id
        ]
        nested: list[dict[str, Any]] = []
        if recursive and workflow_execution_id:
            for t in found:
                if t.get("type") == WORKFLOW_TASK_TYPE:
                    for sub in self._sub_executions(t):
                        nested.extend(self.tasks(sub["id"], recursive, state, flat))
        if state or flat:
            found = [t for t in found if self._passes(t, state, flat)]
        return found + nested

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> list[dict[str, Any]]:
        """``executions(...)``: workflow executions matching every given filter."""
        result = []
        for wf in self.workflow_executions:
            if id is not None and wf.get("id") != id:
                continue
            if root_execution_id is not None and wf.get("root_execution_id") != root_execution_id:
                continue
            if state is not None and wf.get("state") != state:
                continue
            created = _as_time(wf.get("created_at"))
            if from_time is not None and (created is None or created < _as_time(from_time)):
                continue
            if to_time is not None and (created is None or created >= _as_time(to_time)):
                continue
            result.append(wf)
        return result

    def env(self) -> dict[str, Any]:
        """The root execution's environment."""
        return self.environment

    def global_var(self, name: str, default: Any = None) -> Any:
        """A global variable, or ``default``."""
        return self.global_vars.get(name, default)

    # helpers -----------------------------------------------------------------

    def _sub_executions(self, task: dict[str, Any]) -> list[dict[str, Any]]:
        return [wf for wf in self.workflow_executions if wf.get("task_execution_id") == task["id"]]

    def _passes(self, task: dict[str, Any], state: str | None, flat: bool) -> bool:
        if state and task.get("state") != state:
            return False
        if flat and task.get("type") != ACTION_TASK_TYPE:
            return all(sub.get("state") != task.get("state") for sub in self._sub_executions(task))
        return True


def _as_time(value: Any) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value))
