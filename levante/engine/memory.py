"""An in-memory host: stores rows in dicts, applies commands, fires timers on a fake clock.

It is the reference the database-backed runtime is checked against: the same
events must lead to the same rows. Actions do not run here; a caller (the
rehearsal runner, a test) takes them from :attr:`MemoryHost.queue` and reports
results with :meth:`MemoryHost.handle`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine.adhoc import AdhocAction
from levante.engine.core import decide
from levante.engine.decision import Evaluator
from levante.engine.errors import EngineError
from levante.engine.naming import subworkflow_candidates
from levante.engine.reader import ExecutionQuery, ListedExecution
from levante.engine.records import (
    ActionExecution,
    ItemResult,
    TaskExecution,
    WorkflowExecution,
    evolve,
)
from levante.engine.states import FINAL_TASK_STATES, ActionState, WorkflowState, workflow_final
from levante.lang.spec import WorkflowSpec
from levante.store.types import utc_now


@dataclass
class _Timer:
    due: float
    seq: int
    event: ev.TimerFired


class MemoryHost:
    """Execution state in memory; implements :class:`~levante.engine.reader.ExecutionReader`."""

    def __init__(self, workflows: Mapping[str, WorkflowSpec],
                 evaluator: Evaluator | None = None,
                 adhoc_actions: Mapping[str, AdhocAction] | None = None) -> None:
        self.definitions = dict(workflows)
        self.adhoc_actions = dict(adhoc_actions or {})
        """Ad-hoc actions by stored name (``wb.act`` for a workbook's); one namespace."""
        self.evaluator = evaluator
        self.workflows: dict[str, WorkflowExecution] = {}
        self.created_at: dict[str, dt.datetime] = {}
        self._last_stamp: dt.datetime | None = None
        self.specs: dict[str, WorkflowSpec] = {}
        self.tasks: dict[str, TaskExecution] = {}
        self.actions: dict[str, ActionExecution] = {}
        self.children: dict[str, dict[int, str]] = {}
        self.idle_children: dict[str, list[cmd.StartSubworkflow]] = {}
        self.results: dict[str, dict[int, ItemResult]] = {}
        self.cleared: set[str] = set()
        self.queue: deque[str] = deque()
        self.events: deque[ev.Event] = deque()
        self.timers: dict[str, _Timer] = {}
        self.now = 0.0
        self.log: list[tuple[ev.Event, list[cmd.Command]]] = []
        self.notifications: list[cmd.Notify] = []
        """Notify commands in the order emitted (what webhooks would receive)."""
        self._ids = itertools.count(1)
        self._seq = itertools.count()

    def new_id(self) -> str:
        """Readable sequential ids (deterministic runs)."""
        return f"id-{next(self._ids)}"

    def _stamp(self) -> dt.datetime:
        """Wall-clock creation time, strictly increasing (creation order is time order)."""
        now = utc_now()
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + dt.timedelta(microseconds=1)
        self._last_stamp = now
        return now

    # ExecutionReader -----------------------------------------------------
    def workflow(self, execution_id: str) -> WorkflowExecution:
        """The workflow execution row."""
        return self.workflows[execution_id]

    def spec_of(self, execution_id: str) -> WorkflowSpec:
        """The spec snapshot of an execution."""
        return self.specs[execution_id]

    def adhoc_action(self, name: str, namespace: str) -> AdhocAction | None:
        """The ad-hoc action stored under ``name`` (namespaces are not kept apart here)."""
        return self.adhoc_actions.get(name)

    def task(self, task_execution_id: str) -> TaskExecution:
        """The task execution row."""
        return self.tasks[task_execution_id]

    def action(self, action_execution_id: str) -> ActionExecution:
        """The action execution row."""
        return self.actions[action_execution_id]

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        """The newest execution of task ``name``."""
        found = [t for t in self.tasks.values()
                 if t.workflow_execution_id == execution_id and t.name == name]
        return found[-1] if found else None

    def tasks_of(self, execution_id: str, states: Collection[str] | None = None,
                 processed: bool | None = None) -> list[TaskExecution]:
        """Task executions in creation order, filtered."""
        return [t for t in self.tasks.values()
                if t.workflow_execution_id == execution_id
                and (states is None or t.state in states)
                and (processed is None or t.processed == processed)]

    def end_tasks(self, execution_id: str) -> list[TaskExecution]:
        """Final tasks with no next tasks."""
        return [t for t in self.tasks_of(execution_id, FINAL_TASK_STATES)
                if not t.has_next_tasks]

    def results_of(self, task_execution_id: str) -> list[ItemResult]:
        """Accepted results by item index."""
        if task_execution_id in self.cleared:
            return [replace(r, result=None)
                    for _, r in sorted(self.results.get(task_execution_id, {}).items())]
        return [r for _, r in sorted(self.results.get(task_execution_id, {}).items())]

    def running_children(self, task_execution_id: str) -> list[str]:
        """Child workflow ids of the task not yet final."""
        return [c for c in self.children.get(task_execution_id, {}).values()
                if c in self.workflows and not workflow_final(self.workflows[c].state)]

    def children_of(self, task_execution_id: str) -> list[WorkflowExecution]:
        """Every child workflow execution of the task, in creation order."""
        return [wf for wf in self.workflows.values()
                if wf.task_execution_id == task_execution_id]

    def workflow_executions(self, query: ExecutionQuery) -> list[ListedExecution]:
        """Workflow executions matching ``query``, in creation order."""
        return [ListedExecution(wf, self.created_at[wf.id]) for wf in self.workflows.values()
                if query.matches(wf, self.created_at[wf.id])]

    # driving -------------------------------------------------------------
    def start(self, name: str, input: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> str:
        """Start workflow ``name``; returns its execution id (errors propagate)."""
        exec_id = self.new_id()
        self.handle(ev.StartWorkflow(exec_id, self.definitions[name], dict(input or {}),
                                     dict(params or {}), workflow_name=name))
        return exec_id

    def handle(self, event: ev.Event) -> list[cmd.Command]:
        """Decide one event and apply its commands."""
        if isinstance(event, ev.StartWorkflow):
            self.specs[event.execution_id] = event.spec
        commands = decide(event, self, new_id=self.new_id, evaluator=self.evaluator)
        self.log.append((event, commands))
        for command in commands:
            self._apply(command)
        return commands

    def drain(self) -> None:
        """Handle queued follow-up events until none is left."""
        while self.events:
            self.handle(self.events.popleft())

    def fire_next_timer(self) -> bool:
        """Advance the clock to the earliest timer and fire it; False if there is none."""
        if not self.timers:
            return False
        key, timer = min(self.timers.items(), key=lambda kv: (kv[1].due, kv[1].seq))
        del self.timers[key]
        self.now = max(self.now, timer.due)
        self.handle(timer.event)
        return True

    # applying commands -----------------------------------------------------
    def _apply(self, c: cmd.Command) -> None:
        match c:
            case cmd.CreateWorkflow():
                self.workflows[c.execution.id] = c.execution
                self.created_at.setdefault(c.execution.id, self._stamp())
            case cmd.UpdateWorkflow():
                self.workflows[c.execution_id] = evolve(
                    self.workflows[c.execution_id], c.changes)
            case cmd.CreateTask():
                self.tasks[c.task.id] = c.task
            case cmd.UpdateTask():
                self.tasks[c.task_execution_id] = evolve(
                    self.tasks[c.task_execution_id], c.changes)
            case cmd.ScheduleActions():
                for a in c.actions:
                    self.actions[a.id] = a
                    if a.state == ActionState.RUNNING:
                        self.queue.append(a.id)
            case cmd.UpdateAction():
                a = evolve(self.actions[c.action_execution_id], c.changes)
                self.actions[a.id] = a
                if a.accepted and a.output is not None:
                    self.results.setdefault(a.task_execution_id, {})[a.item_index] = ItemResult(
                        a.item_index, a.state, a.output.get("result"), a.id)
            case cmd.PromoteIdle():
                self._promote(c.task_execution_id, c.count)
            case cmd.InvalidateResults():
                self.cleared.discard(c.task_execution_id)
                kept = self.results.get(c.task_execution_id, {})
                if c.item_indexes is None:
                    kept = {}
                else:
                    kept = {i: r for i, r in kept.items() if i not in c.item_indexes}
                self.results[c.task_execution_id] = kept
            case cmd.AcceptChild():
                self.results.setdefault(c.task_execution_id, {})[c.item_index] = ItemResult(
                    c.item_index, c.state, c.output, c.child_execution_id or "")
            case cmd.ClearResults():
                self.cleared.add(c.task_execution_id)
            case cmd.CancelActions():
                for a in list(self.actions.values()):
                    if a.task_execution_id == c.task_execution_id and a.state in (
                            ActionState.RUNNING, ActionState.IDLE):
                        self.actions[a.id] = replace(a, state=ActionState.CANCELLED.value)
                self.idle_children.pop(c.task_execution_id, None)
            case cmd.StartSubworkflow():
                self.children.setdefault(c.task_execution_id, {})[c.item_index] = c.execution_id
                if c.idle:
                    self.idle_children.setdefault(c.task_execution_id, []).append(c)
                else:
                    self._start_child(c)
            case cmd.SetTimer():
                if c.unique_key not in self.timers:
                    self.timers[c.unique_key] = _Timer(
                        self.now + c.delay, next(self._seq),
                        ev.TimerFired(c.kind, c.task_execution_id, dict(c.payload)))
            case cmd.CancelTimer():
                self.timers.pop(c.unique_key, None)
            case cmd.NotifyParent() | cmd.Propagate():
                self.events.append(c.event)
            case cmd.Notify():
                self.notifications.append(c)
            case _:
                raise TypeError(f"unknown command {c!r}")

    def _promote(self, task_id: str, count: int) -> None:
        idle = sorted((a for a in self.actions.values()
                       if a.task_execution_id == task_id and a.state == ActionState.IDLE),
                      key=lambda a: a.item_index)
        for a in idle[:count]:
            self.actions[a.id] = replace(a, state=ActionState.RUNNING.value)
            self.queue.append(a.id)
        pending = self.idle_children.get(task_id, [])
        for child in pending[:count - len(idle[:count])]:
            pending.remove(child)
            self._start_child(child)

    def _start_child(self, c: cmd.StartSubworkflow) -> None:
        found = [n for n in subworkflow_candidates(c.workflow_name, c.workbook)
                 if n in self.definitions]
        spec = self.definitions[found[0]] if found else None
        if spec is None:
            self.events.append(ev.SubworkflowFinished(
                c.task_execution_id, c.item_index, WorkflowState.ERROR.value,
                None, f"Workflow '{c.workflow_name}' not found", None))
            return
        start = ev.StartWorkflow(c.execution_id, spec, dict(c.input), dict(c.params),
                                 task_execution_id=c.task_execution_id,
                                 root_execution_id=c.root_execution_id, index=c.item_index,
                                 namespace=c.namespace, workflow_name=found[0], item=c.item)
        try:
            self.handle(start)
        except EngineError as exc:
            self.specs.pop(c.execution_id, None)
            self.events.append(ev.SubworkflowFinished(
                c.task_execution_id, c.item_index, WorkflowState.ERROR.value,
                None, str(exc), None))

