"""Small SQL building blocks whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.store.models import Base


def dialect_name(session: Session) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database ``session`` talks to."""
    return session.get_bind().dialect.name


def is_unique_violation(error: IntegrityError) -> bool:
    """True when ``error`` comes from a UNIQUE (or primary key) constraint."""
    code = getattr(error.orig, "sqlstate", None)
    if code is not None:
        return bool(code == "23505")
    return "UNIQUE constraint failed" in str(error.orig)


def insert_ignoring_duplicates(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
) -> int:
    """``INSERT ... ON CONFLICT (conflict_columns) DO NOTHING``; returns how many rows went in."""
    if not rows:
        return 0
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*table.primary_key.columns)
    )
    # Counted from RETURNING: rowcount is not reliable for a batched executemany.
    if len(rows) == 1:
        return len(session.execute(statement, dict(rows[0])).all())
    return len(session.execute(statement, list(rows)).all())


def lock_for_update(statement: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
    """Add ``FOR UPDATE [SKIP LOCKED]`` (PostgreSQL); SQLite ignores it and needs no lock.

    On SQLite the write transaction (BEGIN IMMEDIATE) already excludes other writers.
    """
    return statement.with_for_update(skip_locked=skip_locked)


def lock_rows(session: Session, model: type[Base], ids: Iterable[str]) -> list[str]:
    """Lock rows of ``model`` by id, in id order (the deadlock-free order); returns ids found.

    Follow the lock order of docs/design/execution-model.md: workflow rows,
    then task rows, then action rows. A no-op lock on SQLite (one writer).
    """
    wanted = sorted(set(ids))
    if not wanted:
        return []
    id_column = model.__table__.c.id
    statement = select(id_column).where(id_column.in_(wanted)).order_by(id_column)
    return list(session.scalars(lock_for_update(statement)))
