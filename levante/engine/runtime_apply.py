"""One engine transaction: decide events and apply their commands to the database.

A :class:`Unit` lives for one transaction. It feeds events to
:func:`~levante.engine.decide`, applies the commands in order (rows through
:class:`~levante.engine.runtime_rows.SessionReader`, queue entries in the same
transaction: the outbox), starts sub-workflows inline and delivers follow-up
events (``NotifyParent``, ``Propagate``) before the transaction ends.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from enum import Flag, auto
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine.core import decide
from levante.engine.decision import Evaluator
from levante.engine.errors import EngineError
from levante.engine.notify_outbox import write_notifications
from levante.engine.records import iteration_context
from levante.engine.runtime_rows import (
    ACTION,
    PENDING_START,
    QUEUE,
    WF,
    SessionReader,
    action_row,
)
from levante.engine.runtime_specs import Resolved, SpecCache, resolve
from levante.store import queue
from levante.store.actions import promote_idle_actions
from levante.store.models import DEFAULT_PROJECT, Timer
from levante.store.rows import chunked
from levante.store.sql import insert_ignoring_duplicates

Observer = Callable[[ev.Event, list[cmd.Command]], None]
#: Commands whose rows the reader holds back until the next flush (nothing they
#: write is referred to by a statement of another command before it).
_ROW_CHANGES = (cmd.UpdateAction, cmd.UpdateTask, cmd.UpdateWorkflow, cmd.CreateTask,
                cmd.CreateWorkflow, cmd.ScheduleActions)
_TIMERS = Timer.__table__


class NewWork(Flag):
    """What a committed transaction left for the node's loops to pick up (whom to wake)."""

    NONE = 0
    ACTIONS = auto()
    """Queue entries to claim: the executors."""
    TIMERS = auto()
    """A timer was set: the timer loop."""
    NOTIFICATIONS = auto()
    """Notifications to send: the delivery loops."""


