"""Declarative base and the columns most tables share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from levante.store import ids
from levante.store.types import UTCDateTime, format_timestamp, utc_now

#: Project of every row when authentication is off (Mistral's value).
DEFAULT_PROJECT = "<default-project>"
#: The default namespace.
DEFAULT_NAMESPACE = ""

#: Constraint and index names that are the same on every database, so that
#: migrations can refer to them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A new row id (a UUID in its 36-character text form, as Mistral uses; time-ordered)."""
    return ids.new_id()


class Base(DeclarativeBase):
    """Base of every Levante table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def to_dict(self) -> dict[str, Any]:
        """The row's columns as a dict; timestamps rendered as Mistral's REST does."""
        out: dict[str, Any] = {}
        for column in self.__table__.columns:
            value = getattr(self, column.key)
            out[column.key] = format_timestamp(value) if isinstance(value, dt.datetime) else value
        return out

    def __repr__(self) -> str:
        ident = getattr(self, "id", None)
        name = getattr(self, "name", None)
        shown = f"id={ident!r}" + (f", name={name!r}" if name is not None else "")
        return f"{type(self).__name__}({shown})"


class IdMixin:
    """A UUID text primary key, generated when the row is inserted."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    """``created_at`` set on insert and ``updated_at`` on every update (UTC)."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), onupdate=utc_now)


class ScopedMixin:
    """Mistral's multi-tenancy columns: owning project and ``private``/``public`` scope."""

    scope: Mapped[str] = mapped_column(String(80), default="private")
    project_id: Mapped[str] = mapped_column(String(80), default=DEFAULT_PROJECT)
