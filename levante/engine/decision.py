"""One decision: the rows read so far, the new versions made, the commands emitted.

A :class:`Decision` wraps the host's reader with an overlay, so that within one
event the engine sees its own changes (a task it just finished, a counter it
just moved) while the host still sees nothing but commands.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from levante.engine import commands as cmd
from levante.engine.adhoc import AdhocAction
from levante.engine.errors import EvaluationFailed
from levante.engine.reader import ExecutionQuery, ExecutionReader, ListedExecution
from levante.engine.records import (
    ActionExecution,
    ItemResult,
    TaskExecution,
    WorkflowExecution,
    evolve,
)
from levante.engine.states import FINAL_TASK_STATES
from levante.lang.spec import TaskSpec, WorkflowSpec
from levante.store import ids
from levante.store.types import utc_now

#: evaluate(value, context, view) -> value with expressions replaced.
Evaluator = Callable[[Any, dict[str, Any], Any], Any]


def default_evaluator(value: Any, context: dict[str, Any], view: Any) -> Any:
    """Evaluate with ``levante.expr`` (imported on first use)."""
    from levante.expr import evaluate

    return evaluate(value, context, view=view)


def _plain(value: Any) -> Any:
    """:func:`levante.expr.evaluate.plain` (imported on first use)."""
    global _plain, _HAS_EXPRESSIONS
    from levante.expr.evaluate import HAS_EXPRESSIONS, plain

    _plain, _HAS_EXPRESSIONS = plain, HAS_EXPRESSIONS
    return plain(value)


_HAS_EXPRESSIONS: Any = object()


def _expression_errors() -> tuple[type[BaseException], ...]:
    from levante.expr.errors import ExpressionError

    return (ExpressionError,)


class Decision:
    """The working set of one event: reads through an overlay, writes as commands."""

    def __init__(
        self,
        reader: ExecutionReader,
        *,
        new_id: Callable[[], str] | None = None,
        evaluator: Evaluator | None = None,
    ) -> None:
        self.reader = reader
        self.commands: list[cmd.Command] = []
        self._new_id = new_id or ids.new_id
        self._evaluator = evaluator or default_evaluator
        self._workflows: dict[str, WorkflowExecution] = {}
        self._created_workflows: list[str] = []
        self._tasks: dict[str, TaskExecution] = {}
        self._created: dict[tuple[str, str], list[str]] = {}
        self._created_ids: list[str] = []
        self._actions: dict[str, ActionExecution] = {}
        self._results: dict[str, dict[int, ItemResult]] = {}
        self._invalidated: dict[str, tuple[int, ...] | None] = {}
        self._specs: dict[str, WorkflowSpec] = {}
        self._task_specs: dict[tuple[str, str], TaskSpec] = {}
        self._adhoc: dict[tuple[str, str], AdhocAction | None] = {}

    # ids and expressions -------------------------------------------------
    def new_id(self) -> str:
        """A fresh row id."""
        return self._new_id()

    def evaluate(self, value: Any, context: dict[str, Any], view: Any, where: str) -> Any:
        """Evaluate ``value``; a failure becomes :class:`EvaluationFailed` naming ``where``."""
        try:
            return self._evaluator(value, context, view)
        except _expression_errors() as exc:
            raise EvaluationFailed(where, str(exc)) from exc

    def evaluate_in(self, value: Any, context: Callable[[], dict[str, Any]],
                    view: Callable[[], Any], where: str) -> Any:
        """:meth:`evaluate`, building the context and view only if ``value`` needs them.

        Most task fields are plain (an action name, a literal input): they come
        back as evaluation would give them (dicts and lists copied), without
        their context being assembled (nor the evaluator asked: it replaces
        expressions, and these have none).
        """
        found = _plain(value)
        if found is not _HAS_EXPRESSIONS:
            return found
        return self.evaluate(value, context(), view(), where)

    # reads ---------------------------------------------------------------
    def workflow(self, execution_id: str) -> WorkflowExecution:
        """The workflow execution as this decision sees it."""
        if execution_id not in self._workflows:
            self._workflows[execution_id] = self.reader.workflow(execution_id)
        return self._workflows[execution_id]

    def spec(self, execution_id: str) -> WorkflowSpec:
        """The workflow spec of an execution."""
        if execution_id not in self._specs:
            self._specs[execution_id] = self.reader.spec_of(execution_id)
        return self._specs[execution_id]

    def task_spec(self, execution_id: str, name: str) -> TaskSpec:
        """The task's spec with task-defaults applied."""
        key = (execution_id, name)
        if key not in self._task_specs:
            self._task_specs[key] = self.spec(execution_id).task(name)
        return self._task_specs[key]

    def adhoc_action(self, name: str, namespace: str) -> AdhocAction | None:
        """The ad-hoc action stored under ``name`` (read once per decision), or None."""
        key = (name, namespace)
        if key not in self._adhoc:
            self._adhoc[key] = self.reader.adhoc_action(name, namespace)
        return self._adhoc[key]

    def task(self, task_id: str) -> TaskExecution:
        """The task execution as this decision sees it."""
        if task_id not in self._tasks:
            self._tasks[task_id] = self.reader.task(task_id)
        return self._tasks[task_id]

    def action(self, action_id: str) -> ActionExecution:
        """The action execution as this decision sees it."""
        if action_id not in self._actions:
            self._actions[action_id] = self.reader.action(action_id)
        return self._actions[action_id]

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        """The newest execution of task ``name`` (created in this decision first)."""
        created = self._created.get((execution_id, name))
        if created:
            return self._tasks[created[-1]]
        found = self.reader.latest_task(execution_id, name)
        if found is None:
            return None
        return self._tasks.get(found.id, found)

    def tasks_of(
        self,
        execution_id: str,
        states: Collection[str] | None = None,
        processed: bool | None = None,
    ) -> list[TaskExecution]:
        """Task executions of a workflow in creation order, with this decision's changes."""
        stored = self.reader.tasks_of(execution_id)
        seen = {t.id for t in stored}
        merged = [self._tasks.get(t.id, t) for t in stored]
        merged += [
            self._tasks[i] for i in self._created_ids
            if i not in seen and self._tasks[i].workflow_execution_id == execution_id
        ]
        return [
            t for t in merged
            if (states is None or t.state in states)
            and (processed is None or t.processed == processed)
        ]

    def end_tasks(self, execution_id: str) -> list[TaskExecution]:
        """Final tasks that chose no next task (for the workflow's final context)."""
        found = [self._tasks.get(t.id, t) for t in self.reader.end_tasks(execution_id)]
        ids = {t.id for t in found}
        for task in self._tasks.values():
            if task.workflow_execution_id == execution_id and task.id not in ids:
                found.append(task)
        return [t for t in found if t.state in FINAL_TASK_STATES and not t.has_next_tasks]

    def results_of(self, task_id: str) -> list[ItemResult]:
        """Accepted results of a task by item index, this decision's included."""
        invalid = self._invalidated.get(task_id, ())
        if invalid is None:
            by_index: dict[int, ItemResult] = {}
        else:
            by_index = {
                r.item_index: r for r in self.reader.results_of(task_id)
                if r.item_index not in invalid
            }
        by_index.update(self._results.get(task_id, {}))
        return [by_index[i] for i in sorted(by_index)]

    def children_of(self, task_id: str) -> list[WorkflowExecution]:
        """Every child workflow execution of a task, this decision's included."""
        stored = [self._workflows.get(wf.id, wf) for wf in self.reader.children_of(task_id)]
        seen = {wf.id for wf in stored}
        return stored + [
            self._workflows[i] for i in self._created_workflows
            if i not in seen and self._workflows[i].task_execution_id == task_id
        ]

    def workflow_executions(self, query: ExecutionQuery) -> list[ListedExecution]:
        """Workflow executions matching ``query`` as this decision sees them.

        Rows this decision changed are filtered by their new values; rows it
        created count as created now.
        """
        found = []
        for listed in self.reader.workflow_executions(query):
            wf = self._workflows.get(listed.execution.id, listed.execution)
            if query.matches(wf, listed.created_at):
                found.append(ListedExecution(wf, listed.created_at))
        seen = {listed.execution.id for listed in found}
        now = utc_now()
        for i in self._created_workflows:
            if i not in seen and query.matches(self._workflows[i], now):
                found.append(ListedExecution(self._workflows[i], now))
        return found

    # writes --------------------------------------------------------------
    def emit(self, command: cmd.Command) -> None:
        """Add a command for the host."""
        self.commands.append(command)

    def create_workflow(self, wf: WorkflowExecution) -> WorkflowExecution:
        """Insert a workflow execution."""
        self._workflows[wf.id] = wf
        self._created_workflows.append(wf.id)
        self.emit(cmd.CreateWorkflow(wf))
        return wf

    def update_workflow(self, execution_id: str, **changes: Any) -> WorkflowExecution:
        """Change columns of a workflow execution."""
        wf = evolve(self.workflow(execution_id), changes)
        self._workflows[execution_id] = wf
        self.emit(cmd.UpdateWorkflow(execution_id, changes, wf))
        return wf

    def create_task(self, task: TaskExecution) -> TaskExecution:
        """Insert a task execution (and count it as active in its workflow)."""
        self._tasks[task.id] = task
        self._created.setdefault((task.workflow_execution_id, task.name), []).append(task.id)
        self._created_ids.append(task.id)
        self.emit(cmd.CreateTask(task))
        wf = self.workflow(task.workflow_execution_id)
        self.update_workflow(wf.id, active_tasks=wf.active_tasks + 1)
        return task

    def update_task(self, task_id: str, **changes: Any) -> TaskExecution:
        """Change columns of a task execution."""
        task = evolve(self.task(task_id), changes)
        self._tasks[task_id] = task
        self.emit(cmd.UpdateTask(task_id, changes, task))
        return task

    def schedule_actions(self, task_id: str, actions: list[ActionExecution]) -> None:
        """Insert a batch of action executions for a task."""
        for action in actions:
            self._actions[action.id] = action
        self.emit(cmd.ScheduleActions(task_id, tuple(actions)))

    def update_action(self, action_id: str, **changes: Any) -> ActionExecution:
        """Change columns of an action execution."""
        action = evolve(self.action(action_id), changes)
        self._actions[action_id] = action
        self.emit(cmd.UpdateAction(action_id, changes, action))
        return action

    def accept_result(self, task_id: str, result: ItemResult) -> None:
        """Record an iteration's accepted result as visible to this decision."""
        self._results.setdefault(task_id, {})[result.item_index] = result

    def invalidate_results(self, task_id: str, item_indexes: tuple[int, ...] | None) -> None:
        """Forget a task's results (all, or some iterations) before running it again."""
        self._results.pop(task_id, None)
        self._invalidated[task_id] = item_indexes
        self.emit(cmd.InvalidateResults(task_id, item_indexes))
