"""``ExecutionView`` over the engine's state: what task(), tasks(), execution(), env() see."""

from __future__ import annotations

from typing import Any

from levante.engine.decision import Decision
from levante.engine.records import TaskExecution, WorkflowExecution


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
        wf = self._d.workflow(self._wf_id)
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
        """``tasks(...)``: task executions of this (or the given) execution."""
        found = self._d.tasks_of(workflow_execution_id or self._wf_id)
        if state is not None:
            found = [t for t in found if t.state == state]
        return [self._task_dict(t, self._result_of(t)) for t in found]

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> list[dict[str, Any]]:
        """``executions(...)``: only the current execution is visible to the engine core."""
        current = self.execution()
        if id is not None and id != current["id"]:
            return []
        if state is not None and state != current["state"]:
            return []
        return [current]

    def env(self) -> dict[str, Any]:
        """``env()``: the root execution's environment."""
        return root_env(self._d, self._d.workflow(self._wf_id))

    def global_var(self, name: str, default: Any = None) -> Any:
        """``global(name)``: a variable published with ``publish: global:``."""
        return self._d.workflow(self._wf_id).published_global.get(name, default)
