"""The REST API's engine gateway, implemented over a node's engine runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from levante.actions import ActionRegistry, default_registry
from levante.api.errors import ApiError, BadRequest, EngineNotWired, NotFound
from levante.api.gateway import RunAction, RunActionOutcome, StartExecution
from levante.engine.errors import (
    OperationError,
    WorkflowInputError,
    WorkflowNotFoundError,
    WorkflowStartError,
)
from levante.engine.runtime import EngineRuntime, NewWork
from levante.executor import ActionOutcome, ActionRequest
from levante.node.direct_action import (
    DirectAction,
    RunMode,
    plan_direct_action,
    transform_output,
)
from levante.node.queued_run import QueuedRun, QueuedRunner
from levante.store import definitions, ids
from levante.store.models import DEFAULT_PROJECT, ActionExecution, WorkflowDefinition
from levante.store.types import utc_now

#: Longest wait (s) for a synchronous run-action without its own ``timeout``.
DEFAULT_SYNC_TIMEOUT = 300.0
#: Extra wait (s) for a run through the queue: claiming it, and an engine node
#: failing it after its executor died (one lease).
QUEUE_GRACE_SECONDS = 15.0


class DirectRunner(Protocol):
    """What runs an action now (the node's :class:`~levante.executor.Executor`)."""

    async def run_direct(self, request: ActionRequest) -> ActionOutcome:
        """Run ``request`` and return its outcome."""
        ...


class RuntimeGateway:
    """What the API asks of the engine, done through an :class:`EngineRuntime`.

    Each method runs in the calling (request) thread and commits its own
    transaction(s); the node's executor and timers pick the work up.
    """

    def __init__(
        self,
        runtime: EngineRuntime,
        *,
        runner: DirectRunner | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        registry: ActionRegistry | None = None,
    ) -> None:
        """Steer executions through ``runtime``; ``runner`` on ``loop`` runs actions now."""
        self._runtime = runtime
        self._runner = runner
        self._loop = loop
        self._registry = registry if registry is not None else default_registry()
        self._queued = QueuedRunner(runtime.db, on_enqueued=self._wake_cluster)

    def _wake_cluster(self) -> None:
        # Executors (here and, over NOTIFY, on other nodes) claim the new entry at once.
        if self._runtime.on_work is not None:
            self._runtime.on_work(NewWork.ACTIONS)

    def start_execution(self, request: StartExecution) -> str:
        """Start a workflow by name or definition id; refused starts write nothing."""
        name, namespace = self._workflow_name(request.workflow_identifier, request.namespace)
        params = dict(request.params)
        params.setdefault("namespace", namespace)
        try:
            execution = self._runtime.start_workflow(
                name,
                dict(request.input),
                namespace=namespace,
                params=params,
                description=request.description,
                execution_id=request.execution_id,
            )
        except WorkflowNotFoundError as exc:
            raise NotFound(str(exc)) from exc
        except (WorkflowInputError, WorkflowStartError) as exc:
            raise BadRequest(str(exc)) from exc
        return str(execution["id"])

    def _workflow_name(self, identifier: str, namespace: str) -> tuple[str, str]:
        with self._runtime.db.read() as session:
            found = definitions.find_definition(session, WorkflowDefinition, identifier, namespace)
            if found is None:
                raise NotFound(f"Workflow not found [workflow_identifier={identifier}]")
            return found.name, found.namespace or ""

    def update_execution_state(
        self,
        execution_id: str,
        state: str,
        state_info: str | None = None,
        env: Mapping[str, Any] | None = None,
    ) -> None:
        """Change an execution's state the way Mistral's ``PUT /v2/executions/{id}`` does.

        PAUSED pauses and RUNNING resumes (a no-op unless PAUSED); SUCCESS,
        ERROR and CANCELLED stop it (no-ops on a finished execution, and ERROR
        on a paused one); SUCCESS from anything but RUNNING, and PAUSED of a
        finished execution, answer 400; SKIPPED changes nothing.
        """
        runtime = self._runtime
        try:
            if state == "PAUSED":
                runtime.pause(execution_id, state_info)
            elif state == "RUNNING":
                runtime.resume(execution_id, dict(env) if env is not None else None)
            elif state == "SUCCESS":
                runtime.succeed(execution_id, state_info)
            elif state == "CANCELLED":
                runtime.cancel(execution_id, state_info)
            elif state == "ERROR":
                runtime.fail(execution_id, state_info)
            elif state != "SKIPPED":
                raise BadRequest(
                    f"Cannot change state to {state}. Allowed states are: "
                    "RUNNING, PAUSED, SUCCESS, ERROR, CANCELLED"
                )
        except OperationError as exc:
            raise BadRequest(str(exc)) from exc

    def rerun_task(
        self, task_execution_id: str, reset: bool = True, env: Mapping[str, Any] | None = None
    ) -> None:
        """Rerun a failed task (``reset=False``: only its failed with-items iterations)."""
        try:
            self._runtime.rerun_task(
                task_execution_id, reset, dict(env) if env is not None else None
            )
        except OperationError as exc:
            raise BadRequest(str(exc)) from exc

    def skip_task(self, task_execution_id: str, env: Mapping[str, Any] | None = None) -> None:
        """Skip a failed task: it ends SKIPPED and the workflow follows its on-skip routes."""
        try:
            self._runtime.skip_task(task_execution_id, dict(env) if env is not None else None)
        except OperationError as exc:
            raise BadRequest(str(exc)) from exc

    def run_action(self, request: RunAction) -> RunActionOutcome:
        """Run an action outside a workflow: now (answering its result) or in the background.

        "Now" runs on this node's executor, unless the node has none or the run
        is ``target``-ed at a named executor: then an executor node claims it
        from the work queue and the request waits for its result
        (:mod:`levante.node.queued_run`).
        """
        with self._runtime.db.read() as session:
            plan = plan_direct_action(session, self._registry, request)
        if plan.mode is RunMode.BACKGROUND:
            # The row shows the action as asked for; an ad-hoc one runs its base (see adhoc).
            action_id = self._runtime.start_action(
                request.name,
                dict(request.input),
                namespace=request.namespace,
                description=request.description,
                target=request.target,
                timeout=request.timeout,
                adhoc=plan.adhoc.to_context() if plan.adhoc is not None else None,
            )
            return RunActionOutcome(action_id, "RUNNING")
        if request.target is not None or self._runner is None or self._loop is None:
            return self._run_queued(plan, request)
        outcome = self._run_now(plan.base_name, dict(plan.base_input), request)
        state = "SUCCESS" if outcome.state.value == "SUCCESS" else "ERROR"
        result = transform_output(plan, outcome.result) if state == "SUCCESS" else outcome.result
        output = {"result": result}
        if not plan.save:
            return RunActionOutcome(None, state, output, outcome.state_info)
        return RunActionOutcome(self._save(request, request.name, state, output), state, output)

    def _run_queued(self, plan: DirectAction, request: RunAction) -> RunActionOutcome:
        """Run on an executor node through the queue and wait; the row is kept with ``save``."""
        run = QueuedRun(
            name=request.name,
            input=dict(request.input),
            namespace=request.namespace,
            description=request.description,
            target=request.target,
            timeout=request.timeout,
            adhoc=plan.adhoc.to_context() if plan.adhoc is not None else None,
            keep=plan.save,
        )
        wait = (request.timeout or DEFAULT_SYNC_TIMEOUT) + QUEUE_GRACE_SECONDS
        finished = self._queued.run(run, wait)
        if plan.save:
            return RunActionOutcome(finished.action_execution_id, finished.state,
                                    finished.output, finished.state_info)
        return RunActionOutcome(None, finished.state, finished.output, finished.state_info)

    def _run_now(self, name: str, given: dict[str, Any], request: RunAction) -> ActionOutcome:
        if self._runner is None or self._loop is None:
            raise EngineNotWired("Running an action synchronously")
        action_request = ActionRequest(
            action_execution_id=ids.new_id(),
            action_name=name,
            input=given,
            timeout=request.timeout,
            target=request.target,
            namespace=request.namespace,
        )
        future = asyncio.run_coroutine_threadsafe(
            self._runner.run_direct(action_request), self._loop
        )
        wait = (request.timeout or DEFAULT_SYNC_TIMEOUT) + 5.0
        try:
            return future.result(timeout=wait)
        except TimeoutError as exc:
            future.cancel()
            raise ApiError(
                f"Action {request.name} did not finish within {wait:.0f} s; "
                "run it with --save-result to let it run in the background.",
                status_code=504,
            ) from exc

    def _save(self, request: RunAction, name: str, state: str, output: dict[str, Any]) -> str:
        """Keep the record of an action run synchronously with ``save_result``."""
        with self._runtime.db.transaction() as session:
            row = ActionExecution(
                id=ids.new_id(),
                name=name,
                state=state,
                input=dict(request.input),
                output=output,
                accepted=True,
                is_sync=True,
                workflow_namespace=request.namespace,
                description=request.description,
                project_id=DEFAULT_PROJECT,
                created_at=utc_now(),
            )
            session.add(row)
            session.flush()
            return row.id

    def complete_action(self, action_execution_id: str, state: str, output: Any) -> None:
        """Deliver an asynchronous action's result; refused if it is not RUNNING."""
        if not self._runtime.complete_action(action_execution_id, state, output):
            raise BadRequest(
                f"Action execution {action_execution_id} is not RUNNING; "
                "its result was already accepted"
            )
