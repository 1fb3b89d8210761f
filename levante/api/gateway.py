"""The seam between the REST API and the engine: what the API asks the engine to do.

The API itself only reads and writes definitions; everything that starts or
changes a run goes through an :class:`EngineGateway`, which the server wiring
implements on top of the engine and the store. Each method runs its own
transaction(s) and returns ids; the API then reads the rows back to answer.
Until a gateway is wired in, those endpoints answer 501 (see
:class:`levante.api.errors.EngineNotWired`).

Errors a gateway raises reach the client as they would from the API itself:
:class:`levante.api.errors.ApiError` (with its status) and store errors
(``NotFoundError`` -> 404, ``DuplicateError``/``ConflictError`` -> 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

#: ``runtime_context`` key of an action execution that only carries a synchronous
#: run-action without ``save_result`` to an executor node: Mistral keeps nothing
#: for such a run, so the row is hidden from lists and deleted once answered.
UNSAVED_RUN_KEY = "unsaved_sync_run"


@dataclass(frozen=True)
class StartExecution:
    """``POST /v2/executions``: start a workflow (``workflow_id`` wins over the name).

    ``params`` is Mistral's params dict as given (``env``, ``namespace``,
    ``task_name`` for reverse workflows, ...); ``execution_id`` makes the call
    idempotent when the client chose the id.
    """

    workflow_identifier: str
    namespace: str = ""
    input: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    execution_id: str | None = None
    source_execution_id: str | None = None


@dataclass(frozen=True)
class RunAction:
    """``POST /v2/action_executions``: run one action outside a workflow.

    ``run_sync`` asks to wait for the result (Mistral's default when the result
    is not saved); ``save_result`` keeps an action execution row; ``target``
    routes it to an executor.
    """

    name: str
    input: Mapping[str, Any] = field(default_factory=dict)
    namespace: str = ""
    description: str = ""
    save_result: bool = False
    run_sync: bool | None = None
    timeout: float | None = None
    target: str | None = None


@dataclass(frozen=True)
class RunActionOutcome:
    """What running an action directly gave.

    ``action_execution_id`` is ``None`` when nothing was saved (Mistral then
    answers ``id: null``); ``state`` and ``output`` are what the client is
    shown in that case.
    """

    action_execution_id: str | None
    state: str
    output: Mapping[str, Any] | None = None
    state_info: str | None = None


class EngineGateway(Protocol):
    """What the API needs from the engine; implemented by the server wiring."""

    def start_execution(self, request: StartExecution) -> str:
        """Start a workflow execution (validating workflow and input first); its id."""
        ...

    def update_execution_state(
        self,
        execution_id: str,
        state: str,
        state_info: str | None = None,
        env: Mapping[str, Any] | None = None,
    ) -> None:
        """Pause, resume, cancel or fail an execution (``PUT /v2/executions/{id}``)."""
        ...

    def rerun_task(
        self, task_execution_id: str, reset: bool = True, env: Mapping[str, Any] | None = None
    ) -> None:
        """Rerun a failed task (``PUT /v2/tasks/{id}`` with ``state: RUNNING``)."""
        ...

    def skip_task(self, task_execution_id: str, env: Mapping[str, Any] | None = None) -> None:
        """Skip a failed task (``PUT /v2/tasks/{id}`` with ``state: SKIPPED``)."""
        ...

    def run_action(self, request: RunAction) -> RunActionOutcome:
        """Run an action directly (``POST /v2/action_executions``)."""
        ...

    def complete_action(self, action_execution_id: str, state: str, output: Any) -> None:
        """Report an asynchronous action's result (``PUT /v2/action_executions/{id}``).

        ``output`` is the action's result data (the row's output becomes
        ``{"result": output}``).
        """
        ...
