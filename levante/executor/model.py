"""The executor's input and output values: what to run, and how it went."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from levante.actions.context import ActionContext


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One action execution to run, as claimed from the work queue.

    ``timeout`` is in seconds; None or 0 means no timeout (as the ``timeout``
    policy's 0). ``redelivered`` says a previous executor claimed it and died;
    the action then runs again only when ``safe_rerun`` is true.
    """

    action_execution_id: str
    action_name: str
    input: Mapping[str, Any] = field(default_factory=dict)
    timeout: float | None = None
    context: ActionContext | None = None
    safe_rerun: bool = False
    redelivered: bool = False
    target: str | None = None
    namespace: str = ""


class OutcomeState(enum.Enum):
    """How one run of an action ended, as reported to the engine."""

    #: Finished; ``result`` is the action's data.
    SUCCESS = "SUCCESS"
    #: Failed; ``result`` is the error data and ``state_info`` says why.
    ERROR = "ERROR"
    #: Cancelled (by the action's own ``Result(cancel=True)`` or by request).
    CANCELLED = "CANCELLED"
    #: An asynchronous action started; it stays RUNNING until its result is
    #: delivered through the API. Not a Mistral state: the engine keeps the
    #: action execution RUNNING and only releases the queue lease.
    PENDING = "PENDING"


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """The result of running one :class:`ActionRequest`.

    For ERROR, ``result`` holds what Mistral stores as the action's output
    ``result`` (the error data, or the error message when the action raised)
    and ``state_info`` a human-readable reason. Times are Unix timestamps.
    """

    action_execution_id: str
    state: OutcomeState
    result: Any = None
    state_info: str | None = None
    started_at: float = 0.0
    finished_at: float = 0.0

    @property
    def output(self) -> dict[str, Any] | None:
        """The action execution's ``output`` as Mistral shows it; None while PENDING."""
        return None if self.state is OutcomeState.PENDING else {"result": self.result}

    @property
    def is_final(self) -> bool:
        """False only for PENDING (an asynchronous action still running)."""
        return self.state is not OutcomeState.PENDING
