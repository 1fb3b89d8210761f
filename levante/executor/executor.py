"""The executor: claims action requests, runs them concurrently, reports outcomes.

One asyncio loop runs everything. Non-blocking actions (``std.noop``) run
inline as they are claimed, ``async def run`` actions are tasks on the loop,
blocking actions go to a bounded thread pool. Outcomes are batched
(:class:`~levante.executor.reporter.OutcomeBatcher`) so the engine applies many
per transaction, and leases of running actions are heartbeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from levante.actions.descriptor import ActionDescriptor, RunMode
from levante.actions.registry import ActionRegistry, default_registry
from levante.executor.model import ActionOutcome, ActionRequest
from levante.executor.reporter import OutcomeBatcher
from levante.executor.runner import ActionRunner, cancelled_outcome
from levante.executor.source import WorkSource

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExecutorConfig:
    """Tuning of one executor process. Defaults suit IO-bound fleets."""

    #: Actions running at once (async tasks plus blocking actions).
    max_concurrency: int = 500
    #: Threads for blocking actions (third-party ``def run``).
    max_threads: int = 64
    #: Most requests taken from the source in one ``claim``.
    claim_batch: int = 256
    #: Outcomes per ``report`` call at most.
    report_batch: int = 256
    #: Longest wait (s) before a non-full batch of outcomes is reported.
    report_interval: float = 0.005
    #: Pause (s) before retrying a failed ``report`` or ``claim``.
    retry_delay: float = 0.5
    #: Longest sleep (s) waiting for work when nobody signals it.
    poll_interval: float = 1.0
    #: Period (s) of lease heartbeats for running actions.
    heartbeat_interval: float = 10.0
    #: Stop claiming while this many outcomes wait to be reported.
    max_unreported: int = 4096


class Executor:
    """Runs action requests from a :class:`WorkSource` until stopped.

    Use ``async with Executor(source): ...`` or :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        source: WorkSource,
        registry: ActionRegistry | None = None,
        config: ExecutorConfig | None = None,
    ) -> None:
        """Pull from ``source``; find actions in ``registry`` (default: std + plugins)."""
        self._source = source
        self._registry = registry if registry is not None else default_registry()
        self._config = config or ExecutorConfig()
        self._pool: ThreadPoolExecutor | None = None
        self._runner: ActionRunner | None = None
        self._batcher: OutcomeBatcher | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancel_requested: set[str] = set()
        self._slot_free = asyncio.Event()
        self._stopping = False
        self._idle = False
        self._claim_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        """Actions currently running (inline ones never count: they finish at once)."""
        return len(self._tasks)

    async def start(self) -> None:
        """Start claiming and running work in background tasks."""
        if self._claim_task is not None:
            raise RuntimeError("Executor already started")
        cfg = self._config
        self._pool = ThreadPoolExecutor(cfg.max_threads, thread_name_prefix="levante-action")
        self._runner = ActionRunner(self._registry, self._pool, cfg.max_threads)
        self._batcher = OutcomeBatcher(
            self._source.report,
            batch_size=cfg.report_batch,
            interval=cfg.report_interval,
            retry_delay=cfg.retry_delay,
        )
        self._batcher.start()
        loop = asyncio.get_running_loop()
        self._claim_task = loop.create_task(self._claim_loop(), name="executor-claim")
        self._heartbeat_task = loop.create_task(self._heartbeat_loop(), name="executor-heartbeat")

    async def stop(self, grace: float = 30.0) -> list[str]:
        """Stop claiming, let running actions finish for up to ``grace`` s, report all.

        Returns the ids of actions still running at the deadline. They are
        abandoned unreported: their leases expire and the queue re-runs them
        (``safe-rerun``) or fails them, as after a crash.
        """
        if self._claim_task is None or self._batcher is None or self._pool is None:
            return []
        deadline = time.monotonic() + grace
        self._stopping = True
        self._slot_free.set()
        if self._idle:
            # Only interrupt waits: cancelling a claim could lose claimed work.
            self._claim_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._claim_task
        abandoned: list[str] = []
        running = dict(self._tasks)
        if running:
            _, pending = await asyncio.wait(running.values(), timeout=grace)
            abandoned = [i for i, t in running.items() if t in pending]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        await self._batcher.close(max(deadline, time.monotonic() + self._config.retry_delay))
        self._pool.shutdown(wait=False, cancel_futures=True)
        await self._registry.aclose()  # pooled connections (SSH gateways)
        if abandoned:
            LOG.warning("Executor stopped with %d actions still running", len(abandoned))
        return abandoned

    async def __aenter__(self) -> Executor:
        """Start the executor."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the executor with the default grace period."""
        await self.stop()

    async def run_direct(self, request: ActionRequest) -> ActionOutcome:
        """Run one request now and return its outcome, bypassing the source.

        For callers that wait for the result themselves (``run-action`` with
        ``save_result: false``): no claim, no report, no concurrency cap, but
        the same timeouts, thread pool and error handling.
        """
        runner = self._runner
        if runner is None:
            raise RuntimeError("Executor.run_direct() needs a started executor")
        prepared = runner.prepare(request)
        if isinstance(prepared, ActionOutcome):
            return prepared
        if prepared.run_mode is RunMode.INLINE:
            return runner.run_inline(request, prepared)
        if prepared.run_mode is RunMode.ASYNC:
            return await runner.run_async(request, prepared)
        return await runner.run_thread(request, prepared)

    def cancel(self, action_execution_id: str) -> bool:
        """Cancel a running action; it is reported CANCELLED. False if not running here.

        An ``async def run`` is interrupted; a blocking ``run`` cannot be, so
        its thread finishes in the background and its result is ignored.
        """
        task = self._tasks.get(action_execution_id)
        if task is None:
            return False
        self._cancel_requested.add(action_execution_id)
        task.cancel()
        return True

    async def _claim_loop(self) -> None:
        cfg = self._config
        source = self._source
        batcher = self._batcher
        assert batcher is not None
        while not self._stopping:
            free = cfg.max_concurrency - len(self._tasks)
            if free <= 0:
                self._slot_free.clear()
                await self._wait(self._slot_free.wait())
                continue
            if batcher.backlog >= cfg.max_unreported:
                await self._wait(batcher.wait_below(cfg.max_unreported))
                continue
            try:
                requests = await source.claim(min(free, cfg.claim_batch))
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception:
                LOG.exception("Claiming work failed; retrying in %s s", cfg.retry_delay)
                await self._wait(asyncio.sleep(cfg.retry_delay))
                continue
            if not requests:
                await self._wait(source.wait_for_work(cfg.poll_interval))
                continue
            for request in requests:
                self._start(request)
            # Let tasks, the reporter and heartbeats run between batches.
            await asyncio.sleep(0)

    async def _wait(self, awaitable: object) -> None:
        self._idle = True
        try:
            await awaitable  # type: ignore[misc]
        finally:
            self._idle = False

    def _start(self, request: ActionRequest) -> None:
        runner = self._runner
        batcher = self._batcher
        assert runner is not None and batcher is not None
        prepared = runner.prepare(request)
        if isinstance(prepared, ActionOutcome):
            batcher.add(prepared)
            return
        mode = prepared.run_mode
        if mode is RunMode.INLINE:
            batcher.add(runner.run_inline(request, prepared))
            return
        run = runner.run_async if mode is RunMode.ASYNC else runner.run_thread
        task = asyncio.get_running_loop().create_task(self._supervise(request, prepared, run))
        self._tasks[request.action_execution_id] = task

    async def _supervise(
        self,
        request: ActionRequest,
        descriptor: ActionDescriptor,
        run: Callable[[ActionRequest, ActionDescriptor], Awaitable[ActionOutcome]],
    ) -> None:
        # The coroutine is made here, not by the caller, so a task cancelled
        # before its first step leaves no never-awaited coroutine behind.
        started = time.time()
        key = request.action_execution_id
        try:
            outcome = await run(request, descriptor)
        except asyncio.CancelledError:
            if key not in self._cancel_requested:
                raise  # shutdown: leave it unreported for the lease to handle
            outcome = cancelled_outcome(request, started)
        finally:
            self._cancel_requested.discard(key)
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]
            self._slot_free.set()
        assert self._batcher is not None
        self._batcher.add(outcome)

    async def _heartbeat_loop(self) -> None:
        batcher = self._batcher
        assert batcher is not None
        while True:
            await asyncio.sleep(self._config.heartbeat_interval)
            ids = [*self._tasks, *batcher.waiting_ids()]
            if not ids:
                continue
            try:
                await self._source.heartbeat(ids)
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception:
                LOG.exception("Heartbeat of %d leases failed; will try again", len(ids))
