"""What users register: workbooks, workflows, ad-hoc actions, environments, code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from levante.store.models.base import (
    DEFAULT_NAMESPACE,
    Base,
    IdMixin,
    ScopedMixin,
    TimestampMixin,
)
from levante.store.types import JSONValue


class DefinitionMixin(IdMixin, ScopedMixin, TimestampMixin):
    """Columns every named, namespaced definition has."""

    name: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str] = mapped_column(String(255), default=DEFAULT_NAMESPACE)
    definition: Mapped[str | None] = mapped_column(Text())
    spec: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    tags: Mapped[list[str] | None] = mapped_column(JSONValue)


class Workbook(DefinitionMixin, Base):
    """A workbook: a file of workflows and actions sharing a name prefix."""

    __tablename__ = "workbooks"
    __table_args__ = (
        UniqueConstraint("name", "namespace", "project_id"),
        Index(None, "project_id"),
    )


class WorkflowDefinition(DefinitionMixin, Base):
    """One workflow; ``definition`` is its text (or the whole file it came from)."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (
        UniqueConstraint("name", "namespace", "project_id"),
        Index(None, "project_id"),
    )

    input: Mapped[str | None] = mapped_column(Text())
    is_system: Mapped[bool] = mapped_column(Boolean(), default=False)
    checksum: Mapped[str | None] = mapped_column(String(64))
    workbook_name: Mapped[str | None] = mapped_column(String(255))


class ActionDefinition(DefinitionMixin, Base):
    """An ad-hoc action: a named action with a base action and input mapping."""

    __tablename__ = "action_definitions"
    __table_args__ = (
        UniqueConstraint("name", "namespace", "project_id"),
        Index(None, "project_id"),
    )

    input: Mapped[str | None] = mapped_column(Text())
    description: Mapped[str | None] = mapped_column(Text())
    is_system: Mapped[bool] = mapped_column(Boolean(), default=False)
    workbook_name: Mapped[str | None] = mapped_column(String(255))


class Environment(IdMixin, ScopedMixin, TimestampMixin, Base):
    """A named set of variables a workflow execution can be started with."""

    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("name", "project_id"), Index(None, "project_id"))

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text())
    variables: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)


class CodeSource(IdMixin, ScopedMixin, TimestampMixin, Base):
    """Python source text that dynamic actions are loaded from."""

    __tablename__ = "code_sources"
    __table_args__ = (
        UniqueConstraint("name", "namespace", "project_id"),
        Index(None, "project_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str] = mapped_column(String(255), default=DEFAULT_NAMESPACE)
    content: Mapped[str | None] = mapped_column(Text())
    version: Mapped[int] = mapped_column(Integer(), default=1)
    tags: Mapped[list[str] | None] = mapped_column(JSONValue)


class DynamicActionDefinition(IdMixin, ScopedMixin, TimestampMixin, Base):
    """An action implemented by a class in a code source."""

    __tablename__ = "dynamic_action_definitions"
    __table_args__ = (
        UniqueConstraint("name", "namespace", "project_id"),
        Index(None, "project_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str] = mapped_column(String(255), default=DEFAULT_NAMESPACE)
    class_name: Mapped[str] = mapped_column(String(255))
    code_source_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("code_sources.id", ondelete="CASCADE"), index=True
    )
    code_source_name: Mapped[str | None] = mapped_column(String(255))
