"""Firing cron triggers exactly once, on any number of nodes sharing one database.

Each transaction claims a batch of due triggers (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's write lock serialises them anyway) and, per trigger,
records the fire time in ``cron_trigger_runs`` -- unique on (trigger, fire
time) -- starts its execution and advances the trigger, all in that one
transaction. Two nodes that try the same fire time cannot both commit: the
database lets one win. A node killed mid-way leaves nothing behind, so the
fire time is still due and another node takes it. The rows of a batch are
written together (:mod:`~levante.scheduler.trigger_rows`): a burst of
triggers due at the same second costs a few statements per batch.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from levante.engine.errors import EngineError
from levante.engine.records import record
from levante.engine.runtime import EngineRuntime, WorkflowStarter
from levante.lang import ValidationError
from levante.scheduler.planning import plan_step, remembered_schedule
from levante.scheduler.policies import FiredBy, MissedRunPolicy, OverlapPolicy, RunOutcome
from levante.scheduler.schedule import as_utc, jitter_delay
from levante.scheduler.trigger_rows import (
    DueTrigger,
    Run,
    load_due,
    load_one,
    running_states,
    write_batch,
)
from levante.store import Database, ids
from levante.store.errors import NotFoundError
from levante.store.models import CronTrigger
from levante.store.types import json_text, utc_now

LOG = logging.getLogger(__name__)
#: Errors with which the engine refuses a start: recorded as a failed run, not retried.
REFUSED_START = (EngineError, ValidationError)


@dataclass(frozen=True)
class SchedulerConfig:
    """How a node's cron scheduler behaves."""

    misfire_grace: dt.timedelta = dt.timedelta(seconds=60)
    """A fire time found later than this after it was due is *missed* (see MissedRunPolicy)."""
    batch_size: int = 50
    """Triggers handled by the first transaction of a round; each full batch doubles the
    next one, up to ``largest_batch``: the first fire times of a burst commit soon, and
    the rest pay a transaction's fixed costs (its statements, its commit) less often."""
    largest_batch: int = 400
    """The most triggers one transaction handles (it holds SQLite's write lock meanwhile)."""
    poll: float = 1.0
    """Longest sleep (s) of the loop: how soon a trigger made on another node is seen."""
    executor_yield: float = 1.0
    """For the first this-many seconds of a burst of due triggers, this node's executor
    claims no new work, so that the fire times (a thousand triggers at 02:00) are not
    slowed by running what they just started; 0 turns it off. Other nodes' executors
    are not affected, actions already running go on, and a longer burst shares the
    machine with the executor again."""


@record
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


@functools.lru_cache(maxsize=4096)  # a batch asks twice per fire time: to check, to start
def execution_id_for(trigger_id: str, scheduled_at: dt.datetime) -> str:
    """The id of the execution a fire time starts: the same on every node and every retry.

    Time-ordered like every row id (:mod:`levante.store.ids`): the executions
    of one fire time sit together in the indexes.
    """
    return ids.derived_id(f"cron trigger {trigger_id}", as_utc(scheduled_at))


def triggered_by(trigger_id: str) -> str:
    """The description of an execution a cron trigger started (as Mistral writes it)."""
    return json_text({
        "description": f"Workflow execution created by cron trigger '({trigger_id})'.",
        "triggered_by": {"type": "cron_trigger", "id": trigger_id},
    })


class _Jittered(Protocol):
    id: str
    jitter_seconds: int | None


def due_time(trigger: _Jittered, scheduled: dt.datetime) -> dt.datetime:
    """When fire time ``scheduled`` of a trigger is due (plus its jitter)."""
    if not trigger.jitter_seconds:
        return as_utc(scheduled)
    return as_utc(scheduled) + jitter_delay(trigger.id, scheduled, trigger.jitter_seconds)


