"""The database-backed engine: every event in one transaction, the outbox, timers, recovery.

:class:`EngineRuntime` is what the node, the API and ``levante run`` drive. Each
call is one transaction (retried as a whole on a PostgreSQL deadlock): rows are
locked workflow first, then task; ``decide`` runs; its commands are applied in
order, action executions and their queue entries together; follow-up events
(a finished sub-workflow, pause / cancel propagation) are delivered before
the commit. Nothing is executed here: executors claim the work queue and
report with :meth:`EngineRuntime.actions_finished`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from levante.engine import events as ev
from levante.engine.adhoc import CONTEXT_KEY as ADHOC_KEY
from levante.engine.adhoc import AdhocOutputError, apply_output, output_of
from levante.engine.decision import Evaluator
from levante.engine.runtime_apply import NewWork, Observer, Unit
from levante.engine.runtime_rows import ACTION, QUEUE, TASK, WF
from levante.engine.runtime_specs import SpecCache, register_definitions, resolve_env
from levante.store import Database, ids
from levante.store import queue as work_queue
from levante.store.errors import NotFoundError
from levante.store.models import DEFAULT_PROJECT, Timer, WorkflowExecution
from levante.store.rows import chunked
from levante.store.types import utc_now

T = TypeVar("T")
_TIMERS = Timer.__table__


class FinishedAction(Protocol):
    """What an executor reports (``levante.executor``'s ActionOutcome has this shape)."""

    action_execution_id: str
    state: Any
    """SUCCESS, ERROR, CANCELLED (or PENDING: an async action keeps running), str or enum."""
    result: Any


@dataclass(frozen=True)
class ActionReport:
    """A finished action, for callers without an executor outcome at hand."""

    action_execution_id: str
    state: str
    result: Any = None


@dataclass(frozen=True)
class Recovery:
    """What :meth:`EngineRuntime.recover_lost_actions` did."""

    requeued: list[str]
    """Action executions of ``safe-rerun`` tasks, back in the queue."""
    failed: list[str]
    """Action executions failed because their executor was lost."""


class WorkflowStarter(Protocol):
    """Starts a workflow in the caller's transaction (:meth:`EngineRuntime.in_transaction`)."""

    def __call__(self, workflow: str, input: dict[str, Any] | None = None, *,
                 namespace: str = "", params: dict[str, Any] | None = None,
                 description: str = "", execution_id: str | None = None,
                 definition_text: str | None = None) -> str: ...

    def flush(self) -> None:
        """Write the rows of the executions started so far (they are held back so that a
        batch of starts is one INSERT per table); call it before reading them with SQL."""

    def expect(self, execution_ids: Sequence[str]) -> None:
        """Say which explicit ids the next starts will use: whether each exists already
        (an idempotent start) is then read in one query instead of one per start."""

    def cancel(self, execution_id: str, state_info: str | None = None) -> None:
        """Cancel a running execution in this transaction (as :meth:`EngineRuntime.cancel`)."""


class _Starter:
    """The :class:`WorkflowStarter` of one :meth:`EngineRuntime.in_transaction`."""

    def __init__(self, runtime: EngineRuntime, unit: Unit) -> None:
        self._runtime = runtime
        self._unit = unit

    def __call__(self, workflow: str, input: dict[str, Any] | None = None, *,
                 namespace: str = "", params: dict[str, Any] | None = None,
                 description: str = "", execution_id: str | None = None,
                 definition_text: str | None = None) -> str:
        return self._runtime._start(
            self._unit, workflow, input, namespace=namespace, params=params,
            description=description, execution_id=execution_id,
            definition_text=definition_text)

    def flush(self) -> None:
        self._unit.reader.flush()

    def expect(self, execution_ids: Sequence[str]) -> None:
        unit = self._unit
        wanted = [i for i in execution_ids if i not in unit.reader.workflows]
        found: set[str] = set()
        for chunk in chunked(wanted):
            found.update(unit.session.execute(_EXISTING, {"ids": list(chunk)}).scalars())
        unit.absent.update(set(wanted) - found)

    def cancel(self, execution_id: str, state_info: str | None = None) -> None:
        self._unit.reader.load_workflows([execution_id])
        if execution_id not in self._unit.reader.workflows:
            raise NotFoundError("Workflow execution", id=execution_id)
        self._unit.handle(ev.CancelWorkflow(execution_id, state_info))


_EXISTING = select(WF.c.id).where(WF.c.id.in_(bindparam("ids", expanding=True)))


def _exists(unit: Unit, execution_id: str) -> bool:
    """Whether a workflow execution has this id (written, or started in this transaction)."""
    if execution_id in unit.absent:
        return False
    return execution_id in unit.reader.workflows or unit.session.scalar(
        select(WF.c.id).where(WF.c.id == execution_id)) is not None


def _state(value: Any) -> str:
    return str(getattr(value, "value", value))


class EngineRuntime:
    """Runs workflows on a :class:`~levante.store.Database` (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = utc_now,
                 on_work: Callable[[NewWork], None] | None = None,
                 evaluator: Evaluator | None = None, observer: Observer | None = None,
                 spec_cache: SpecCache | None = None) -> None:
        self.db = db
        self.clock = clock
        self.on_work = on_work
        """Called after a commit that left work for other loops, with what it left."""
        self.evaluator = evaluator
        self.observer = observer
        self.specs = spec_cache or SpecCache()
        self._last_stamp = dt.datetime.min.replace(tzinfo=dt.UTC)

    def _stamp(self) -> dt.datetime:
        """The clock, made strictly increasing (creation order survives equal clock readings)."""
        now = self.clock()
        if now <= self._last_stamp:
            now = self._last_stamp + dt.timedelta(microseconds=1)
        self._last_stamp = now
        return now

    # transactions --------------------------------------------------------------
    def _run(self, work: Callable[[Unit], T]) -> T:
        """Run ``work`` in one transaction with its follow-up events; wake workers after."""
        def body(session: Session) -> tuple[T, NewWork, set[str]]:
            unit = Unit(session, self.clock(), self.specs, evaluator=self.evaluator,
                        observer=self.observer, stamp=self._stamp)
            result = work(unit)
            unit.drain()
            return result, unit.woke, unit.reader.stored_texts

        result, woke, stored = self.db.run(body)
        self.specs.stored_texts.update(stored)  # committed: no need to look for them again
        if woke and self.on_work is not None:
            self.on_work(woke)
        return result

    # starting ------------------------------------------------------------------
    def start_workflow(self, workflow: str, input: dict[str, Any] | None = None, *,
                       namespace: str = "", params: dict[str, Any] | None = None,
                       description: str = "", execution_id: str | None = None,
                       definition_text: str | None = None) -> dict[str, Any]:
        """Start workflow ``workflow``; returns the execution row as a dict.

        ``definition_text`` (a workflows file) is registered first: its workflows
        are created or updated as definitions in ``namespace``, in the same
        transaction. A start with an ``execution_id`` that exists returns that
        execution unchanged (idempotent). Refused starts raise
        :class:`~levante.engine.errors.WorkflowNotFoundError`,
        :class:`~levante.engine.errors.WorkflowInputError` or
        :class:`~levante.engine.errors.WorkflowStartError` (a bad file:
        ``levante.lang.ValidationError``) and write nothing.
        """
        def work(unit: Unit) -> str:
            return self._start(unit, workflow, input, namespace=namespace, params=params,
                               description=description, execution_id=execution_id,
                               definition_text=definition_text)

        started = self._run(work)
        return self.execution(started)

    def _start(self, unit: Unit, workflow: str, input: dict[str, Any] | None = None, *,
               namespace: str = "", params: dict[str, Any] | None = None,
               description: str = "", execution_id: str | None = None,
               definition_text: str | None = None) -> str:
        session = unit.session
        if execution_id is not None and _exists(unit, execution_id):
            return execution_id
        if definition_text is not None:
            register_definitions(session, self.specs, definition_text, namespace)
            unit.forget_resolved()
        found = unit.resolve(workflow, namespace)
        run_params = resolve_env(session, dict(params or {}))
        new_id = execution_id or ids.new_id()
        unit.snapshots[new_id] = found.snapshot
        self.specs.remember(new_id, found.snapshot)
        unit.handle(ev.StartWorkflow(new_id, found.spec, dict(input or {}), run_params,
                                     description=description, namespace=namespace,
                                     workflow_name=found.definition_name,
                                     workflow_id=found.definition_id))
        return new_id

    def in_transaction(self, work: Callable[[Session, WorkflowStarter], T]) -> T:
        """Run ``work(session, start)`` in ONE engine transaction (retried as a whole).

        ``start(workflow, input, **options)`` takes the arguments of
        :meth:`start_workflow` and returns the new execution's id. What ``work``
        writes through ``session`` commits together with the executions it
        started, or nothing does: this is how a cron trigger claims a fire time
        and starts its execution exactly once.
        """
        return self._run(lambda unit: work(unit.session, _Starter(self, unit)))

    def execution(self, execution_id: str) -> dict[str, Any]:
        """The workflow execution row as a dict (``NotFoundError`` if unknown)."""
        with self.db.read() as session:
            row = session.get(WorkflowExecution, execution_id)
            if row is None:
                raise NotFoundError("Workflow execution", id=execution_id)
            return row.to_dict()

    def start_action(self, name: str, input: dict[str, Any] | None = None, *,
                     namespace: str = "", description: str = "", target: str | None = None,
                     timeout: float | None = None,
                     adhoc: Mapping[str, Any] | None = None) -> str:
        """Run action ``name`` outside any workflow (run-action with save_result); its id.

        The action execution (no task, RUNNING) and its queue entry are written
        in one transaction (outbox); an executor runs it and its result is
        stored on the row (see :meth:`actions_finished` / :meth:`complete_action`).
        ``adhoc`` (:meth:`levante.engine.adhoc.Expansion.to_context`) makes an
        ad-hoc action run its base action and shape the result with its output.
        """
        runtime_context: dict[str, Any] = {"timeout": timeout} if timeout else {}
        if adhoc is not None:
            runtime_context[ADHOC_KEY] = dict(adhoc)

        def work(unit: Unit) -> str:
            new_id = ids.new_id()
            unit.session.execute(ACTION.insert(), [{
                "id": new_id, "name": name, "task_execution_id": None,
                "workflow_execution_id": None, "state": "RUNNING", "state_info": None,
                "item_index": 0, "attempt": 0, "input": dict(input or {}), "output": None,
                "accepted": False, "safe_rerun": False, "target": target, "is_sync": True,
                "runtime_context": runtime_context,
                "workflow_name": None, "workflow_namespace": namespace,
                "description": description, "tags": None, "scope": "private",
                "project_id": DEFAULT_PROJECT, "created_at": unit.stamp(), "updated_at": None,
                "last_heartbeat": None,
            }])
            work_queue.enqueue(unit.session, [new_id], target=target, available_at=unit.now)
            unit.woke |= NewWork.ACTIONS
            return new_id

        return self._run(work)

    # results -------------------------------------------------------------------
    def actions_finished(self, outcomes: Sequence[FinishedAction]) -> None:
        """Apply a batch of executor reports in ONE transaction (grouped by task).

        A report for an action that is no longer RUNNING (a duplicate, a late
        one after a cancel or timeout) is ignored: a result is accepted at most
        once. PENDING (an async action started) only removes the queue entry.
        """
        final = [o for o in outcomes if _state(o.state) != "PENDING"]
        pending = [o.action_execution_id for o in outcomes if _state(o.state) == "PENDING"]

        def work(unit: Unit) -> None:
            if pending:
                unit.session.execute(delete(QUEUE).where(
                    QUEUE.c.action_execution_id.in_(pending)))
            if final:
                self._finish(unit, [(o.action_execution_id, _state(o.state), o.result)
                                    for o in final])

        self._run(work)

    def _finish(self, unit: Unit, reports: list[tuple[str, str, Any]]) -> None:
        ids = sorted({aid for aid, _, _ in reports})
        owners: dict[str, tuple[str, str]] = {}
        if not unit.lock:
            # One writer (SQLite): the action rows cannot change under us, read them whole.
            unit.reader.load_actions(ids)
            loaded = unit.reader.actions
            owners = {aid: (loaded[aid].task_execution_id, loaded[aid].workflow_execution_id)
                      for aid in ids if aid in loaded}
        for start in range(0, len(ids), 500) if unit.lock else ():
            stmt = select(ACTION.c.id, ACTION.c.task_execution_id,
                          ACTION.c.workflow_execution_id).where(
                ACTION.c.id.in_(ids[start:start + 500]))
            for aid, task_id, wf_id in unit.session.execute(stmt):
                owners[aid] = (task_id, wf_id)
        standalone = [rep for rep in reports if rep[0] in owners and owners[rep[0]][0] is None]
        if standalone:
            self._finish_standalone(unit, standalone)
            owners = {aid: o for aid, o in owners.items() if o[0] is not None}
        r = unit.reader
        r.load_workflows(wf for _, wf in owners.values())
        r.load_tasks(t for t, _ in owners.values())
        r.load_actions(owners)
        known = [rep for rep in reports if rep[0] in owners]
        known.sort(key=lambda rep: owners[rep[0]][0])
        for aid, state, result in known:
            unit.handle(ev.ActionFinished(aid, state, result))
            unit.deliver()

    def _finish_standalone(self, unit: Unit, reports: list[tuple[str, str, Any]]) -> None:
        """Store the results of actions run outside a workflow (no task to inform).

        An ad-hoc action's output transforms apply to a successful result; one
        that fails makes the action ERROR with the reason.
        """
        contexts = dict(unit.session.execute(select(ACTION.c.id, ACTION.c.runtime_context).where(
            ACTION.c.id.in_([aid for aid, state, _ in reports if state == "SUCCESS"]))).all())
        for aid, state, result in reports:
            transforms = output_of(contexts.get(aid) or {})
            if state == "SUCCESS" and transforms:
                try:
                    result = apply_output(transforms, result)
                except AdhocOutputError as exc:
                    state, result = "ERROR", str(exc)
            info = None
            if state == "ERROR" and result not in (None, ""):
                info = str(result)
            unit.session.execute(update(ACTION).where(
                ACTION.c.id == aid, ACTION.c.state == "RUNNING").values(
                state=state, output={"result": result}, accepted=True, state_info=info,
                updated_at=unit.now))
        unit.session.execute(delete(QUEUE).where(
            QUEUE.c.action_execution_id.in_([aid for aid, _, _ in reports])))

    def complete_action(self, action_execution_id: str, state: str, output: Any = None
                        ) -> bool:
        """Complete an action from outside (an async action, the API); False if not RUNNING.

        ``output`` is the action's result data (stored as ``{"result": output}``).
        """
        def work(unit: Unit) -> bool:
            owner = unit.session.execute(select(
                ACTION.c.task_execution_id, ACTION.c.workflow_execution_id, ACTION.c.state)
                .where(ACTION.c.id == action_execution_id)).first()
            if owner is None:
                raise NotFoundError("Action execution", id=action_execution_id)
            if owner[2] != "RUNNING":
                return False
            self._finish(unit, [(action_execution_id, state, output)])
            return True

        return self._run(work)

    # timers --------------------------------------------------------------------
    def fire_due_timers(self, limit: int = 100) -> int:
        """Apply due timers (each in its own transaction, earliest first); returns how many."""
        fired = 0
        while fired < limit and self._fire_one():
            fired += 1
        return fired

    def _fire_one(self) -> bool:
        def work(unit: Unit) -> bool:
            stmt = (select(_TIMERS.c.id, _TIMERS.c.kind, _TIMERS.c.task_execution_id,
                           _TIMERS.c.workflow_execution_id, _TIMERS.c.payload)
                    .where(_TIMERS.c.due_at <= unit.now)
                    .order_by(_TIMERS.c.due_at, _TIMERS.c.id).limit(1))
            row = unit.session.execute(stmt.with_for_update(skip_locked=True)).first()
            if row is None:
                return False
            timer_id, kind, task_id, wf_id, payload = row
            unit.session.execute(delete(_TIMERS).where(_TIMERS.c.id == timer_id))
            if task_id is None:
                return True
            unit.reader.load_workflows([wf_id])
            unit.reader.load_tasks([task_id])
            unit.handle(ev.TimerFired(ev.TimerKind(kind), task_id, dict(payload or {})))
            return True

        return self._run(work)

    def next_timer_due(self) -> dt.datetime | None:
        """When the earliest timer is due (None when there is none)."""
        with self.db.read() as session:
            return session.scalar(select(func.min(_TIMERS.c.due_at)))

    # operations ----------------------------------------------------------------
    def _on_workflow(self, execution_id: str, event: ev.Event) -> None:
        def work(unit: Unit) -> None:
            unit.reader.load_workflows([execution_id])
            if execution_id not in unit.reader.workflows:
                raise NotFoundError("Workflow execution", id=execution_id)
            unit.handle(event)

        self._run(work)

    def pause(self, execution_id: str, state_info: str | None = None) -> None:
        """Pause a running execution (and its sub-workflows and parent)."""
        self._on_workflow(execution_id, ev.PauseWorkflow(execution_id, state_info))

    def resume(self, execution_id: str, env: dict[str, Any] | None = None) -> None:
        """Resume a paused execution; ``env`` updates the env for tasks started later."""
        self._on_workflow(execution_id, ev.ResumeWorkflow(execution_id, env))

    def cancel(self, execution_id: str, state_info: str | None = None) -> None:
        """Cancel an execution, its unfinished tasks and actions, and its sub-workflows."""
        self._on_workflow(execution_id, ev.CancelWorkflow(execution_id, state_info))

    def fail(self, execution_id: str, state_info: str | None = None) -> None:
        """Force an execution to ERROR."""
        self._on_workflow(execution_id, ev.FailWorkflow(execution_id, state_info))

    def succeed(self, execution_id: str, state_info: str | None = None) -> None:
        """Force a running execution to SUCCESS (its output is evaluated as usual)."""
        self._on_workflow(execution_id, ev.SucceedWorkflow(execution_id, state_info))

    def rerun_task(self, task_execution_id: str, reset: bool = True,
                   env: dict[str, Any] | None = None) -> None:
        """Rerun a failed task (``reset=False``: only its failed with-items iterations)."""
        self._on_task(task_execution_id, ev.RerunTask(task_execution_id, reset, env))

    def skip_task(self, task_execution_id: str, env: dict[str, Any] | None = None) -> None:
        """Skip a failed task: it ends SKIPPED and the workflow follows its on-skip routes.

        Raises :class:`~levante.engine.errors.OperationError` when the task is
        not in ERROR (Mistral's task update to SKIPPED).
        """
        self._on_task(task_execution_id, ev.SkipTask(task_execution_id, env))

    def _on_task(self, task_execution_id: str, event: ev.Event) -> None:
        def work(unit: Unit) -> None:
            wf_id = unit.session.scalar(select(TASK.c.workflow_execution_id).where(
                TASK.c.id == task_execution_id))
            if wf_id is None:
                raise NotFoundError("Task execution", id=task_execution_id)
            unit.reader.load_workflows([wf_id])
            unit.reader.load_tasks([task_execution_id])
            unit.handle(event)

        self._run(work)

    # recovery ------------------------------------------------------------------
    def recover_lost_actions(self, dead_node_ids: Sequence[str], *,
                             expired: bool = False) -> Recovery:
        """Deal with actions claimed by dead nodes (or, with ``expired``, expired leases).

        An action of a ``safe-rerun`` task goes back to the queue; any other is
        failed with a state_info saying its executor was lost, since it may
        have run (partly) already and must not run twice.
        """
        def work(unit: Unit) -> Recovery:
            lost = QUEUE.c.claimed_by.in_(list(dead_node_ids))
            if expired:
                lost = lost | (QUEUE.c.claimed_by.is_not(None) & (QUEUE.c.lease_until < unit.now))
            stmt = (select(QUEUE.c.id, QUEUE.c.action_execution_id, QUEUE.c.claimed_by,
                           ACTION.c.safe_rerun)
                    .join(ACTION, ACTION.c.id == QUEUE.c.action_execution_id)
                    .where(lost).order_by(QUEUE.c.id))
            rows = list(unit.session.execute(stmt.with_for_update(skip_locked=True,
                                                                  of=QUEUE)))
            safe = [r for r in rows if r.safe_rerun]
            if safe:
                unit.session.execute(update(QUEUE).where(QUEUE.c.id.in_([r.id for r in safe]))
                                     .values(claimed_by=None, lease_until=None,
                                             available_at=unit.now))
                unit.woke |= NewWork.ACTIONS
            unsafe = [r for r in rows if not r.safe_rerun]
            self._finish(unit, [(
                r.action_execution_id, "ERROR",
                f"The executor running this action was lost (node {r.claimed_by} stopped) "
                "and its task does not say 'safe-rerun: true', so it was not run again. "
                "Rerun the task if running the action twice is harmless.")
                for r in unsafe])
            return Recovery([r.action_execution_id for r in safe],
                            [r.action_execution_id for r in unsafe])

        return self._run(work)

