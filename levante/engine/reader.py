"""What the engine needs to read, implemented by the host over its storage.

Every method touches a bounded, indexed set of rows. In particular finishing
one with-items iteration reads only that action and its task; the task's
results are read once, with :meth:`ExecutionReader.results_of`, when the task
finishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from levante.engine.adhoc import AdhocAction
from levante.engine.records import ActionExecution, ItemResult, TaskExecution, WorkflowExecution
from levante.lang.spec import WorkflowSpec


@dataclass(frozen=True, slots=True)
class ExecutionQuery:
    """Filters of ``executions()``: every one given must match (times compare ``created_at``)."""

    id: str | None = None
    root_execution_id: str | None = None
    state: str | None = None
    created_from: dt.datetime | None = None
    """Inclusive lower bound of ``created_at`` (aware UTC)."""
    created_before: dt.datetime | None = None
    """Exclusive upper bound of ``created_at`` (aware UTC)."""

    def matches(self, wf: WorkflowExecution, created_at: dt.datetime) -> bool:
        """Whether a workflow execution created at ``created_at`` passes every filter."""
        return (
            (self.id is None or wf.id == self.id)
            and (self.root_execution_id is None
                 or wf.root_execution_id == self.root_execution_id)
            and (self.state is None or wf.state == self.state)
            and (self.created_from is None or created_at >= self.created_from)
            and (self.created_before is None or created_at < self.created_before)
        )


@dataclass(frozen=True, slots=True)
class ListedExecution:
    """A workflow execution found by :meth:`ExecutionReader.workflow_executions`."""

    execution: WorkflowExecution
    created_at: dt.datetime
    """When the row was inserted (aware UTC)."""


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

    def children_of(self, task_execution_id: str) -> list[WorkflowExecution]:
        """Every child workflow execution of a task, whatever its state, in creation order."""
        ...

    def workflow_executions(self, query: ExecutionQuery) -> list[ListedExecution]:
        """Workflow executions matching ``query``, in creation order."""
        ...

    def adhoc_action(self, name: str, namespace: str) -> AdhocAction | None:
        """The ad-hoc action stored under exactly ``name`` (namespace, then default), or None."""
        ...
