"""The state names stored in the execution tables (the words Mistral's REST API uses)."""

from __future__ import annotations

from enum import StrEnum


class WorkflowState(StrEnum):
    """State of a workflow execution."""

    IDLE = "IDLE"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"


class TaskState(StrEnum):
    """State of a task execution."""

    IDLE = "IDLE"
    """Waiting for a join to be satisfied, or paused before it starts."""
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    RUNNING_DELAYED = "DELAYED"
    """Waiting out a wait-before or a retry delay (Mistral shows ``DELAYED``)."""
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"
    SKIPPED = "SKIPPED"
    PAUSED = "PAUSED"


class ActionState(StrEnum):
    """State of an action execution."""

    IDLE = "IDLE"
    """Created, but waiting for a concurrency slot: no queue entry yet."""
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"
    PAUSED = "PAUSED"


#: States that never change again (except through an explicit rerun).
FINAL_STATES = frozenset({"SUCCESS", "ERROR", "CANCELLED", "SKIPPED"})
