"""Workflow definition texts that executions run, stored once per checksum.

An execution's ``spec`` column names what it runs: ``{"workflow",
"namespace", "checksum"}``; the text is a ``workflow_snapshots`` row
(:class:`~levante.store.models.WorkflowSnapshot`). Rows written before
snapshots existed carry the text inline as ``spec["definition"]``; every
reader goes through :func:`definition_of`, which takes either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from levante.store.models import WorkflowSnapshot
from levante.store.sql import dialect_name
from levante.store.types import utc_now

SNAPSHOTS: Table = WorkflowSnapshot.__table__  # type: ignore[assignment]


def store_definitions(session: Session, texts: Mapping[str, str]) -> set[str]:
    """Keep each definition text (by checksum) not stored yet, in one statement.

    Returns the checksums this call added; the others were there already.
    """
    if not texts:
        return set()
    insert = postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    statement = (insert(SNAPSHOTS).on_conflict_do_nothing(index_elements=["checksum"])
                 .returning(SNAPSHOTS.c.checksum))
    now = utc_now()
    rows = [{"checksum": checksum, "definition": text, "created_at": now}
            for checksum, text in texts.items()]
    return set(session.scalars(statement, rows[0] if len(rows) == 1 else rows))


def definition_of(session: Session, spec: Mapping[str, Any] | None) -> str | None:
    """The definition text an execution's ``spec`` names (inline in older rows), or None."""
    if not spec:
        return None
    inline = spec.get("definition")
    if isinstance(inline, str):
        return inline
    checksum = spec.get("checksum")
    if not checksum:
        return None
    found: str | None = session.scalar(select(SNAPSHOTS.c.definition).where(
        SNAPSHOTS.c.checksum == checksum))
    return found


def with_definition(session: Session, spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``spec`` with its ``definition`` text in it (what readers of older rows expect)."""
    if spec is None:
        return None
    return {**spec, "definition": definition_of(session, spec)}
