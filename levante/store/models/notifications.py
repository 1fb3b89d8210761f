"""The notifications outbox: events an execution's ``notify`` targets are to be told about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from levante.store.models.base import Base
from levante.store.types import BigIntId, JSONValue, UTCDateTime, utc_now


class Notification(Base):
    """One event for one target (a webhook), waiting to be delivered.

    Written in the transaction that changed the execution's state; deleted
    once the target accepted it (2xx). A failed attempt moves
    ``next_attempt_at`` back (exponential backoff) and records ``last_error``;
    after the last attempt ``failed_at`` is set and the row is kept for the
    operator. A delivering node claims a row by moving ``next_attempt_at``
    past its lease, so a node that dies mid-delivery only delays it.
    No foreign keys: a notification outlives a deleted execution.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # Rows still to deliver only: finding due ones is a seek.
        Index(
            "ix_notifications_due",
            "next_attempt_at",
            sqlite_where=text("failed_at IS NULL"),
            postgresql_where=text("failed_at IS NULL"),
        ),
        Index(None, "root_execution_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(40))
    workflow_execution_id: Mapped[str] = mapped_column(String(36))
    task_execution_id: Mapped[str | None] = mapped_column(String(36))
    root_execution_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    target: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    attempts: Mapped[int] = mapped_column(Integer(), default=0, server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    last_error: Mapped[str | None] = mapped_column(Text())
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
