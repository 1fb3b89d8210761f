"""Running one action request and turning what happened into an outcome.

Every path ends in an :class:`ActionOutcome`: an unknown action, bad input,
an exception, a timeout or a ``Result(error=...)`` are ERROR outcomes with a
message, never an exception escaping into the executor. Only cancellation
(``asyncio.CancelledError``) propagates, for the executor to decide.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from levante.actions.context import ActionContext
from levante.actions.descriptor import ActionDescriptor
from levante.actions.errors import ActionInputError, ActionLoadError, ActionNotFound
from levante.actions.registry import ActionRegistry
from levante.actions.result import as_result
from levante.executor.model import ActionOutcome, ActionRequest, OutcomeState

LOG = logging.getLogger(__name__)

_SUCCESS = OutcomeState.SUCCESS
_ERROR = OutcomeState.ERROR


class ActionRunner:
    """Runs requests in the three run modes (inline, async, thread)."""

    def __init__(
        self, registry: ActionRegistry, pool: ThreadPoolExecutor, max_threads: int
    ) -> None:
        """Use ``registry`` to find actions and ``pool`` for blocking ones."""
        self._registry = registry
        self._pool = pool
        self._thread_slots = asyncio.Semaphore(max_threads)

    def prepare(self, request: ActionRequest) -> ActionDescriptor | ActionOutcome:
        """The descriptor to run, or at once the ERROR outcome explaining why not."""
        now = time.time()
        if request.redelivered and not request.safe_rerun:
            return error_outcome(
                request,
                f"Action execution {request.action_execution_id} ({request.action_name}) was "
                "in flight on an executor that stopped; it was not run again because its "
                "task does not say 'safe-rerun: true'.",
                now,
            )
        try:
            return self._registry.get(request.action_name, request.namespace)
        except (ActionNotFound, ActionLoadError) as exc:
            return error_outcome(request, str(exc), now)

    def run_inline(self, request: ActionRequest, descriptor: ActionDescriptor) -> ActionOutcome:
        """Run a non-blocking ``run`` right here, on the event loop."""
        started = time.time()
        try:
            action = descriptor.instantiate(request.input)
            value = action.run(request.context or _default_context(request))
            return finish(request, action, value, started)
        except ActionInputError as exc:
            return error_outcome(request, str(exc), started)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:
            return raised_outcome(request, exc, started)

    async def run_async(
        self, request: ActionRequest, descriptor: ActionDescriptor
    ) -> ActionOutcome:
        """Await an ``async def run`` on the event loop, within the timeout."""
        started = time.time()
        deadline = asyncio.timeout(request.timeout or None)
        try:
            action = descriptor.instantiate(request.input)
            async with deadline:
                value = await action.run(request.context or _default_context(request))
            return finish(request, action, value, started)
        except ActionInputError as exc:
            return error_outcome(request, str(exc), started)
        except TimeoutError as exc:
            if deadline.expired():
                return timed_out(request, started)
            return raised_outcome(request, exc, started)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:
            return raised_outcome(request, exc, started)

    async def run_thread(
        self, request: ActionRequest, descriptor: ActionDescriptor
    ) -> ActionOutcome:
        """Run a blocking ``run`` in the thread pool, within the timeout.

        The timeout counts from when a thread is free, not from when the
        request was claimed. A thread cannot be interrupted: after a timeout
        or cancellation the outcome is reported at once, and the thread's
        slot is freed only when ``run`` really returns.
        """
        await self._thread_slots.acquire()
        started = time.time()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, _call_blocking, descriptor, request)
        future.add_done_callback(self._thread_done)
        deadline = asyncio.timeout(request.timeout or None)
        try:
            async with deadline:
                action, value = await asyncio.shield(future)
            return finish(request, action, value, started)
        except ActionInputError as exc:
            return error_outcome(request, str(exc), started)
        except TimeoutError as exc:
            if deadline.expired():
                LOG.warning(
                    "Action %s (%s) timed out; its thread keeps running until run() returns",
                    request.action_execution_id,
                    request.action_name,
                )
                return timed_out(request, started)
            return raised_outcome(request, exc, started)
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:
            return raised_outcome(request, exc, started)

    def _thread_done(self, future: asyncio.Future[Any]) -> None:
        self._thread_slots.release()
        if not future.cancelled():
            # Mark a late exception as seen: the outcome was already reported.
            future.exception()


def _call_blocking(descriptor: ActionDescriptor, request: ActionRequest) -> tuple[Any, Any]:
    # Instantiation runs in the thread too: third-party constructors may block.
    action = descriptor.instantiate(request.input)
    return action, action.run(request.context or _default_context(request))


def _default_context(request: ActionRequest) -> ActionContext:
    return ActionContext.for_action_execution(request.action_execution_id)


def finish(request: ActionRequest, action: Any, value: Any, started: float) -> ActionOutcome:
    """The outcome of a ``run`` that returned ``value`` (plain or a Result)."""
    result = as_result(value)
    now = time.time()
    if result.is_error():
        return ActionOutcome(
            request.action_execution_id, _ERROR, result.error, _describe_error(result.error),
            started, now,
        )
    if not action.is_sync():
        # Mistral ignores what an asynchronous action returns unless it is an error.
        return ActionOutcome(
            request.action_execution_id, OutcomeState.PENDING, None, None, started, now
        )
    if result.is_cancel():
        return ActionOutcome(
            request.action_execution_id, OutcomeState.CANCELLED, result.data,
            "Cancelled by the action", started, now,
        )
    return ActionOutcome(request.action_execution_id, _SUCCESS, result.data, None, started, now)


def error_outcome(request: ActionRequest, message: str, started: float) -> ActionOutcome:
    """An ERROR outcome whose result and state_info are ``message``."""
    return ActionOutcome(
        request.action_execution_id, _ERROR, message, message, started, time.time()
    )


def raised_outcome(request: ActionRequest, exc: BaseException, started: float) -> ActionOutcome:
    """The ERROR outcome of an action whose ``run`` raised ``exc``."""
    LOG.debug("Action %s raised", request.action_execution_id, exc_info=exc)
    text = str(exc)
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return error_outcome(request, f"Action '{request.action_name}' failed: {detail}", started)


def timed_out(request: ActionRequest, started: float) -> ActionOutcome:
    """The ERROR outcome of an action that exceeded its timeout."""
    return error_outcome(
        request,
        f"Action '{request.action_name}' timed out after {request.timeout:g} seconds",
        started,
    )


def cancelled_outcome(request: ActionRequest, started: float) -> ActionOutcome:
    """The CANCELLED outcome of an action cancelled on request."""
    return ActionOutcome(
        request.action_execution_id, OutcomeState.CANCELLED, None,
        "Cancelled on request", started, time.time(),
    )


def _describe_error(error: Any) -> str:
    return error if isinstance(error, str) else str(error)
