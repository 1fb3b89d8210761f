"""The executor: runs action executions concurrently on asyncio.

Public API: :class:`Executor` and :class:`ExecutorConfig`; the values
:class:`ActionRequest`, :class:`ActionOutcome`, :class:`OutcomeState`; the
:class:`WorkSource` protocol the store implements, and
:class:`InMemoryWorkSource` for tests and embedded runs.
"""

from levante.executor.executor import Executor, ExecutorConfig
from levante.executor.model import ActionOutcome, ActionRequest, OutcomeState
from levante.executor.source import InMemoryWorkSource, WorkSource

__all__ = [
    "ActionOutcome",
    "ActionRequest",
    "Executor",
    "ExecutorConfig",
    "InMemoryWorkSource",
    "OutcomeState",
    "WorkSource",
]
