"""The executor's work source over the database queue (outbox) and the engine runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import select

from levante.actions.context import ActionContext
from levante.engine.adhoc import CONTEXT_KEY as ADHOC_KEY
from levante.engine.runtime import EngineRuntime
from levante.executor import ActionOutcome, ActionRequest
from levante.store import Database
from levante.store import queue as work_queue
from levante.store.models import ActionExecution, WorkItem

T = TypeVar("T")

_A = ActionExecution.__table__.c
_Q = WorkItem.__table__.c
_REQUEST_COLUMNS = (
    _A.id,
    _A.name,
    _A.input,
    _A.safe_rerun,
    _A.target,
    _A.workflow_execution_id,
    _A.task_execution_id,
    _A.workflow_name,
    _A.workflow_namespace,
    _A.item_index,
    _A.runtime_context,
)


class DatabaseWorkSource:
    """Claims queue entries for one node and reports outcomes to the engine runtime.

    Database calls are blocking (SQLAlchemy sync API); they run on ``db_thread``
    (one thread: SQLite has one writer anyway) so the event loop stays free for
    running actions.
    """

    def __init__(
        self,
        db: Database,
        runtime: EngineRuntime,
        *,
        node_id: str,
        db_thread: ThreadPoolExecutor,
        executor_name: str | None = None,
        lease_seconds: float = work_queue.DEFAULT_LEASE_SECONDS,
        yield_to: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Serve ``node_id``'s executor; ``executor_name`` selects targeted work.

        ``yield_to()`` is awaited before each claim: it returns once this
        node's cron loop lets the executor claim (see
        :meth:`levante.scheduler.CronLoop.let_executor_claim`).
        """
        self._db = db
        self._runtime = runtime
        self._node_id = node_id
        self._db_thread = db_thread
        self._executor_name = executor_name
        self._lease_seconds = lease_seconds
        self._yield_to = yield_to
        self._work = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        # action execution id -> queue entry id, for lease renewal.
        self._entries: dict[str, int] = {}
        # A claim failed: its commit may have gone through without us hearing of it.
        self._orphans_possible = False

    def wake(self) -> None:
        """Signal that work may be claimable; safe to call from any thread."""
        self._loop.call_soon_threadsafe(self._work.set)

    async def _in_db(self, work: Callable[[], T]) -> T:
        return await self._loop.run_in_executor(self._db_thread, work)

    async def claim(self, limit: int) -> list[ActionRequest]:
        """Lease up to ``limit`` queue entries and load their action executions."""
        if self._yield_to is not None:
            await self._yield_to()
        return await self._in_db(lambda: self._claim_safely(limit))

    def _claim_safely(self, limit: int) -> list[ActionRequest]:
        if self._orphans_possible:
            self._release_orphans()
        try:
            return self._claim(limit)
        except Exception:
            self._orphans_possible = True
            raise

    def _release_orphans(self) -> None:
        """Unclaim entries held in our name that the executor never got.

        When the connection is lost during a claim's COMMIT, the claim may
        have been applied; those entries never ran here, so they go back to
        the queue now instead of being taken for lost at lease expiry (which
        would fail an action that never started). Runs on the database thread,
        so no claim is half-way meanwhile.
        """
        known = set(self._entries.values())
        with self._db.transaction() as session:
            held = session.scalars(select(_Q.id).where(_Q.claimed_by == self._node_id))
            orphans = [entry for entry in held if entry not in known]
            work_queue.release(session, orphans)
        self._orphans_possible = False

    def _claim(self, limit: int) -> list[ActionRequest]:
        with self._db.transaction() as session:
            claimed = work_queue.claim(
                session,
                self._node_id,
                limit,
                target=self._executor_name,
                lease_seconds=self._lease_seconds,
            )
            ids = [item.action_execution_id for item in claimed if item.action_execution_id]
            if not ids:
                return []
            rows = session.execute(select(*_REQUEST_COLUMNS).where(_A.id.in_(ids))).all()
        by_id = {row.id: row for row in rows}
        requests = []
        for item in claimed:
            row = by_id.get(item.action_execution_id or "")
            if row is None:
                continue
            self._entries[row.id] = item.id
            requests.append(_request_from_row(row))
        return requests

    async def report(self, outcomes: Sequence[ActionOutcome]) -> None:
        """Hand a batch of outcomes to the engine: one transaction, accepted at most once.

        PENDING outcomes (asynchronous actions) only give up their queue entry;
        their result arrives later through the API.
        """
        await self._in_db(lambda: self._runtime.actions_finished(outcomes))
        for outcome in outcomes:
            self._entries.pop(outcome.action_execution_id, None)

    async def heartbeat(self, action_execution_ids: Sequence[str]) -> None:
        """Renew the leases of actions still running here."""
        entry_ids = [self._entries[i] for i in action_execution_ids if i in self._entries]
        if not entry_ids:
            return

        def renew() -> None:
            with self._db.transaction() as session:
                work_queue.renew_leases(
                    session, self._node_id, entry_ids, lease_seconds=self._lease_seconds
                )

        await self._in_db(renew)

    async def wait_for_work(self, timeout: float) -> None:
        """Return when woken by a commit that enqueued work, or after ``timeout``."""
        if self._work.is_set():
            self._work.clear()
            return
        try:
            async with asyncio.timeout(timeout):
                await self._work.wait()
        except TimeoutError:
            return
        self._work.clear()


def _request_from_row(row: Any) -> ActionRequest:
    runtime_context = row.runtime_context or {}
    context = ActionContext.for_action_execution(
        row.id,
        workflow_execution_id=row.workflow_execution_id,
        task_execution_id=row.task_execution_id,
        workflow_name=row.workflow_name,
        with_items_index=row.item_index or 0,
    )
    timeout = runtime_context.get("timeout")
    # An ad-hoc action runs its base action; the engine applies its output on the result.
    adhoc = runtime_context.get(ADHOC_KEY)
    name, given = ((adhoc["base"], adhoc.get("base_input") or {}) if isinstance(adhoc, dict)
                   else (row.name, row.input or {}))
    return ActionRequest(
        action_execution_id=row.id,
        action_name=name,
        input=given,
        timeout=float(timeout) if timeout else None,
        context=context,
        safe_rerun=bool(row.safe_rerun),
        target=row.target,
        namespace=row.workflow_namespace or "",
    )

