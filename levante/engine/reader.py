"""What the engine needs to read, implemented by the host over its storage.

Every method touches a bounded, indexed set of rows. In particular finishing
one with-items iteration reads only that action and its task; the task's
results are read once, with :meth:`ExecutionReader.results_of`, when the task
finishes.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from levante.engine.records import ActionExecution, ItemResult, TaskExecution, WorkflowExecution
from levante.lang.spec import WorkflowSpec


class ExecutionReader(Protocol):
    """Read access to persisted execution state, one row or one index lookup at a time."""

    def workflow(self, execution_id: str) -> WorkflowExecution:
        """The workflow execution row (KeyError if unknown)."""
        ...

    def spec_of(self, execution_id: str) -> WorkflowSpec:
        """The spec snapshot the execution runs (kept since it started)."""
        ...

    def task(self, task_execution_id: str) -> TaskExecution:
        """The task execution row (KeyError if unknown)."""
        ...

    def action(self, action_execution_id: str) -> ActionExecution:
        """The action execution row (KeyError if unknown)."""
        ...

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        """The most recently created execution of task ``name``, or None."""
        ...

    def tasks_of(
        self,
        execution_id: str,
        states: Collection[str] | None = None,
        processed: bool | None = None,
    ) -> list[TaskExecution]:
        """Task executions of a workflow in creation order, optionally filtered."""
        ...

    def end_tasks(self, execution_id: str) -> list[TaskExecution]:
        """Final tasks whose transitions chose no next task, in creation order."""
        ...

    def results_of(self, task_execution_id: str) -> list[ItemResult]:
        """Accepted iteration results of a task, by item index (actions or child workflows)."""
        ...

    def running_children(self, task_execution_id: str) -> list[str]:
        """Ids of the task's child workflow executions not yet in a final state."""
        ...
