"""The engine: given execution state and one event, decide what happens next.

Public API: :func:`decide`, the events in :mod:`levante.engine.events`, the
commands in :mod:`levante.engine.commands`, the records in
:mod:`levante.engine.records`, the reader protocol in
:mod:`levante.engine.reader`, and :class:`levante.engine.memory.MemoryHost`
(an in-memory host, the reference for the database-backed runtime).
"""

from levante.engine.core import decide
from levante.engine.errors import (
    EngineError,
    OperationError,
    WorkflowInputError,
    WorkflowNotFoundError,
    WorkflowStartError,
)

__all__ = [
    "EngineError",
    "OperationError",
    "WorkflowInputError",
    "WorkflowNotFoundError",
    "WorkflowStartError",
    "decide",
]
