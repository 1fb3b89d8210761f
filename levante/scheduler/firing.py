"""Firing cron triggers exactly once, on any number of nodes sharing one database.

Each transaction claims a batch of due triggers (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's write lock serialises them anyway) and, per trigger,
inserts the fire time into ``cron_trigger_runs`` -- unique on (trigger, fire
time) -- starts its execution and advances the trigger, all in that one
transaction. Two nodes that try the same fire time cannot both commit: the
database lets one win. A node killed mid-way leaves nothing behind, so the
fire time is still due and another node takes it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from levante.engine.errors import EngineError
from levante.engine.runtime import EngineRuntime, WorkflowStarter
from levante.engine.states import FINAL_WORKFLOW_STATES
from levante.lang import ValidationError
from levante.scheduler.planning import plan_step
from levante.scheduler.policies import FiredBy, MissedRunPolicy, OverlapPolicy, RunOutcome
from levante.scheduler.schedule import CronSchedule, as_utc, jitter_delay
from levante.store import Database
from levante.store.errors import NotFoundError
from levante.store.models import CronTrigger, WorkflowExecution
from levante.store.models.triggers import CronTriggerRun
from levante.store.types import utc_now

LOG = logging.getLogger(__name__)
#: Namespace of the execution ids derived from (trigger, fire time).
_EXECUTION_IDS = uuid.UUID("6c1d3f0e-4a8b-4c52-9d7e-2f5a0b8c9e11")
#: Errors with which the engine refuses a start: recorded as a failed run, not retried.
REFUSED_START = (EngineError, ValidationError)


@dataclass(frozen=True)
class SchedulerConfig:
    """How a node's cron scheduler behaves."""

    misfire_grace: dt.timedelta = dt.timedelta(seconds=60)
    """A fire time found later than this after it was due is *missed* (see MissedRunPolicy)."""
    batch_size: int = 50
    """Triggers handled per transaction."""
    poll: float = 1.0
    """Longest sleep (s) of the loop: how soon a trigger made on another node is seen."""


@dataclass(frozen=True)
class FireRecord:
    """One history row written: a fire time of a trigger and what happened."""

    trigger_id: str
    trigger_name: str
    scheduled_at: dt.datetime
    outcome: RunOutcome
    execution_id: str | None = None
    detail: str | None = None


class TriggerNotFound(LookupError):
    """No cron trigger has this name or id."""


def execution_id_for(trigger_id: str, scheduled_at: dt.datetime) -> str:
    """The id of the execution a fire time starts: the same on every node and every retry."""
    return str(uuid.uuid5(_EXECUTION_IDS, f"{trigger_id}|{as_utc(scheduled_at).isoformat()}"))


def triggered_by(trigger_id: str) -> str:
    """The description of an execution a cron trigger started (as Mistral writes it)."""
    return json.dumps({
        "description": f"Workflow execution created by cron trigger '({trigger_id})'.",
        "triggered_by": {"type": "cron_trigger", "id": trigger_id},
    })


def due_time(row: CronTrigger, scheduled: dt.datetime) -> dt.datetime:
    """When fire time ``scheduled`` of trigger ``row`` is due (plus its jitter)."""
    return as_utc(scheduled) + jitter_delay(row.id, scheduled, row.jitter_seconds or 0)