class Unit:
    """The events and commands of one transaction."""

    def __init__(self, session: Session, now: dt.datetime, specs: SpecCache, *,
                 evaluator: Evaluator | None = None, observer: Observer | None = None,
                 stamp: Callable[[], dt.datetime] | None = None) -> None:
        self.session = session
        self.stamp = stamp or (lambda: now)
        """Creation times, strictly increasing (tasks are listed in creation order)."""
        self.now = now
        self.specs = specs
        self.lock = session.get_bind().dialect.name == "postgresql"
        self.reader = SessionReader(session, lambda i: specs.spec_of(session, i), now,
                                    lock=self.lock, known_texts=specs.stored_texts)
        self.evaluator = evaluator
        self.observer = observer
        self.events: deque[ev.Event] = deque()
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.woke = NewWork.NONE
        """What this transaction enqueued, set or wrote for other loops (whom to wake)."""
        self._resolved: dict[tuple[str, str, str | None], Resolved] = {}
        self.absent: set[str] = set()
        """Workflow execution ids known not to exist when this transaction began."""

    def resolve(self, name: str, namespace: str = "", workbook: str | None = None) -> Resolved:
        """Workflow definition ``name`` (see :func:`resolve`), looked up once per transaction.

        A burst of starts of one workflow (cron triggers due together, a
        with-items task over a sub-workflow) reads its definition once.
        """
        key = (name, namespace, workbook)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = resolve(self.session, self.specs, name, namespace,
                                                  workbook=workbook)
        return found

    def forget_resolved(self) -> None:
        """Drop looked-up definitions (after this transaction changed definitions)."""
        self._resolved.clear()

    # events ------------------------------------------------------------------
    def handle(self, event: ev.Event) -> list[cmd.Command]:
        """Decide one event and apply its commands (errors of ``decide`` propagate)."""
        commands = decide(event, self.reader, evaluator=self.evaluator)
        if self.observer is not None:
            self.observer(event, commands)
        for command in commands:
            self.apply(command)
        return commands

    def deliver(self) -> None:
        """Deliver follow-up events until none is left."""
        while self.events:
            self.handle(self.events.popleft())

    def drain(self) -> None:
        """Deliver follow-up events, then write the held changes (end of the transaction)."""
        self.deliver()
        self.reader.flush()

    # commands ----------------------------------------------------------------
    def apply(self, c: cmd.Command) -> None:
        """Apply one command in this transaction."""
        r = self.reader
        if not isinstance(c, _ROW_CHANGES):
            r.flush_inserts()  # what follows may refer to a task created just before
        match c:
            case cmd.UpdateAction():
                r.change("action", c.action_execution_id, c.changes, c.after)
            case cmd.UpdateTask():
                r.change("task", c.task_execution_id, c.changes, c.after)
                if c.changes.get("state") in ("CANCELLED", "ERROR"):
                    self._cancel_pending_children(c.task_execution_id)
            case cmd.UpdateWorkflow():
                r.change("workflow", c.execution_id, c.changes, c.after)
            case cmd.CreateWorkflow():
                r.created_workflow(c.execution, self.snapshots.get(c.execution.id),
                                   self.stamp())
            case cmd.CreateTask():
                r.created_task(c.task, self.stamp())
            case cmd.ScheduleActions():
                self._schedule(c)
            case cmd.PromoteIdle():
                self._promote(c.task_execution_id, c.count)
            case cmd.InvalidateResults():
                self._invalidate(c.task_execution_id, c.item_indexes)
            case cmd.AcceptChild():
                self._accept_child(c)
            case cmd.ClearResults():
                r.flush()
                self.session.execute(update(ACTION).where(
                    ACTION.c.task_execution_id == c.task_execution_id,
                    ACTION.c.accepted.is_(True)).values(output=None))
                r.forget_actions(c.task_execution_id)
            case cmd.CancelActions():
                self._cancel_actions(c.task_execution_id)
            case cmd.StartSubworkflow():
                if c.idle:
                    self._park_child(c)
                else:
                    self.start_child(c)
            case cmd.SetTimer():
                insert_ignoring_duplicates(self.session, _TIMERS, [{
                    "kind": c.kind.value, "due_at": self.now + dt.timedelta(seconds=c.delay),
                    "workflow_execution_id": c.workflow_execution_id,
                    "task_execution_id": c.task_execution_id, "action_execution_id": None,
                    "payload": dict(c.payload), "claimed_by": None, "lease_until": None,
                    "unique_key": c.unique_key, "created_at": self.now,
                }], ["unique_key"])
                self.woke |= NewWork.TIMERS
            case cmd.CancelTimer():
                self.session.execute(delete(_TIMERS).where(_TIMERS.c.unique_key == c.unique_key))
            case cmd.NotifyParent() | cmd.Propagate():
                self.events.append(c.event)
            case cmd.Notify():
                write_notifications(self.session, c, self.now)
                self.woke |= NewWork.NOTIFICATIONS  # sent now, not at the next poll
            case _:
                raise TypeError(f"unknown command {c!r}")

    def _schedule(self, c: cmd.ScheduleActions) -> None:
        if not c.actions:
            return
        wf = self.reader.workflow(c.actions[0].workflow_execution_id)
        rows = [action_row(a, wf, self.now, DEFAULT_PROJECT) for a in c.actions]
        running: dict[str | None, list[str]] = {}
        for a in c.actions:
            if a.state == "RUNNING":
                running.setdefault(a.target, []).append(a.id)
        self.reader.created_actions(rows, list(c.actions), running)
        if running:
            self.woke |= NewWork.ACTIONS

    def _promote(self, task_id: str, count: int) -> None:
        r = self.reader
        r.flush()
        task = r.task(task_id)
        promoted = promote_idle_actions(self.session, task_id, task.attempt, count)
        by_target: dict[str | None, list[str]] = {}
        for p in promoted:
            r.actions.pop(p.action_execution_id, None)
            by_target.setdefault(p.target, []).append(p.action_execution_id)
        for target, ids in by_target.items():
            queue.enqueue(self.session, ids, target=target, available_at=self.now)
            self.woke |= NewWork.ACTIONS
        remaining = count - len(promoted)
        if remaining <= 0 or task.type != "WORKFLOW":
            return
        stmt = (select(WF.c.id, WF.c.runtime_context).where(_parked(task_id))
                .order_by(WF.c.created_at, WF.c.id).limit(remaining))
        for wid, rc in list(self.session.execute(stmt)):
            self.session.execute(delete(WF).where(WF.c.id == wid))
            r.workflows.pop(wid, None)
            self.start_child(cmd.StartSubworkflow(**rc[PENDING_START]))

    def _cancel_pending_children(self, task_id: str) -> None:
        if self.reader.task(task_id).type != "WORKFLOW":
            return
        # Never started, and now never will: Mistral would have no row for them.
        self.session.execute(delete(WF).where(_parked(task_id)))

    def _park_child(self, c: cmd.StartSubworkflow) -> None:
        """Hold a sub-workflow start until a concurrency slot frees (see execution-model.md).

        The row is a placeholder, not an execution: state IDLE, no spec, a
        state_info saying so; it is deleted when the child starts (its real
        row takes the same id) or when the task ends first.
        """
        args = {k: getattr(c, k) for k in c.__dataclass_fields__}
        self.session.execute(WF.insert(), [{
            "id": c.execution_id, "name": c.workflow_name, "workflow_name": c.workflow_name,
            "workflow_namespace": c.namespace, "state": "IDLE", "state_info": PARKED_INFO,
            "task_execution_id": c.task_execution_id, "root_execution_id": c.root_execution_id,
            "runtime_context": {**iteration_context(c.item_index, c.item), PENDING_START: args},
            "input": dict(c.input), "created_at": self.stamp(), "accepted": False,
        }])

    def start_child(self, c: cmd.StartSubworkflow) -> None:
        """Resolve and start a sub-workflow; an unknown name or a refused start fails it."""
        try:
            found = self.resolve(c.workflow_name, c.namespace, c.workbook)
            self.specs.remember(c.execution_id, found.snapshot)
            self.snapshots[c.execution_id] = found.snapshot
            self.handle(ev.StartWorkflow(
                c.execution_id, found.spec, dict(c.input), dict(c.params),
                task_execution_id=c.task_execution_id, root_execution_id=c.root_execution_id,
                index=c.item_index, namespace=c.namespace,
                workflow_name=found.definition_name, workflow_id=found.definition_id,
                item=c.item))
        except EngineError as exc:
            self.events.append(ev.SubworkflowFinished(
                c.task_execution_id, c.item_index, "ERROR", None, str(exc), None))

    def _invalidate(self, task_id: str, indexes: tuple[int, ...] | None) -> None:
        r = self.reader
        r.flush()
        task = r.task(task_id)
        if task.type == "WORKFLOW":
            stmt = select(WF.c.id, WF.c.runtime_context).where(
                WF.c.task_execution_id == task_id, WF.c.accepted.is_(True))
            ids = [wid for wid, rc in self.session.execute(stmt)
                   if indexes is None or int((rc or {}).get("index", 0)) in indexes]
            for chunk in chunked(ids):
                self.session.execute(update(WF).where(WF.c.id.in_(chunk)).values(accepted=False))
            return
        stmt = update(ACTION).where(ACTION.c.task_execution_id == task_id,
                                    ACTION.c.accepted.is_(True))
        if indexes is not None:
            stmt = stmt.where(ACTION.c.item_index.in_(list(indexes)))
        self.session.execute(stmt.values(accepted=False))
        r.forget_actions(task_id)

    def _accept_child(self, c: cmd.AcceptChild) -> None:
        self.reader.flush()
        self.session.execute(update(WF).where(WF.c.id == c.child_execution_id)
                             .values(accepted=True))

    def _cancel_actions(self, task_id: str) -> None:
        r = self.reader
        r.flush()
        ids = list(self.session.scalars(select(ACTION.c.id).where(
            ACTION.c.task_execution_id == task_id, ACTION.c.state.in_(["RUNNING", "IDLE"]))))
        for chunk in chunked(ids):
            self.session.execute(update(ACTION).where(ACTION.c.id.in_(chunk))
                                 .values(state="CANCELLED", updated_at=self.now))
            self.session.execute(delete(QUEUE).where(QUEUE.c.action_execution_id.in_(chunk)))
        r.forget_actions(task_id)
        self._cancel_pending_children(task_id)


#: state_info of a placeholder row (a sub-workflow waiting for a concurrency slot).
PARKED_INFO = ("Not started: waiting for a concurrency slot of its with-items task "
               "(a Levante placeholder, replaced by the execution when it starts)")


def _parked(task_id: str) -> Any:
    """Placeholder rows of a task's sub-workflows that wait for a slot (created in item order)."""
    return (WF.c.task_execution_id == task_id) & (WF.c.state == "IDLE") & WF.c.spec.is_(None)
