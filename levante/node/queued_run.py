"""A synchronous run-action carried out by another node's executor, through the work queue.

A node without the executor role (``levante server --role api``), or a run
``target``-ed at a named executor, cannot run the action in the request. It
writes the action execution and its queue entry in one transaction (outbox,
as :meth:`levante.engine.runtime.EngineRuntime.start_action` does), wakes the
cluster, waits for an executor to finish it and answers with the result.

When the result is not saved (Mistral keeps nothing then), the row is marked
:data:`levante.api.gateway.UNSAVED_RUN_KEY` in its ``runtime_context`` so the
REST list hides it while it runs, and it is deleted once its result was read
or the wait was given up. Should the waiting node die, the finished row is
swept by the next run a minute later (:meth:`QueuedRunner.sweep_orphans`).

Waiting polls the row by primary key with a short doubling delay (10 ms to
200 ms): the executor node sends no notification when a standalone action
finishes. While the entry is unclaimed, the waiter checks every second that
an executor able to claim it is still alive, so a request never hangs on a
cluster that lost its executors (:class:`NoExecutorError`, 503).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from levante.api.errors import ApiError
from levante.api.gateway import UNSAVED_RUN_KEY
from levante.engine.adhoc import CONTEXT_KEY as ADHOC_KEY
from levante.node.cluster import Role
from levante.node.wakeup import backoff_delays
from levante.store import Database, ids, nodes
from levante.store import queue as work_queue
from levante.store.models import DEFAULT_PROJECT, ActionExecution, WorkItem
from levante.store.types import utc_now

_A = ActionExecution.__table__.c
_Q = WorkItem.__table__.c

#: Seconds between checks that an executor able to claim an unclaimed run is alive.
LIVENESS_CHECK_SECONDS = 1.0
#: An unsaved run finished this long ago was left by a waiter that died: swept.
ORPHAN_AGE = dt.timedelta(minutes=1)
#: Seconds between two sweeps of one runner.
SWEEP_INTERVAL_SECONDS = 60.0


class NoExecutorError(ApiError):
    """No live executor node can run the action (503): nothing was left behind."""

    status_code = 503


class RunTimeoutError(ApiError):
    """The run did not finish within the wait (504)."""

    status_code = 504


@dataclass(frozen=True)
class QueuedRun:
    """What to enqueue: the action as asked for, and what really runs (ad-hoc base)."""

    name: str
    input: Mapping[str, Any]
    namespace: str = ""
    description: str = ""
    target: str | None = None
    timeout: float | None = None
    #: The ad-hoc expansion (``Expansion.to_context()``), or None.
    adhoc: Mapping[str, Any] | None = None
    #: Keep the action execution (``save_result``); otherwise it is deleted after the wait.
    keep: bool = False


@dataclass(frozen=True)
class FinishedRun:
    """The action execution once it left RUNNING."""

    action_execution_id: str
    state: str
    output: Mapping[str, Any] | None
    state_info: str | None


def executor_described(target: str | None) -> str:
    """How an error message names the executor(s) that could run the action."""
    return f"executor named {target!r}" if target else "executor"


def live_executors(session: Session, target: str | None) -> list[str]:
    """Ids of live nodes whose executor claims work for ``target`` (None: any executor).

    An untargeted entry is claimed by any executor, a targeted one only by the
    executor of that name (``levante.store.queue.claim``).
    """
    dead = set(nodes.dead_nodes(session))
    return [
        node.id
        for node in nodes.live_nodes(session)
        if node.id not in dead
        and Role.EXECUTOR.value in (node.roles or [])
        and (target is None or node.executor_name == target)
    ]


class QueuedRunner:
    """Runs actions on whichever executor node claims them, and waits for their result.

    Blocking: call it from a request thread, not from the event loop.
    """

    def __init__(
        self,
        db: Database,
        *,
        on_enqueued: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Enqueue on ``db``; ``on_enqueued`` wakes the cluster (the runtime's ``on_work``)."""
        self._db = db
        self._on_enqueued = on_enqueued
        self._clock = clock
        self._sleep = sleep
        self._next_sweep = clock()

    def run(self, run: QueuedRun, wait_seconds: float) -> FinishedRun:
        """Enqueue ``run``, wait up to ``wait_seconds`` for its result, clean up if unsaved.

        Raises :class:`NoExecutorError` when no executor that may claim it is
        alive (before anything is written, or later while it is still
        unclaimed) and :class:`RunTimeoutError` when the wait runs out.
        """
        if self._clock() >= self._next_sweep:
            self._next_sweep = self._clock() + SWEEP_INTERVAL_SECONDS
            self.sweep_orphans()
        action_id = self._enqueue(run)
        if self._on_enqueued is not None:
            self._on_enqueued()
        try:
            finished = self._wait(action_id, run.target, self._clock() + wait_seconds)
        except BaseException:
            if not run.keep:
                self._discard(action_id)
            raise
        if finished is None:
            if not run.keep:
                self._discard(action_id)
                raise RunTimeoutError(
                    f"Action {run.name} did not finish within {wait_seconds:.0f} s; "
                    "run it with --save-result to let it run in the background."
                )
            raise RunTimeoutError(
                f"Action {run.name} did not finish within {wait_seconds:.0f} s; it goes on "
                f"in the background as action execution {action_id}."
            )
        if not run.keep:
            self._discard(action_id)
        return finished

    def sweep_orphans(self) -> int:
        """Delete unsaved runs whose waiter went away (its node died); how many.

        A waiter deletes its run within moments of the result, so a finished
        unsaved run older than :data:`ORPHAN_AGE` has nobody left to answer.
        Only standalone rows are looked at (``task_execution_id IS NULL``, an
        index seek), and the marker is checked on those alone.
        """
        marker = ActionExecution.runtime_context[UNSAVED_RUN_KEY].as_boolean()
        with self._db.transaction() as session:
            removed = session.execute(
                delete(ActionExecution.__table__).where(
                    _A.task_execution_id.is_(None),
                    _A.state != "RUNNING",
                    _A.updated_at < utc_now() - ORPHAN_AGE,
                    marker.is_not(None),
                )
            )
            return int(removed.rowcount)  # type: ignore[attr-defined]

    def _enqueue(self, run: QueuedRun) -> str:
        """The row and its queue entry in one transaction, if an executor can take it."""
        runtime_context: dict[str, Any] = {"timeout": run.timeout} if run.timeout else {}
        if run.adhoc is not None:
            runtime_context[ADHOC_KEY] = dict(run.adhoc)
        if not run.keep:
            runtime_context[UNSAVED_RUN_KEY] = True
        new_id = ids.new_id()
        with self._db.transaction() as session:
            if not live_executors(session, run.target):
                raise NoExecutorError(_no_executor_message(run))
            session.add(ActionExecution(
                id=new_id, name=run.name, task_execution_id=None, workflow_execution_id=None,
                state="RUNNING", state_info=None, item_index=0, attempt=0,
                input=dict(run.input), output=None, accepted=False, safe_rerun=False,
                target=run.target, is_sync=True, runtime_context=runtime_context,
                workflow_name=None, workflow_namespace=run.namespace,
                description=run.description, tags=None, scope="private",
                project_id=DEFAULT_PROJECT, created_at=utc_now(),
            ))
            session.flush()
            work_queue.enqueue(session, [new_id], target=run.target)
        return new_id

    def _wait(self, action_id: str, target: str | None, deadline: float) -> FinishedRun | None:
        delay = backoff_delays(0.01, 0.2)
        next_check = self._clock() + LIVENESS_CHECK_SECONDS
        while True:
            with self._db.read() as session:
                row = session.execute(
                    select(_A.state, _A.output, _A.state_info, _Q.claimed_by)
                    .select_from(ActionExecution.__table__)
                    .outerjoin(WorkItem.__table__, _Q.action_execution_id == _A.id)
                    .where(_A.id == action_id)
                ).first()
            if row is None:
                raise ApiError(f"Action execution {action_id} vanished while it ran",
                               status_code=500)
            if row.state != "RUNNING":
                return FinishedRun(action_id, row.state, row.output, row.state_info)
            now = self._clock()
            if now >= deadline:
                return None
            if row.claimed_by is None and now >= next_check:
                next_check = now + LIVENESS_CHECK_SECONDS
                if self._withdraw_if_unclaimable(action_id, target):
                    raise NoExecutorError(
                        f"The {executor_described(target)} that could run this action "
                        "stopped before taking it; nothing ran. Start one "
                        f"({_start_hint(target)}) and try again."
                    )
            self._sleep(min(delay(), max(0.0, deadline - now)))

    def _withdraw_if_unclaimable(self, action_id: str, target: str | None) -> bool:
        """Remove the queue entry if it is unclaimed and nobody alive can claim it."""
        with self._db.transaction() as session:
            if live_executors(session, target):
                return False
            removed = session.execute(
                delete(WorkItem.__table__).where(
                    _Q.action_execution_id == action_id, _Q.claimed_by.is_(None))
            )
            if not removed.rowcount:  # type: ignore[attr-defined]
                return False  # claimed meanwhile: wait for its result
            session.execute(delete(ActionExecution.__table__).where(_A.id == action_id))
            return True

    def _discard(self, action_id: str) -> None:
        """Delete the unsaved run (a late result from its executor is then ignored)."""
        with self._db.transaction() as session:
            session.execute(delete(WorkItem.__table__).where(_Q.action_execution_id == action_id))
            session.execute(delete(ActionExecution.__table__).where(_A.id == action_id))


def _start_hint(target: str | None) -> str:
    name = f" --executor-name {target}" if target else ""
    return f"levante server --role executor{name}"


def _no_executor_message(run: QueuedRun) -> str:
    return (
        f"Cannot run action {run.name} now: no {executor_described(run.target)} is alive "
        f"in this cluster. Start one ({_start_hint(run.target)})"
        + ("" if run.keep else ", or run the action with --save-result to queue it")
        + "."
    )