@dataclass
class CronScheduler:
    """Fires due cron triggers through an :class:`EngineRuntime`; safe on every node at once."""

    db: Database
    runtime: EngineRuntime
    clock: Callable[[], dt.datetime] = utc_now
    config: SchedulerConfig = field(default_factory=SchedulerConfig)
    _refused: dict[tuple[str, dt.datetime], str] = field(default_factory=dict, repr=False)

    # the loop's entry points -----------------------------------------------------
    def fire_due(self, limit: int = 10_000) -> list[FireRecord]:
        """Handle due fire times (batch by batch) until none is due or ``limit`` were handled."""
        records: list[FireRecord] = []
        while len(records) < limit:
            now = as_utc(self.clock())
            self._cancel_replaced(now)
            try:
                batch = self.runtime.in_transaction(partial(self._fire_batch, now=now))
            except _StartRefused as refused:
                # Roll the batch back, then retry it recording this start as failed.
                self._refused[refused.key] = refused.reason
                continue
            if not batch:
                break
            records += batch
        return records

    def next_due(self) -> dt.datetime | None:
        """When the earliest unpaused trigger is due (``None`` when there is none)."""
        with self.db.read() as session:
            due = session.scalar(select(func.min(CronTrigger.due_at)).where(
                CronTrigger.paused == false()))
        return None if due is None else as_utc(due)

    def fire_now(self, identifier: str) -> FireRecord:
        """Start the trigger's workflow once now (by hand); its schedule and count stay as they are.

        A refused start raises the engine's error and records nothing.
        """
        def work(session: Session, start: WorkflowStarter) -> FireRecord:
            row = _find(session, identifier, lock=self.db.is_postgresql)
            now = as_utc(self.clock())
            run = _add_run(session, row, now, now, FiredBy.MANUAL, RunOutcome.STARTED)
            session.flush()
            execution_id = self._start(start, row, now)
            run.execution_id = execution_id
            row.last_execution_id = execution_id
            return _record(run)

        return self.runtime.in_transaction(work)

    # one transaction -------------------------------------------------------------
    def _fire_batch(self, session: Session, start: WorkflowStarter,
                    now: dt.datetime) -> list[FireRecord]:
        query = (select(CronTrigger)
                 .where(CronTrigger.due_at <= now, CronTrigger.paused == false())
                 .order_by(CronTrigger.due_at, CronTrigger.id)
                 .limit(self.config.batch_size))
        if self.db.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        records: list[FireRecord] = []
        for row in session.scalars(query).all():
            records += self._step(session, start, row, now)
        return records

    def _step(self, session: Session, start: WorkflowStarter, row: CronTrigger,
              now: dt.datetime) -> list[FireRecord]:
        policy = MissedRunPolicy(row.missed_run_policy)
        step = plan_step(
            row.next_execution_time, CronSchedule(row.pattern, row.time_zone), now,
            policy=policy, limit=row.missed_run_limit, grace=self.config.misfire_grace,
            due_at=lambda t: due_time(row, t))
        runs = [_add_run(session, row, t, now, FiredBy.SCHEDULE, RunOutcome.MISSED,
                         f"missed during downtime ({_late(now, due_time(row, t))} late); "
                         f"missed-run policy {policy.value}")
                for t in step.missed]
        if step.start is not None:
            runs.append(self._fire(session, start, row, step.start, now, step.late, policy))
        if step.next_time is None or row.remaining_executions == 0:
            session.delete(row)
        else:
            row.next_execution_time = step.next_time
            row.due_at = due_time(row, step.next_time)
        session.flush()  # a fire time another node claimed fails here, before the commit
        return [_record(run) for run in runs]

    def _fire(self, session: Session, start: WorkflowStarter, row: CronTrigger,
              scheduled: dt.datetime, now: dt.datetime, late: bool,
              policy: MissedRunPolicy) -> CronTriggerRun:
        note = (f"started {_late(now, due_time(row, scheduled))} late by missed-run policy "
                f"{policy.value}" if late else None)
        reason = self._refused.pop((row.id, scheduled), None)
        if reason is not None:
            return _add_run(session, row, scheduled, now, FiredBy.SCHEDULE, RunOutcome.FAILED,
                            reason)
        running = self._previous_running(session, row)
        overlap = OverlapPolicy(row.overlap_policy)
        if running is not None and overlap is OverlapPolicy.FORBID:
            return _add_run(session, row, scheduled, now, FiredBy.SCHEDULE, RunOutcome.SKIPPED,
                            f"execution {row.last_execution_id} is still {running}; "
                            "overlap policy forbid")
        if running is not None and overlap is OverlapPolicy.REPLACE:
            note = "; ".join(filter(None, [note, f"replaced execution {row.last_execution_id}"
                                                  f" ({running}, cancel requested)"]))
        run = _add_run(session, row, scheduled, now, FiredBy.SCHEDULE, RunOutcome.STARTED, note)
        session.flush()  # claim the fire time before doing the work of starting
        try:
            execution_id = self._start(start, row, scheduled)
        except REFUSED_START as error:
            raise _StartRefused((row.id, scheduled), f"the start was refused: {error}") from None
        run.execution_id = execution_id
        row.last_execution_id = execution_id
        if row.remaining_executions is not None:
            row.remaining_executions -= 1
        return run

    def _start(self, start: WorkflowStarter, row: CronTrigger, scheduled: dt.datetime) -> str:
        params = dict(row.workflow_params or {})
        return start(row.workflow_id or row.workflow_name, dict(row.workflow_input or {}),
                     namespace=str(params.get("namespace") or ""), params=params,
                     description=triggered_by(row.id),
                     execution_id=execution_id_for(row.id, scheduled))

    @staticmethod
    def _previous_running(session: Session, row: CronTrigger) -> str | None:
        """The state of the trigger's last execution if it has not finished, else None."""
        if row.last_execution_id is None:
            return None
        state = session.scalar(select(WorkflowExecution.state).where(
            WorkflowExecution.id == row.last_execution_id))
        return None if state is None or state in FINAL_WORKFLOW_STATES else str(state)

    def _cancel_replaced(self, now: dt.datetime) -> None:
        """Cancel running executions that a due ``replace`` trigger is about to replace."""
        with self.db.read() as session:
            running = list(session.execute(
                select(CronTrigger.name, WorkflowExecution.id)
                .join(WorkflowExecution, WorkflowExecution.id == CronTrigger.last_execution_id)
                .where(CronTrigger.due_at <= now, CronTrigger.paused == false(),
                       CronTrigger.overlap_policy == OverlapPolicy.REPLACE.value,
                       WorkflowExecution.state.not_in(FINAL_WORKFLOW_STATES))))
        for name, execution_id in running:
            try:
                self.runtime.cancel(execution_id, f"replaced by the next run of cron trigger "
                                                  f"{name!r} (overlap policy replace)")
            except (EngineError, NotFoundError) as error:
                # It finished (or vanished) meanwhile: nothing left to replace.
                LOG.info("not cancelling %s for trigger %s: %s", execution_id, name, error)


