"""Engine records <-> database rows, and the reader the runtime gives ``decide``.

:class:`SessionReader` implements :class:`~levante.engine.reader.ExecutionReader`
over one transaction's Session. Rows read by id are kept (as records) for the
rest of the transaction, and the runtime applies every command to them, so a
batch of results for one task reads that task once. Column updates are held
in a write-behind buffer (merged per row) and written with one ``executemany``
per shape when the transaction ends or before any query that could see them;
a change that puts a column back to the value read is not written at all.
Rows the transaction creates (workflow executions, tasks, action executions
and their queue entries) are inserted late, with the changes made to them
since (so starting a task is one INSERT, not an INSERT and an UPDATE), and
all of one table together (a burst of cron starts is one INSERT per table):
:meth:`SessionReader.flush_inserts` writes them, parents first, before any
statement that may refer to them.
On PostgreSQL a workflow or task row read by id is locked (``FOR UPDATE``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields
from operator import attrgetter
from typing import Any

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from levante.engine.adhoc import AdhocAction
from levante.engine.reader import ExecutionQuery, ListedExecution
from levante.engine.records import (
    ActionExecution,
    ItemResult,
    TaskExecution,
    WorkflowExecution,
)
from levante.engine.states import FINAL_TASK_STATES, FINAL_WORKFLOW_STATES
from levante.lang.spec import WorkflowSpec
from levante.store import models
from levante.store import queue as work_queue
from levante.store.bulk import insert_rows, update_rows
from levante.store.definitions import find_definition
from levante.store.models import ActionDefinition
from levante.store.rows import chunked
from levante.store.snapshots import store_definitions

WF: Table = models.WorkflowExecution.__table__  # type: ignore[assignment]
TASK: Table = models.TaskExecution.__table__  # type: ignore[assignment]
ACTION: Table = models.ActionExecution.__table__  # type: ignore[assignment]
QUEUE: Table = models.WorkItem.__table__  # type: ignore[assignment]

#: runtime_context key of a sub-workflow waiting for a concurrency slot (its start arguments).
PENDING_START = "pending_start"

_WF_FIELDS = [f.name for f in fields(WorkflowExecution)]
_TASK_FIELDS = [f.name for f in fields(TaskExecution)]
_ACTION_FIELDS = [f.name for f in fields(ActionExecution) if f.name != "timeout"]
_WF_VALUES = attrgetter(*_WF_FIELDS)
_TASK_VALUES = attrgetter(*_TASK_FIELDS)
_WF_COLS = [WF.c[n] for n in _WF_FIELDS]
_TASK_COLS = [TASK.c[n] for n in _TASK_FIELDS]
_ACTION_COLS = [ACTION.c[n] for n in _ACTION_FIELDS]
_JSON_DICTS = {"input", "params", "context", "published_global", "runtime_context",
               "in_context", "published"}

_MISSING = object()

# Statements of the hot path, built once (building one costs more than running it on SQLite).
_IDS = bindparam("ids", expanding=True)
_LOAD_WF = select(*_WF_COLS).where(WF.c.id.in_(_IDS)).order_by(WF.c.id)
_LOAD_TASK = select(*_TASK_COLS).where(TASK.c.id.in_(_IDS)).order_by(TASK.c.id)
_LOAD_WF_LOCKED = _LOAD_WF.with_for_update()
_LOAD_TASK_LOCKED = _LOAD_TASK.with_for_update()
_LOAD_ACTION = select(*_ACTION_COLS).where(ACTION.c.id.in_(_IDS))
_DEQUEUE = delete(QUEUE).where(QUEUE.c.action_execution_id.in_(_IDS))


#: Rows of executions that started (they keep the spec they run); see ``SessionReader.children_of``.
_STARTED = WF.c.spec.is_not(None)


def _clean(name: str, value: Any) -> Any:
    if value is None:
        if name in _JSON_DICTS or name == "output":
            return {}
        if name in ("tags", "next_tasks", "join_arrivals"):
            return ()
        if name in ("workflow_namespace", "description", "workflow_name"):
            return ""
    return value


def workflow_record(row: Any) -> WorkflowExecution:
    """A ``workflow_executions`` row (selected with the record's columns) as a record."""
    values = {n: _clean(n, v) for n, v in zip(_WF_FIELDS, row, strict=True)}
    values["tags"] = tuple(values["tags"])
    return WorkflowExecution(**values)


def task_record(row: Any) -> TaskExecution:
    """A ``task_executions`` row as a record."""
    values = {n: _clean(n, v) for n, v in zip(_TASK_FIELDS, row, strict=True)}
    values["tags"] = tuple(values["tags"])
    values["next_tasks"] = tuple(tuple(p) for p in values["next_tasks"])
    values["join_arrivals"] = tuple(values["join_arrivals"])
    return TaskExecution(**values)


def action_record(row: Any) -> ActionExecution:
    """An ``action_executions`` row as a record (``timeout`` lives in runtime_context)."""
    values = dict(zip(_ACTION_FIELDS, row, strict=True))
    for name in ("input", "runtime_context"):
        values[name] = values[name] or {}
    values["timeout"] = values["runtime_context"].get("timeout")
    values["is_sync"] = True if values["is_sync"] is None else values["is_sync"]
    return ActionExecution(**values)


def column_values(changes: dict[str, Any], now: dt.datetime, kind: str) -> dict[str, Any]:
    """Record field changes as column values (tuples as lists, finish times set)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "timeout":
            continue
        if key == "next_tasks":
            value = [list(p) for p in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    state = changes.get("state")
    if state is not None and kind != "action":
        final = FINAL_WORKFLOW_STATES if kind == "workflow" else FINAL_TASK_STATES
        out["finished_at"] = now if state in final else None
        if kind == "task" and state == "RUNNING":
            out["started_at"] = now
    return out


def _named(spec: dict[str, Any] | None, texts: dict[str, str]) -> dict[str, Any] | None:
    """A snapshot as the ``spec`` column holds it: its text moved to ``texts`` (by checksum)."""
    if spec is None or "definition" not in spec:
        return spec
    texts[spec["checksum"]] = spec["definition"]
    return {k: v for k, v in spec.items() if k != "definition"}


def workflow_row(wf: WorkflowExecution, spec: dict[str, Any] | None,
                 now: dt.datetime) -> dict[str, Any]:
    """Column values to insert a workflow execution (as :func:`column_values` has them)."""
    values = dict(zip(_WF_FIELDS, _WF_VALUES(wf), strict=True))
    values.update(tags=list(wf.tags), spec=spec, created_at=now, accepted=False,
                  finished_at=now if wf.state in FINAL_WORKFLOW_STATES else None)
    return values


def task_row(task: TaskExecution, now: dt.datetime) -> dict[str, Any]:
    """Column values to insert a task execution (as :func:`column_values` has them)."""
    values = dict(zip(_TASK_FIELDS, _TASK_VALUES(task), strict=True))
    values.update(tags=list(task.tags), next_tasks=[list(p) for p in task.next_tasks],
                  join_arrivals=list(task.join_arrivals), created_at=now,
                  finished_at=now if task.state in FINAL_TASK_STATES else None,
                  started_at=now if task.state == "RUNNING" else None)
    return values


def action_row(a: ActionExecution, wf: WorkflowExecution | None, now: dt.datetime,
               project_id: str) -> dict[str, Any]:
    """Column values to insert an action execution (the same keys for every row)."""
    runtime = dict(a.runtime_context)
    if a.timeout:
        runtime["timeout"] = a.timeout
    return {
        "id": a.id, "name": a.name, "task_execution_id": a.task_execution_id,
        "workflow_execution_id": a.workflow_execution_id, "state": a.state,
        "state_info": a.state_info, "item_index": a.item_index, "attempt": a.attempt,
        "input": a.input, "output": a.output, "accepted": a.accepted,
        "safe_rerun": a.safe_rerun, "target": a.target, "is_sync": a.is_sync,
        "runtime_context": runtime, "workflow_name": wf.workflow_name if wf else None,
        "workflow_namespace": wf.workflow_namespace if wf else "", "description": "",
        "tags": None, "scope": "private", "project_id": project_id,
        "created_at": now, "updated_at": None, "last_heartbeat": None,
    }


class SessionReader:
    """Execution state as one transaction sees it, with its own writes included."""

    def __init__(self, session: Session, spec_of: Callable[[str], WorkflowSpec],
                 now: dt.datetime, *, lock: bool, known_texts: set[str] | None = None) -> None:
        self.session = session
        self._spec_of = spec_of
        self.now = now
        self.lock = lock
        self.workflows: dict[str, WorkflowExecution] = {}
        self.tasks: dict[str, TaskExecution] = {}
        self.actions: dict[str, ActionExecution] = {}
        self._latest: dict[str, dict[str, str]] = {}
        self._adhoc: dict[tuple[str, str], AdhocAction | None] = {}
        self.stored_texts: set[str] = set()
        """Checksums of the definition texts this transaction stored (known once it commits)."""
        self.known_texts: set[str] = set() if known_texts is None else known_texts
        """Checksums of definition texts a committed transaction stored (never deleted):
        shared between transactions, so a text is looked for once or twice, not per start."""
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}
        self._dequeue: list[str] = []
        self._stored: dict[tuple[str, str], Any] = {}
        """Records as the database holds them (read, or last written), to skip no-op updates."""
        self._new_tasks: dict[str, dt.datetime] = {}
        """Tasks created by this transaction and not inserted yet, with their creation time."""
        self._new_workflows: dict[str, tuple[dict[str, Any] | None, dt.datetime]] = {}
        """Workflow executions created and not inserted yet (spec snapshot, creation time)."""
        self._touched: set[str] = set()
        """Those of ``_new_workflows`` changed since they were created."""
        self._new_actions: dict[str, dict[str, Any]] = {}
        """Action execution rows created and not inserted yet."""
        self._new_queue: dict[str | None, list[str]] = {}
        """Queue entries (action ids by target) to add with them."""

    # loading ---------------------------------------------------------------
    def load_workflows(self, ids: Iterable[str]) -> None:
        """Read (and on PostgreSQL lock, in id order) workflow rows not yet loaded."""
        wanted = sorted(set(ids) - self.workflows.keys())
        for chunk in chunked(wanted):
            stmt = _LOAD_WF_LOCKED if self.lock else _LOAD_WF
            for row in self.session.execute(stmt, {"ids": list(chunk)}):
                self.workflows[row[0]] = self._stored[("workflow", row[0])] = workflow_record(row)

    def load_tasks(self, ids: Iterable[str]) -> None:
        """Read (and on PostgreSQL lock, in id order) task rows not yet loaded."""
        wanted = sorted(set(ids) - self.tasks.keys())
        for chunk in chunked(wanted):
            stmt = _LOAD_TASK_LOCKED if self.lock else _LOAD_TASK
            for row in self.session.execute(stmt, {"ids": list(chunk)}):
                self.tasks[row[0]] = self._stored[("task", row[0])] = task_record(row)

    def load_actions(self, ids: Iterable[str]) -> None:
        """Read action rows not yet loaded (their task rows must be locked already)."""
        wanted = sorted(set(ids) - self.actions.keys())
        for chunk in chunked(wanted):
            for row in self.session.execute(_LOAD_ACTION, {"ids": list(chunk)}):
                self.actions[row[0]] = self._stored[("action", row[0])] = action_record(row)

    # ExecutionReader -------------------------------------------------------
    def workflow(self, execution_id: str) -> WorkflowExecution:
        """The workflow execution row (KeyError if unknown)."""
        if execution_id not in self.workflows:
            self.load_workflows([execution_id])
        return self.workflows[execution_id]

    def spec_of(self, execution_id: str) -> WorkflowSpec:
        """The spec snapshot the execution runs."""
        return self._spec_of(execution_id)

    def adhoc_action(self, name: str, namespace: str) -> AdhocAction | None:
        """The ad-hoc action definition named ``name`` (its namespace, then the default).

        Looked up once per transaction: a burst of starts of one workflow asks
        for the same names (``nova.servers_list`` is not ad-hoc) a thousand times.
        """
        key = (name, namespace)
        if key in self._adhoc:
            return self._adhoc[key]
        row = find_definition(self.session, ActionDefinition, name, namespace)
        found = None
        if row is not None and row.name == name:
            found = AdhocAction.from_spec(row.name, row.spec or {}, row.workbook_name)
        self._adhoc[key] = found
        return found

    def task(self, task_execution_id: str) -> TaskExecution:
        """The task execution row (KeyError if unknown)."""
        if task_execution_id not in self.tasks:
            self.load_tasks([task_execution_id])
        return self.tasks[task_execution_id]

    def action(self, action_execution_id: str) -> ActionExecution:
        """The action execution row (KeyError if unknown)."""
        if action_execution_id not in self.actions:
            self.load_actions([action_execution_id])
        return self.actions[action_execution_id]

    def _tasks_where(self, *conditions: Any) -> list[TaskExecution]:
        self.flush()
        stmt = select(*_TASK_COLS).where(*conditions).order_by(TASK.c.created_at, TASK.c.id)
        found = []
        for row in self.session.execute(stmt):
            found.append(self.tasks.get(row[0]) or task_record(row))
        return found

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        """The most recently created execution of task ``name``, or None.

        The first call for a workflow loads its task rows once (the workflow row
        is locked, so they cannot change under this transaction but through it);
        joins ask this for every inbound task on every arrival.
        """
        latest = self._latest.get(execution_id)
        if latest is None:
            latest = {}
            for task in self._tasks_where(TASK.c.workflow_execution_id == execution_id):
                if task.id not in self.tasks:
                    self.tasks[task.id] = self._stored[("task", task.id)] = task
                latest[task.name] = task.id
            self._latest[execution_id] = latest
        found = latest.get(name)
        return self.tasks[found] if found is not None else None

    def created_task(self, task: TaskExecution, created_at: dt.datetime) -> None:
        """Note a task created by this transaction (inserted at the next flush)."""
        self.tasks[task.id] = task
        self._new_tasks[task.id] = created_at
        latest = self._latest.get(task.workflow_execution_id)
        if latest is not None:
            latest[task.name] = task.id

    def created_workflow(self, wf: WorkflowExecution, spec: dict[str, Any] | None,
                         created_at: dt.datetime) -> None:
        """Note a workflow execution created by this transaction (inserted at the next flush)."""
        self.workflows[wf.id] = wf
        self._new_workflows[wf.id] = (spec, created_at)

    def created_actions(self, rows: list[dict[str, Any]], records: list[ActionExecution],
                        queued: dict[str | None, list[str]]) -> None:
        """Note action executions created by this transaction and the queue entries of
        those to run (``queued``: ids by target); inserted at the next flush."""
        for row, record in zip(rows, records, strict=True):
            self._new_actions[row["id"]] = row
            self.actions[record.id] = record
        for target, ids in queued.items():
            self._new_queue.setdefault(target, []).extend(ids)

    def tasks_of(self, execution_id: str, states: Collection[str] | None = None,
                 processed: bool | None = None) -> list[TaskExecution]:
        """Task executions of a workflow in creation order, optionally filtered."""
        conditions = [TASK.c.workflow_execution_id == execution_id]
        if states is not None:
            conditions.append(TASK.c.state.in_([str(s) for s in states]))
        if processed is not None:
            conditions.append(TASK.c.processed == processed)
        return self._tasks_where(*conditions)

    def end_tasks(self, execution_id: str) -> list[TaskExecution]:
        """Final tasks whose transitions chose no next task, in creation order."""
        return [t for t in self.tasks_of(execution_id, FINAL_TASK_STATES)
                if not t.has_next_tasks]

    def results_of(self, task_execution_id: str) -> list[ItemResult]:
        """Accepted iteration results of a task, by item index."""
        self.flush()
        try:
            task = self.task(task_execution_id)
        except KeyError:
            return []  # created by the decision under way: no results yet
        if task.type == "WORKFLOW":
            stmt = select(WF.c.id, WF.c.state, WF.c.output, WF.c.runtime_context).where(
                WF.c.task_execution_id == task_execution_id, WF.c.accepted.is_(True))
            found = [ItemResult(int((rc or {}).get("index", 0)), state, output, wid)
                     for wid, state, output, rc in self.session.execute(stmt)]
            return sorted(found, key=lambda r: r.item_index)
        stmt = (select(ACTION.c.item_index, ACTION.c.state, ACTION.c.output, ACTION.c.id)
                .where(ACTION.c.task_execution_id == task_execution_id,
                       ACTION.c.accepted.is_(True))
                .order_by(ACTION.c.item_index))
        return [ItemResult(i, state, (output or {}).get("result"), aid)
                for i, state, output, aid in self.session.execute(stmt)]

    def running_children(self, task_execution_id: str) -> list[str]:
        """Ids of the task's child workflow executions not yet in a final state (started ones)."""
        self.flush()
        stmt = select(WF.c.id, WF.c.state).where(
            WF.c.task_execution_id == task_execution_id,
            WF.c.state.not_in(list(FINAL_WORKFLOW_STATES)), WF.c.state != "IDLE",
        ).order_by(WF.c.created_at, WF.c.id)
        return [wid for wid, _ in self.session.execute(stmt)]

    def children_of(self, task_execution_id: str) -> list[WorkflowExecution]:
        """Every child workflow execution of the task (any state), in creation order.

        Like :meth:`workflow_executions`, it sees executions that started: not
        the stand-in rows of sub-workflows that could not start, nor children
        still waiting for a concurrency slot (the in-memory host has neither).
        """
        self.flush()
        stmt = select(*_WF_COLS).where(
            WF.c.task_execution_id == task_execution_id, _STARTED).order_by(
            WF.c.created_at, WF.c.id)
        return [self.workflows.get(row[0]) or workflow_record(row)
                for row in self.session.execute(stmt)]

    def workflow_executions(self, query: ExecutionQuery) -> list[ListedExecution]:
        """Workflow executions matching ``query`` (one SELECT), in creation order."""
        self.flush()
        conditions: list[Any] = [_STARTED]
        if query.id is not None:
            conditions.append(WF.c.id == query.id)
        if query.root_execution_id is not None:
            conditions.append(WF.c.root_execution_id == query.root_execution_id)
        if query.state is not None:
            conditions.append(WF.c.state == query.state)
        if query.created_from is not None:
            conditions.append(WF.c.created_at >= query.created_from)
        if query.created_before is not None:
            conditions.append(WF.c.created_at < query.created_before)
        stmt = select(*_WF_COLS, WF.c.created_at).where(*conditions).order_by(
            WF.c.created_at, WF.c.id)
        found = []
        for row in self.session.execute(stmt):
            record = self.workflows.get(row[0]) or workflow_record(row[:-1])
            found.append(ListedExecution(record, row[-1]))
        return found

    # writing -----------------------------------------------------------------
    def change(self, kind: str, row_id: str, changes: dict[str, Any], after: Any) -> None:
        """Hold column changes of a row for the next flush; ``after`` is the record with
        them applied (the engine's ``Update*`` commands carry it), kept as loaded."""
        if kind == "workflow":
            self.workflows[row_id] = after
            if row_id in self._new_workflows:
                self._touched.add(row_id)
                return  # not inserted yet: the insert carries it (and its updated_at)
        elif kind == "task":
            self.tasks[row_id] = after
            if row_id in self._new_tasks:
                return  # not inserted yet: the insert carries it
        else:
            if row_id in self._new_actions:
                self.flush_inserts()  # rare: an action changed in the transaction creating it
            before = self.action(row_id)
            self.actions[row_id] = after
            if before.state == "RUNNING" and after.state != "RUNNING":
                self._dequeue.append(row_id)
        self._pending.setdefault((kind, row_id), {}).update(changes)

    def forget_actions(self, task_execution_id: str) -> None:
        """Drop loaded actions of a task after a set-based SQL update of them."""
        for aid in [a for a, r in self.actions.items() if r.task_execution_id == task_execution_id]:
            del self.actions[aid]
            self._stored.pop(("action", aid), None)

    def flush_inserts(self) -> None:
        """Insert the rows created since the last flush (before anything refers to them).

        Parents first: workflow executions (in creation order, so a root
        precedes its children), tasks, action executions, queue entries. Each
        table is one ``executemany``, however many executions were started.
        """
        if self._new_workflows:
            texts: dict[str, str] = {}
            rows = [workflow_row(self.workflows[i], _named(spec, texts), at)
                    for i, (spec, at) in self._new_workflows.items()]
            fresh = {c: t for c, t in texts.items()
                     if c not in self.known_texts and c not in self.stored_texts}
            if fresh:
                added = store_definitions(self.session, fresh)
                self.stored_texts.update(added)  # by this transaction: known once it commits
                self.known_texts.update(set(fresh) - added)  # stored by a committed one
            for row in rows:
                # As if inserted then updated: a started execution shows when it changed.
                row["updated_at"] = self.now if row["id"] in self._touched else None
            for i in self._new_workflows:
                self._stored[("workflow", i)] = self.workflows[i]
            self._new_workflows = {}
            self._touched.clear()
            insert_rows(self.session, WF, rows)
        if self._new_tasks:
            rows = [task_row(self.tasks[i], at) for i, at in self._new_tasks.items()]
            for i in self._new_tasks:
                self._stored[("task", i)] = self.tasks[i]
            self._new_tasks = {}
            insert_rows(self.session, TASK, rows)
        if self._new_actions:
            rows = list(self._new_actions.values())
            self._new_actions = {}
            for chunk in chunked(rows, 1000):
                insert_rows(self.session, ACTION, chunk)
        if self._new_queue:
            entries, self._new_queue = self._new_queue, {}
            for target, ids in entries.items():
                for chunk in chunked(ids, 1000):
                    work_queue.enqueue(self.session, list(chunk), target=target,
                                       available_at=self.now)

    def _unchanged(self, kind: str, row_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """``changes`` without the columns that still hold the value stored."""
        stored = self._stored.get((kind, row_id))
        if stored is None:
            return changes
        return {k: v for k, v in changes.items()
                if k == "timeout" or getattr(stored, k, _MISSING) != v}

    def flush(self) -> None:
        """Write the held column changes (one executemany per table and set of columns)."""
        self.flush_inserts()
        if self._dequeue:
            for chunk in chunked(self._dequeue):
                self.session.execute(_DEQUEUE, {"ids": list(chunk)})
            self._dequeue = []
        if not self._pending:
            return
        groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        current = {"workflow": self.workflows, "task": self.tasks, "action": self.actions}
        for (kind, row_id), held in self._pending.items():
            changes = self._unchanged(kind, row_id, held)
            if row_id in current[kind]:
                self._stored[(kind, row_id)] = current[kind][row_id]
            if not changes:
                continue
            values = column_values(changes, self.now, kind)
            values["updated_at"] = self.now
            key = (kind, tuple(sorted(values)))
            groups.setdefault(key, []).append({"id": row_id, **dict(sorted(values.items()))})
        self._pending = {}
        tables = {"workflow": WF, "task": TASK, "action": ACTION}
        for (kind, _), rows in groups.items():
            update_rows(self.session, tables[kind], rows)
