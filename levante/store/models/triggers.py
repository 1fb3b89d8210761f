"""What starts workflows on its own, and who may see whose resources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CHAR,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
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
        # No unique key over the schedule (upstream has one): remaining_executions
        # counts down, so twins (count 5 and 4) would collide while firing. The API
        # refuses true duplicates at creation (levante.api.cron_triggers).
        Index(None, "next_execution_time"),
        Index(None, "project_id"),
        Index(None, "workflow_name"),
        Index(None, "due_at"),
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
    # Levante's additions (levante.scheduler.policies names the values).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    """IANA time zone the pattern is read in; NULL: UTC (Mistral's behaviour)."""
    overlap_policy: Mapped[str] = mapped_column(
        String(16), default="allow", server_default=text("'allow'")
    )
    missed_run_policy: Mapped[str] = mapped_column(
        String(16), default="run_once", server_default=text("'run_once'")
    )
    missed_run_limit: Mapped[int | None] = mapped_column(Integer())
    jitter_seconds: Mapped[int] = mapped_column(Integer(), default=0, server_default=text("0"))
    paused: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=false())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    """When the next fire time is due: ``next_execution_time`` plus its jitter."""
    last_execution_id: Mapped[str | None] = mapped_column(String(36))
    """The execution the trigger started last (what the overlap policy looks at)."""


class CronTriggerRun(IdMixin, Base):
    """One fire time of a cron trigger and what happened (its history).

    The unique key on (trigger, fire time) is what makes firing exactly-once:
    every node may try to claim a fire time in the transaction that starts its
    execution, and the database lets one win. Rows outlive their trigger.
    """

    __tablename__ = "cron_trigger_runs"
    __table_args__ = (UniqueConstraint("trigger_id", "scheduled_at"),)

    trigger_id: Mapped[str] = mapped_column(String(36))
    trigger_name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str] = mapped_column(String(80), default=DEFAULT_PROJECT)
    scheduled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    fired_by: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    execution_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text())


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
