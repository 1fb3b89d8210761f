"""Coordination tables: the work queue, durable timers and the live nodes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from levante.store.models.base import Base
from levante.store.types import BigIntId, JSONValue, UTCDateTime, utc_now


class WorkItem(Base):
    """A unit of work for an executor (the outbox of an action execution).

    Created in the transaction that creates the action execution; claimed by a
    node (``claimed_by`` + ``lease_until``) while it runs; deleted in the
    transaction that accepts the result.
    """

    __tablename__ = "work_queue"
    __table_args__ = (
        # Unclaimed entries only: claiming is a seek, not a scan of running work.
        Index(
            "ix_work_queue_ready",
            "available_at",
            sqlite_where=text("claimed_by IS NULL"),
            postgresql_where=text("claimed_by IS NULL"),
        ),
        Index(None, "lease_until"),
        Index(None, "claimed_by"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), default="run_action")
    action_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("action_executions.id", ondelete="CASCADE"), unique=True
    )
    target: Mapped[str | None] = mapped_column(String(255))
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Timer(Base):
    """Something the scheduler must do at ``due_at`` (retry, wait, timeout, resume...).

    ``unique_key`` makes setting the same timer twice a no-op; the timer is
    deleted in the transaction that applies it.
    """

    __tablename__ = "timers"
    __table_args__ = (Index(None, "due_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    workflow_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workflow_executions.id", ondelete="CASCADE"), index=True
    )
    task_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("task_executions.id", ondelete="CASCADE"), index=True
    )
    action_execution_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("action_executions.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unique_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class Node(Base):
    """A running Levante process (engine, executor, scheduler, API)."""

    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    roles: Mapped[list[str] | None] = mapped_column(JSONValue)
    executor_name: Mapped[str | None] = mapped_column(String(255))
    lease_seconds: Mapped[float] = mapped_column(default=30.0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
