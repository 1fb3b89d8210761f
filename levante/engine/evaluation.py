"""Evaluating the fields of a task: its context, policies, input, with-items."""

from __future__ import annotations

from typing import Any

from levante.engine.context import expression_context
from levante.engine.decision import Decision
from levante.engine.errors import EvaluationFailed
from levante.engine.records import TaskExecution
from levante.engine.view import EngineView, root_env
from levante.lang.spec import TaskSpec, WithItems


def task_context(
    d: Decision, task: TaskExecution, extra: dict[str, Any] | None = None,
    branch: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What ``$`` sees inside a task: input, vars, globals, its branch, ``extra`` on top."""
    wf = d.workflow(task.workflow_execution_id)
    return expression_context(
        wf, root_env(d, wf), task.in_context if branch is None else branch, task, extra
    )


def task_view(d: Decision, task: TaskExecution, result: Any = None,
              has_result: bool = False) -> EngineView:
    """The ``ExecutionView`` for expressions of ``task`` (``task()`` is this task)."""
    return EngineView(d, task.workflow_execution_id, task, result, has_result)


def evaluate_for_task(
    d: Decision, task: TaskExecution, value: Any, where: str,
    extra: dict[str, Any] | None = None,
) -> Any:
    """Evaluate one field of ``task`` in the task's context."""
    return d.evaluate_in(value, lambda: task_context(d, task, extra),
                         lambda: task_view(d, task), where)


def policy_number(d: Decision, task: TaskExecution, value: Any, name: str) -> float:
    """A numeric policy (delay, count, timeout...): 0 when unset; negative is an error."""
    if value is None:
        return 0
    if isinstance(value, str):
        value = evaluate_for_task(d, task, value, f"policy '{name}'")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvaluationFailed(f"policy '{name}'", f"must be a number, got {value!r}")
    if value < 0:
        raise EvaluationFailed(f"policy '{name}'", f"must not be negative, got {value!r}")
    return value


def policy_flag(d: Decision, task: TaskExecution, value: Any, name: str,
                result: Any = None, has_result: bool = False) -> bool:
    """A boolean policy (pause-before, fail-on), possibly an expression."""
    if value is None:
        return False
    if isinstance(value, str):
        value = d.evaluate_in(value, lambda: task_context(d, task),
                              lambda: task_view(d, task, result, has_result), f"policy '{name}'")
    return bool(value)


def with_items_values(d: Decision, task: TaskExecution, spec: WithItems) -> list[dict[str, Any]]:
    """The item variables of each iteration: several arrays are zipped, not crossed."""
    arrays: list[list[Any]] = []
    for var, source in zip(spec.variables, spec.sources, strict=True):
        value = evaluate_for_task(d, task, source, f"with-items '{var}'")
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise EvaluationFailed(
                f"with-items '{var}'", f"must be a list, got {type(value).__name__}: {value!r}"
            )
        arrays.append(value)
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise EvaluationFailed(
            "with-items",
            "all arrays must have the same length, got "
            + ", ".join(f"{v}={len(a)}" for v, a in zip(spec.variables, arrays, strict=True)),
        )
    count = lengths.pop() if lengths else 0
    return [
        {var: arr[i] for var, arr in zip(spec.variables, arrays, strict=True)}
        for i in range(count)
    ]


def action_input(
    d: Decision, task: TaskExecution, spec: TaskSpec, item: dict[str, Any] | None,
    action_name: str | None,
) -> dict[str, Any]:
    """The input of one iteration (item variables see first), with env ``__actions`` defaults."""
    raw = spec.input
    value = evaluate_for_task(d, task, raw, "input", item) if raw else {}
    if not isinstance(value, dict):
        raise EvaluationFailed(
            "input", f"must evaluate to a map, got {type(value).__name__}: {value!r}"
        )
    if action_name:
        wf = d.workflow(task.workflow_execution_id)
        defaults = root_env(d, wf).get("__actions", {}).get(action_name, {})
        for key, default in defaults.items():
            value.setdefault(key, default)
    return value