@dataclass
class CronScheduler:
    """Fires due cron triggers through an :class:`EngineRuntime`; safe on every node at once."""

    db: Database
    runtime: EngineRuntime
    clock: Callable[[], dt.datetime] = utc_now
    config: SchedulerConfig = field(default_factory=SchedulerConfig)
    on_fired: Callable[[list[FireRecord]], None] | None = None
    """Called after each batch commits, with its history rows (metrics, benchmarks)."""
    _refused: dict[tuple[str, dt.datetime], str] = field(default_factory=dict, repr=False)
    _firing_since: float | None = field(default=None, repr=False)

    # the loop's entry points -----------------------------------------------------
    def fire_due(self, limit: int = 10_000) -> list[FireRecord]:
        """Handle due fire times (batch by batch) until none is due or ``limit`` were handled."""
        self._firing_since = time.monotonic()
        try:
            return self._fire_batches(limit)
        finally:
            self._firing_since = None

    def priority_left(self) -> float:
        """Seconds the running :meth:`fire_due` still has priority over the node's executor.

        0 when not firing; else what is left of its first ``config.executor_yield``
        seconds. The node's executor holds back new claims meanwhile; a longer
        burst (a day of missed fire times) then shares the machine with it again.
        """
        since = self._firing_since
        if since is None:
            return 0.0
        return max(0.0, since + self.config.executor_yield - time.monotonic())

    def wants_priority(self) -> bool:
        """True while :meth:`fire_due` runs, for its first ``config.executor_yield`` seconds."""
        return self.priority_left() > 0

    def _fire_batches(self, limit: int) -> list[FireRecord]:
        records: list[FireRecord] = []
        size = self.config.batch_size
        while len(records) < limit:
            now = as_utc(self.clock())
            try:
                batch = self.runtime.in_transaction(partial(self._fire_batch, now=now,
                                                            size=size))
            except _StartRefused as refused:
                # Roll the batch back, then retry it recording this start as failed.
                self._refused[refused.key] = refused.reason
                continue
            if not batch:
                break
            if self.on_fired is not None:
                self.on_fired(batch)
            records += batch
            size = min(size * 2, max(self.config.largest_batch, self.config.batch_size))
        return records

    def next_due(self) -> dt.datetime | None:
        """When the earliest unpaused trigger is due (``None`` when there is none)."""
        with self.db.read() as session:
            due = session.scalar(select(func.min(CronTrigger.due_at)).where(
                CronTrigger.paused == false()))
        return None if due is None else as_utc(due)

    def fire_now(self, identifier: str) -> FireRecord:
        """Start the trigger's workflow once now (by hand); its schedule and count stay as they are.

        The overlap policy applies as to a scheduled fire time: ``forbid``
        while the previous execution runs records (and returns) a ``skipped``
        run and starts nothing; ``replace`` cancels the running one first. A
        refused start raises the engine's error and records nothing.
        """
        def work(session: Session, start: WorkflowStarter) -> FireRecord:
            trigger = load_one(session, identifier, lock=self.db.is_postgresql)
            if trigger is None:
                raise TriggerNotFound(f"Cron trigger not found [identifier={identifier}]")
            now = as_utc(self.clock())
            running = running_states(session, [trigger])
            run = _overlap_run(trigger, now, now, FiredBy.MANUAL, running, None)
            if run.outcome is RunOutcome.STARTED:
                _replace(start, trigger, running)
                run.execution_id = trigger.last_execution_id = self._start(start, trigger, now)
            start.flush()
            write_batch(session, [trigger], [run], now)
            return _record(run)

        return self.runtime.in_transaction(work)

    # one transaction -------------------------------------------------------------
    def _fire_batch(self, session: Session, start: WorkflowStarter,
                    now: dt.datetime, size: int) -> list[FireRecord]:
        triggers = load_due(session, now, size, lock=self.db.is_postgresql)
        running = running_states(session, triggers)
        start.expect([execution_id_for(t.id, t.next_execution_time) for t in triggers])
        runs: list[Run] = []
        for trigger in triggers:
            runs += self._step(start, trigger, now, running)
        # One statement per table for the whole batch: the executions first, then
        # the history naming them and the triggers. A fire time another node
        # recorded first fails here, before the commit, rolling the batch back.
        start.flush()
        write_batch(session, triggers, runs, now)
        return [_record(run) for run in runs]

    def _step(self, start: WorkflowStarter, trigger: DueTrigger, now: dt.datetime,
              running: dict[str, str]) -> list[Run]:
        policy = MissedRunPolicy(trigger.missed_run_policy)
        step = plan_step(
            trigger.next_execution_time, remembered_schedule(trigger.pattern, trigger.time_zone),
            now, policy=policy, limit=trigger.missed_run_limit,
            grace=self.config.misfire_grace, due_at=lambda t: due_time(trigger, t))
        runs = [Run(trigger, t, now, FiredBy.SCHEDULE, RunOutcome.MISSED,
                    f"missed during downtime ({_late(now, due_time(trigger, t))} late); "
                    f"missed-run policy {policy.value}")
                for t in step.missed]
        if step.start is not None:
            runs.append(self._fire(start, trigger, step.start, now, step.late, policy, running))
        if step.next_time is None or trigger.remaining_executions == 0:
            trigger.done = True
        else:
            trigger.next_execution_time = step.next_time
            trigger.due_at = due_time(trigger, step.next_time)
        return runs

    def _fire(self, start: WorkflowStarter, trigger: DueTrigger, scheduled: dt.datetime,
              now: dt.datetime, late: bool, policy: MissedRunPolicy,
              running: dict[str, str]) -> Run:
        note = (f"started {_late(now, due_time(trigger, scheduled))} late by missed-run "
                f"policy {policy.value}" if late else None)
        reason = self._refused.pop((trigger.id, scheduled), None)
        if reason is not None:
            return Run(trigger, scheduled, now, FiredBy.SCHEDULE, RunOutcome.FAILED, reason)
        run = _overlap_run(trigger, scheduled, now, FiredBy.SCHEDULE, running, note)
        if run.outcome is not RunOutcome.STARTED:
            return run
        _replace(start, trigger, running)
        try:
            execution_id = self._start(start, trigger, scheduled)
        except REFUSED_START as error:
            raise _StartRefused((trigger.id, scheduled),
                                f"the start was refused: {error}") from None
        run.execution_id = trigger.last_execution_id = execution_id
        if trigger.remaining_executions is not None:
            trigger.remaining_executions -= 1
        return run

    @staticmethod
    def _start(start: WorkflowStarter, trigger: DueTrigger, scheduled: dt.datetime) -> str:
        params = dict(trigger.workflow_params or {})
        return start(trigger.workflow_id or trigger.workflow_name,
                     dict(trigger.workflow_input or {}),
                     namespace=str(params.get("namespace") or ""), params=params,
                     description=triggered_by(trigger.id),
                     execution_id=execution_id_for(trigger.id, scheduled))


