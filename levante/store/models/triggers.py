"""What starts workflows on its own, and who may see whose resources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CHAR, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from levante.store.models.base import (
    DEFAULT_PROJECT,
    Base,
    IdMixin,
    ScopedMixin,
    TimestampMixin,
)
from levante.store.types import JSONValue, UTCDateTime


class CronTrigger(IdMixin, ScopedMixin, TimestampMixin, Base):
    """Starts a workflow on a cron pattern and/or at a first execution time."""

    __tablename__ = "cron_triggers"
    __table_args__ = (
        UniqueConstraint("name", "project_id"),
        UniqueConstraint(
            "workflow_input_hash",
            "workflow_name",
            "pattern",
            "project_id",
            "workflow_params_hash",
            "remaining_executions",
            "first_execution_time",
            name="uq_cron_triggers_schedule",
        ),
        Index(None, "next_execution_time"),
        Index(None, "project_id"),
        Index(None, "workflow_name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    pattern: Mapped[str | None] = mapped_column(String(100))
    first_execution_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    next_execution_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    workflow_name: Mapped[str] = mapped_column(String(255))
    workflow_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workflow_definitions.id")
    )
    workflow_input: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    workflow_input_hash: Mapped[str | None] = mapped_column(CHAR(64))
    workflow_params: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    workflow_params_hash: Mapped[str | None] = mapped_column(CHAR(64))
    remaining_executions: Mapped[int | None] = mapped_column(Integer())
    trust_id: Mapped[str | None] = mapped_column(String(80))


class EventTrigger(IdMixin, ScopedMixin, TimestampMixin, Base):
    """Starts a workflow when a notification arrives on an exchange/topic."""

    __tablename__ = "event_triggers"
    __table_args__ = (
        UniqueConstraint("exchange", "topic", "event", "workflow_id", "project_id"),
        Index(None, "project_id", "workflow_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    workflow_id: Mapped[str] = mapped_column(String(36), ForeignKey("workflow_definitions.id"))
    workflow_input: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    workflow_params: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    exchange: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(80))
    event: Mapped[str] = mapped_column(String(80))
    trust_id: Mapped[str | None] = mapped_column(String(80))


class ResourceMember(IdMixin, TimestampMixin, Base):
    """Shares one resource (a workflow) of a project with another project."""

    __tablename__ = "resource_members"
    __table_args__ = (UniqueConstraint("resource_id", "resource_type", "member_id"),)

    resource_id: Mapped[str] = mapped_column(String(80))
    resource_type: Mapped[str] = mapped_column(String(50), default="workflow")
    project_id: Mapped[str] = mapped_column(String(80), default=DEFAULT_PROJECT)
    member_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="pending")
