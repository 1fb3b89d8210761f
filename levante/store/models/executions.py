"""Runs: workflow executions, task executions and action executions.

Columns follow Mistral's REST resources; Levante adds counters that keep every
per-iteration write O(1) (see docs/design/execution-model.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from levante.store.models.base import DEFAULT_NAMESPACE, Base, IdMixin, ScopedMixin, TimestampMixin
from levante.store.types import JSONValue, UTCDateTime, utc_now

_ZERO = text("0")
_FALSE = text("false")


class ExecutionMixin(IdMixin, ScopedMixin, TimestampMixin):
    """Columns all three kinds of execution share."""

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    workflow_name: Mapped[str | None] = mapped_column(String(255))
    workflow_namespace: Mapped[str] = mapped_column(String(255), default=DEFAULT_NAMESPACE)
    state: Mapped[str] = mapped_column(String(20))
    state_info: Mapped[str | None] = mapped_column(Text())
    tags: Mapped[list[str] | None] = mapped_column(JSONValue)
    runtime_context: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)


class WorkflowExecution(ExecutionMixin, Base):
    """One run of a workflow (also a sub-workflow, or one with-items iteration of one)."""

    __tablename__ = "workflow_executions"
    __table_args__ = (
        Index(None, "project_id"),
        Index(None, "state"),
        Index(None, "created_at"),
        Index(None, "task_execution_id"),
        Index(None, "root_execution_id"),
    )

    workflow_id: Mapped[str | None] = mapped_column(String(80))
    spec: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    accepted: Mapped[bool] = mapped_column(Boolean(), default=False)
    input: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    published_global: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    task_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("task_executions.id", ondelete="CASCADE", use_alter=True)
    )
    root_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workflow_executions.id", ondelete="SET NULL")
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    active_tasks: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)


class TaskExecution(ExecutionMixin, Base):
    """One run of a task in a workflow execution; counts its iterations."""

    __tablename__ = "task_executions"
    __table_args__ = (
        UniqueConstraint("workflow_execution_id", "unique_key"),
        Index(None, "workflow_execution_id", "state"),
        Index(None, "workflow_execution_id", "name"),
        Index(None, "project_id"),
        # Item history: every run of one task of one workflow, newest first, is a seek.
        Index(None, "workflow_name", "name", "created_at"),
    )

    workflow_execution_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    workflow_id: Mapped[str | None] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(10), default="ACTION")
    in_context: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    unique_key: Mapped[str | None] = mapped_column(String(255))
    processed: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=_FALSE)
    has_next_tasks: Mapped[bool] = mapped_column(Boolean(), default=False)
    next_tasks: Mapped[list[Any] | None] = mapped_column(JSONValue)
    error_handled: Mapped[bool] = mapped_column(Boolean(), default=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    items_count: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    items_started: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    items_succeeded: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    items_failed: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    items_cancelled: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    attempt: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    join_arrivals: Mapped[list[Any] | None] = mapped_column(JSONValue)


#: The predicate of the finished-actions index (queries must repeat it to use the index).
FINISHED_ACTIONS = "state IN ('SUCCESS', 'ERROR', 'CANCELLED')"


class ActionExecution(ExecutionMixin, Base):
    """One run of an action: one per with-items iteration and per retry attempt."""

    __tablename__ = "action_executions"
    __table_args__ = (
        Index(None, "task_execution_id", "attempt", "item_index"),
        # Only rows waiting for a concurrency slot: "next IDLE iteration" is a seek.
        # (state is constant here, but listing it makes SQLite prefer this index.)
        Index(
            "ix_action_executions_idle",
            "task_execution_id",
            "attempt",
            "state",
            "item_index",
            sqlite_where=text("state = 'IDLE'"),
            postgresql_where=text("state = 'IDLE'"),
        ),
        Index(None, "workflow_execution_id"),
        Index(None, "project_id"),
        # Finished rows only, by finish time: /metrics reads what finished since its last
        # scrape with a seek. A row enters it once, when it finishes (not on every update).
        Index(
            "ix_action_executions_finished",
            "updated_at",
            sqlite_where=text(FINISHED_ACTIONS),
            postgresql_where=text(FINISHED_ACTIONS),
        ),
        # No index on state alone: it would be rewritten by every result on the hot path.
    )

    task_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("task_executions.id", ondelete="CASCADE")
    )
    workflow_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workflow_executions.id", ondelete="CASCADE")
    )
    accepted: Mapped[bool] = mapped_column(Boolean(), default=False)
    input: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    is_sync: Mapped[bool | None] = mapped_column(Boolean())
    last_heartbeat: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    item_index: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    attempt: Mapped[int] = mapped_column(Integer(), default=0, server_default=_ZERO)
    safe_rerun: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=_FALSE)
    target: Mapped[str | None] = mapped_column(String(255))


class WorkflowSnapshot(Base):
    """A workflow definition text as executions run it, stored once per checksum.

    An execution's ``spec`` says which workflow of which text it runs
    (``{"workflow", "namespace", "checksum"}``); the text itself is here, so a
    thousand runs of one definition keep one copy of it. Rows of older
    versions carry the text inline (``spec["definition"]``) and are read as
    they are.
    """

    __tablename__ = "workflow_snapshots"

    checksum: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of ``definition``."""
    definition: Mapped[str] = mapped_column(Text())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
