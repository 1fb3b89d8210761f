"""The REST API's engine gateway, implemented over a node's engine runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from levante.api.errors import BadRequest, EngineNotWired, NotFound
from levante.api.gateway import RunAction, RunActionOutcome, StartExecution
from levante.engine.errors import (
    OperationError,
    WorkflowInputError,
    WorkflowNotFoundError,
    WorkflowStartError,
)
from levante.engine.runtime import EngineRuntime
from levante.store import definitions
from levante.store.models import WorkflowDefinition


class RuntimeGateway:
    """What the API asks of the engine, done through an :class:`EngineRuntime`.

    Each method runs in the calling (request) thread and commits its own
    transaction(s); the node's executor and timers pick the work up.
    """

    def __init__(self, runtime: EngineRuntime) -> None:
        """Steer executions through ``runtime``."""
        self._runtime = runtime

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
            found = definitions.find_definition(
                session, WorkflowDefinition, identifier, namespace
            )
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
        """PAUSED pauses, RUNNING resumes, CANCELLED cancels, ERROR fails the execution."""
        runtime = self._runtime
        try:
            if state == "PAUSED":
                runtime.pause(execution_id, state_info)
            elif state == "RUNNING":
                runtime.resume(execution_id, dict(env) if env is not None else None)
            elif state == "CANCELLED":
                runtime.cancel(execution_id, state_info)
            elif state == "ERROR":
                runtime.fail(execution_id, state_info)
            else:
                raise BadRequest(
                    f"An execution can be set to PAUSED, RUNNING, CANCELLED or ERROR, not {state}"
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

    def run_action(self, request: RunAction) -> RunActionOutcome:
        """Running an action outside a workflow is not wired to the executor yet."""
        raise EngineNotWired("run-action")

    def complete_action(
        self, action_execution_id: str, state: str, output: Mapping[str, Any] | None
    ) -> None:
        """Deliver an asynchronous action's result; refused if it is not RUNNING."""
        data = dict(output) if output is not None else None
        if not self._runtime.complete_action(action_execution_id, state, data):
            raise BadRequest(
                f"Action execution {action_execution_id} is not RUNNING; "
                "its result was already accepted"
            )