class _StartRefused(Exception):
    """Raised inside a batch to roll it back when the engine refuses one start."""

    def __init__(self, key: tuple[str, dt.datetime], reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def _find(session: Session, identifier: str, *, lock: bool) -> CronTrigger:
    query = (select(CronTrigger)
             .where((CronTrigger.id == identifier) | (CronTrigger.name == identifier))
             .order_by(CronTrigger.id == identifier).limit(1))
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise TriggerNotFound(f"Cron trigger not found [identifier={identifier}]")
    return row


def _add_run(session: Session, row: CronTrigger, scheduled: dt.datetime, now: dt.datetime,
             fired_by: FiredBy, outcome: RunOutcome, detail: str | None = None
             ) -> CronTriggerRun:
    run = CronTriggerRun(trigger_id=row.id, trigger_name=row.name, project_id=row.project_id,
                         scheduled_at=scheduled, recorded_at=now, fired_by=fired_by.value,
                         outcome=outcome.value, detail=detail)
    session.add(run)
    return run


def _record(run: CronTriggerRun) -> FireRecord:
    return FireRecord(run.trigger_id, run.trigger_name, as_utc(run.scheduled_at),
                      RunOutcome(run.outcome), run.execution_id, run.detail)


def _late(now: dt.datetime, due: dt.datetime) -> str:
    seconds = max(0.0, (now - due).total_seconds())
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
