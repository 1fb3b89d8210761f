"""Cron trigger rows as one firing transaction reads and writes them (SQL Core, in batches).

A batch of due triggers is read once into :class:`DueTrigger` values; firing
changes them in memory and records history rows, and :func:`write_batch`
writes everything with one statement per table and shape (``executemany``),
so a burst of a thousand triggers costs a handful of statements per batch,
not several per trigger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Table, delete, false, select
from sqlalchemy.orm import Session

from levante.engine.states import FINAL_WORKFLOW_STATES
from levante.scheduler.policies import FiredBy, OverlapPolicy, RunOutcome
from levante.scheduler.schedule import as_utc
from levante.store.bulk import insert_rows, update_rows
from levante.store.models import CronTrigger, WorkflowExecution, new_id
from levante.store.models.triggers import CronTriggerRun

TRIGGERS: Table = CronTrigger.__table__  # type: ignore[assignment]
RUNS: Table = CronTriggerRun.__table__  # type: ignore[assignment]

#: Columns a firing step may change (written back when they changed).
_CHANGING = ("next_execution_time", "due_at", "last_execution_id", "remaining_executions")


@dataclass
class DueTrigger:
    """A trigger read by a firing transaction; its changing columns are updated in place."""

    id: str
    name: str
    project_id: str
    pattern: str | None
    time_zone: str | None
    next_execution_time: dt.datetime
    due_at: dt.datetime
    remaining_executions: int | None
    workflow_name: str
    workflow_id: str | None
    workflow_input: dict[str, Any] | None
    workflow_params: dict[str, Any] | None
    overlap_policy: str
    missed_run_policy: str
    missed_run_limit: int | None
    jitter_seconds: int
    last_execution_id: str | None
    done: bool = False
    """The trigger has no fire time left (or its count ran out): it is deleted."""
    _read: dict[str, Any] = field(default_factory=dict, repr=False)

    def changes(self) -> dict[str, Any]:
        """The changing columns whose value differs from the one read."""
        return {name: getattr(self, name) for name in _CHANGING
                if getattr(self, name) != self._read.get(name)}


_COLUMNS = [f.name for f in fields(DueTrigger) if f.name not in ("done", "_read")]
_SELECT = select(*(TRIGGERS.c[name] for name in _COLUMNS))


def _trigger(row: Any) -> DueTrigger:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["next_execution_time"] = as_utc(values["next_execution_time"])
    values["due_at"] = as_utc(values["due_at"])
    values["jitter_seconds"] = values["jitter_seconds"] or 0
    trigger = DueTrigger(**values)
    trigger._read = {name: values[name] for name in _CHANGING}
    return trigger


def load_due(session: Session, now: dt.datetime, limit: int, *,
             lock: bool) -> list[DueTrigger]:
    """Up to ``limit`` unpaused triggers due at ``now``, earliest first.

    With ``lock`` (PostgreSQL) they are locked and rows another node holds
    are skipped, so concurrent nodes take disjoint batches.
    """
    query = (_SELECT.where(TRIGGERS.c.due_at <= now, TRIGGERS.c.paused == false())
             .order_by(TRIGGERS.c.due_at, TRIGGERS.c.id).limit(limit))
    if lock:
        query = query.with_for_update(skip_locked=True)
    return [_trigger(row) for row in session.execute(query)]


def load_one(session: Session, identifier: str, *, lock: bool) -> DueTrigger | None:
    """The trigger with this id or name (the id wins), or ``None``."""
    query = (_SELECT.where((TRIGGERS.c.id == identifier) | (TRIGGERS.c.name == identifier))
             .order_by(TRIGGERS.c.id == identifier).limit(1))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    return None if row is None else _trigger(row)


def running_states(session: Session, triggers: Sequence[DueTrigger]) -> dict[str, str]:
    """States of the unfinished last executions of the triggers whose overlap policy asks.

    One query for a batch; triggers that allow overlap (the default) need none.
    """
    ids = [t.last_execution_id for t in triggers
           if t.last_execution_id and t.overlap_policy != OverlapPolicy.ALLOW.value]
    if not ids:
        return {}
    found = session.execute(select(WorkflowExecution.id, WorkflowExecution.state).where(
        WorkflowExecution.id.in_(ids), WorkflowExecution.state.not_in(FINAL_WORKFLOW_STATES)))
    return {execution_id: str(state) for execution_id, state in found}


@dataclass
class Run:
    """One history row being written: a fire time of a trigger and what happened."""

    trigger: DueTrigger
    scheduled_at: dt.datetime
    recorded_at: dt.datetime
    fired_by: FiredBy
    outcome: RunOutcome
    detail: str | None = None
    execution_id: str | None = None

    def row(self) -> dict[str, Any]:
        """Column values of its ``cron_trigger_runs`` row."""
        return {"id": new_id(), "trigger_id": self.trigger.id,
                "trigger_name": self.trigger.name, "project_id": self.trigger.project_id,
                "scheduled_at": self.scheduled_at, "recorded_at": self.recorded_at,
                "fired_by": self.fired_by.value, "outcome": self.outcome.value,
                "execution_id": self.execution_id, "detail": self.detail}


def write_batch(session: Session, triggers: Iterable[DueTrigger], runs: Sequence[Run],
                now: dt.datetime) -> None:
    """Insert the history rows and write the triggers' changes (or delete finished ones).

    The unique key on (trigger, fire time) makes the insert fail when another
    node recorded one of these fire times first; the caller's transaction then
    rolls back as a whole.
    """
    insert_rows(session, RUNS, [run.row() for run in runs])
    finished: list[str] = []
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for trigger in triggers:
        if trigger.done:
            finished.append(trigger.id)
            continue
        changes = trigger.changes()
        if changes:
            shapes.setdefault(tuple(sorted(changes)), []).append(
                {"id": trigger.id, **dict(sorted(changes.items())), "updated_at": now})
    for rows in shapes.values():
        update_rows(session, TRIGGERS, rows)
    if finished:
        session.execute(delete(TRIGGERS).where(TRIGGERS.c.id.in_(finished)))
