"""``ExecutionView`` over the engine's state: what task(), tasks(), execution(), env() see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from levante.engine.decision import Decision
from levante.engine.reader import ExecutionQuery
from levante.engine.records import TaskExecution, WorkflowExecution
from levante.store.types import UTC, format_timestamp, parse_timestamp

WORKFLOW_TASK = "WORKFLOW"


def _as_time(name: str, value: Any) -> dt.datetime | None:
    """A time filter argument as aware UTC (a timestamp string or a datetime)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    try:
        return parse_timestamp(str(value))
    except ValueError as exc:
        raise ValueError(f"executions() {name}: {exc}") from exc


def task_result(decision: Decision, task: TaskExecution, with_items: bool) -> Any:
    """A task's result: a list in item order for with-items, else the one result."""
    results = [r.result for r in decision.results_of(task.id)]
    if with_items:
        return results
    if len(results) == 1:
        return results[0]
    return results or None


def root_env(decision: Decision, wf: WorkflowExecution) -> dict[str, Any]:
    """The environment of the root execution (sub-workflows read their root's env)."""
    root = decision.workflow(wf.root_execution_id) if wf.root_execution_id else wf
    return dict(root.params.get("env") or {})


class EngineView:
    """The execution an expression is evaluated in, backed by the decision's reads."""

    def __init__(
        self,
        decision: Decision,
        execution_id: str,
        current_task: TaskExecution | None = None,
        current_result: Any = None,
        has_current_result: bool = False,
    ) -> None:
        self._d = decision
        self._wf_id = execution_id
        self._current = current_task
        self._current_result = current_result
        self._has_current_result = has_current_result

    def _task_dict(self, task: TaskExecution, result: Any) -> dict[str, Any]:
        return {
            "id": task.id,
            "name": task.name,
            "state": task.state,
            "state_info": task.state_info,
            "result": result,
            "published": dict(task.published),
            "type": task.type,
            "workflow_execution_id": task.workflow_execution_id,
        }

    def _result_of(self, task: TaskExecution) -> Any:
        spec = self._d.task_spec(task.workflow_execution_id, task.name)
        return task_result(self._d, task, spec.with_items is not None)

    def execution(self) -> dict[str, Any]:
        """``execution()``: id, name, input, params, state, ..."""
        return self._execution_dict(self._d.workflow(self._wf_id))

    def _execution_dict(self, wf: WorkflowExecution) -> dict[str, Any]:
        return {
            "id": wf.id,
            "name": wf.name,
            "workflow_name": wf.workflow_name,
            "input": dict(wf.input),
            "params": dict(wf.params),
            "state": wf.state,
            "state_info": wf.state_info,
            "description": wf.description,
            "root_execution_id": wf.root_execution_id,
            "task_execution_id": wf.task_execution_id,
        }

    def task(self, name: str | None = None) -> dict[str, Any] | None:
        """``task(name)``; ``task()`` is the task being evaluated."""
        if name is None or (self._current is not None and name == self._current.name):
            if self._current is None:
                return None
            current = self._d.task(self._current.id) if self._current.id else self._current
            result = (
                self._current_result if self._has_current_result else self._result_of(current)
            )
            return self._task_dict(current, result)
        found = self._d.latest_task(self._wf_id, name)
        if found is None:
            return None
        return self._task_dict(found, self._result_of(found))

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> list[dict[str, Any]]:
        """``tasks(...)``: task executions of this (or the given) execution.

        ``recursive`` adds, after a workflow's own tasks, the tasks of the
        sub-workflow executions its WORKFLOW tasks started (and so on down).
        ``flat`` keeps action tasks, and WORKFLOW tasks only when no execution
        they started is in the task's own state (one that failed by itself,
        say, in its publish, while its sub-workflow succeeded).
        """
        found = self._collect(workflow_execution_id or self._wf_id, recursive, state, flat)
        return [self._task_dict(t, self._result_of(t)) for t in found]

    def _collect(
        self, wf_id: str, recursive: bool, state: str | None, flat: bool
    ) -> list[TaskExecution]:
        own = self._d.tasks_of(wf_id)
        kept = [
            t for t in own
            if (state is None or t.state == state) and (not flat or self._flat_keeps(t))
        ]
        if recursive:
            for t in own:
                if t.type == WORKFLOW_TASK:
                    for child in self._d.children_of(t.id):
                        kept += self._collect(child.id, recursive, state, flat)
        return kept

    def _flat_keeps(self, task: TaskExecution) -> bool:
        if task.type != WORKFLOW_TASK:
            return True
        return all(child.state != task.state for child in self._d.children_of(task.id))

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: Any = None,
        to_time: Any = None,
    ) -> list[dict[str, Any]]:
        """``executions(...)``: workflow executions matching every given filter.

        ``from_time`` (inclusive) and ``to_time`` (exclusive) bound
        ``created_at``; they are timestamps such as ``"2026-11-28 17:11:17"``
        (UTC unless they say otherwise).
        """
        query = ExecutionQuery(
            id=id,
            root_execution_id=root_execution_id,
            state=state,
            created_from=_as_time("from_time", from_time),
            created_before=_as_time("to_time", to_time),
        )
        return [
            {**self._execution_dict(listed.execution),
             "created_at": format_timestamp(listed.created_at)}
            for listed in self._d.workflow_executions(query)
        ]

    def env(self) -> dict[str, Any]:
        """``env()``: the root execution's environment."""
        return root_env(self._d, self._d.workflow(self._wf_id))

    def global_var(self, name: str, default: Any = None) -> Any:
        """``global(name)``: a variable published with ``publish: global:``."""
        return self._d.workflow(self._wf_id).published_global.get(name, default)