class _StartRefused(Exception):
    """Raised inside a batch to roll it back when the engine refuses one start."""

    def __init__(self, key: tuple[str, dt.datetime], reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def _overlap_run(trigger: DueTrigger, scheduled: dt.datetime, now: dt.datetime,
                 fired_by: FiredBy, running: dict[str, str], note: str | None) -> Run:
    """The history row of a fire time as the overlap policy has it: started or skipped."""
    state = running.get(trigger.last_execution_id or "")
    overlap = OverlapPolicy(trigger.overlap_policy)
    if state is not None and overlap is OverlapPolicy.FORBID:
        return Run(trigger, scheduled, now, fired_by, RunOutcome.SKIPPED,
                   f"execution {trigger.last_execution_id} is still {state}; "
                   "overlap policy forbid")
    if state is not None and overlap is OverlapPolicy.REPLACE:
        note = "; ".join(filter(None, [note, f"replaced execution {trigger.last_execution_id}"
                                             f" ({state}, cancel requested)"]))
    return Run(trigger, scheduled, now, fired_by, RunOutcome.STARTED, note)


def _replace(start: WorkflowStarter, trigger: DueTrigger, running: dict[str, str]) -> None:
    """Cancel the trigger's running execution if its overlap policy is ``replace``.

    In the transaction that starts the new one: both happen, or neither.
    """
    previous = trigger.last_execution_id
    if (previous not in running
            or OverlapPolicy(trigger.overlap_policy) is not OverlapPolicy.REPLACE):
        return
    try:
        start.cancel(previous, f"replaced by the next run of cron trigger {trigger.name!r} "
                               "(overlap policy replace)")
    except (EngineError, NotFoundError) as error:
        # It finished (or vanished) meanwhile: nothing left to replace.
        LOG.info("not cancelling %s for trigger %s: %s", previous, trigger.name, error)


def _record(run: Run) -> FireRecord:
    return FireRecord(run.trigger.id, run.trigger.name, as_utc(run.scheduled_at),
                      run.outcome, run.execution_id, run.detail)


def _late(now: dt.datetime, due: dt.datetime) -> str:
    seconds = max(0.0, (now - due).total_seconds())
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
