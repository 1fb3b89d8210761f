"""Durable timers: retry delays, waits, timeouts, resumes — each applied exactly once.

Setting a timer twice with the same ``unique_key`` is a no-op. The scheduler
claims due timers under a lease (concurrent schedulers skip each other's rows
on PostgreSQL) and deletes each in the transaction that applies it; a claim
whose lease ran out (its node died) is claimed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from levante.store.models import Timer
from levante.store.rows import chunked
from levante.store.sql import insert_ignoring_duplicates, lock_for_update
from levante.store.types import utc_now

_TABLE = Timer.__table__
_C = _TABLE.c
DEFAULT_LEASE_SECONDS = 30.0


@dataclass(frozen=True)
class DueTimer:
    """A timer claimed for firing."""

    id: int
    kind: str
    due_at: dt.datetime
    workflow_execution_id: str | None
    task_execution_id: str | None
    action_execution_id: str | None
    payload: dict[str, Any] | None
    unique_key: str | None


def set_timer(
    session: Session,
    *,
    kind: str,
    due_at: dt.datetime,
    unique_key: str | None = None,
    workflow_execution_id: str | None = None,
    task_execution_id: str | None = None,
    action_execution_id: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> bool:
    """Set a timer; ``False`` when one with this ``unique_key`` already exists (nothing changes).

    Give every timer that must not be set twice (a retry of attempt 3 of task
    X, say) a ``unique_key`` that names that purpose.
    """
    row = {
        "kind": kind,
        "due_at": due_at,
        "unique_key": unique_key,
        "workflow_execution_id": workflow_execution_id,
        "task_execution_id": task_execution_id,
        "action_execution_id": action_execution_id,
        "payload": dict(payload) if payload is not None else None,
        "claimed_by": None,
        "lease_until": None,
        "created_at": utc_now(),
    }
    if unique_key is None:
        session.execute(_TABLE.insert(), [row])
        return True
    return insert_ignoring_duplicates(session, _TABLE, [row], ["unique_key"]) == 1


def claim_due(
    session: Session,
    node_id: str,
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> list[DueTimer]:
    """Claim up to ``limit`` due timers (unclaimed, or whose claim expired), earliest first."""
    now = now or utc_now()
    candidates = lock_for_update(
        select(
            _C.id,
            _C.kind,
            _C.due_at,
            _C.workflow_execution_id,
            _C.task_execution_id,
            _C.action_execution_id,
            _C.payload,
            _C.unique_key,
        )
        .where(_C.due_at <= now, or_(_C.claimed_by.is_(None), _C.lease_until < now))
        .order_by(_C.due_at, _C.id)
        .limit(limit),
        skip_locked=True,
    )
    due = [DueTimer(*row) for row in session.execute(candidates)]
    if due:
        session.execute(
            update(_TABLE)
            .where(_C.id.in_([timer.id for timer in due]))
            .values(claimed_by=node_id, lease_until=now + dt.timedelta(seconds=lease_seconds))
        )
    return due


def delete_timers(session: Session, ids: Sequence[int]) -> int:
    """Delete timers by id (in the transaction that applies them); returns how many existed."""
    removed = 0
    for chunk in chunked(list(ids)):
        result = session.execute(delete(_TABLE).where(_C.id.in_(chunk)))
        removed += int(result.rowcount)  # type: ignore[attr-defined]
    return removed


def cancel_timer(session: Session, unique_key: str) -> bool:
    """Delete the timer set with ``unique_key``, if any (e.g. a timeout once its task is done)."""
    result = session.execute(delete(_TABLE).where(_C.unique_key == unique_key))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def cancel_timers_of(
    session: Session,
    *,
    workflow_execution_id: str | None = None,
    task_execution_id: str | None = None,
    kinds: Sequence[str] | None = None,
) -> int:
    """Delete the timers of a workflow or task execution (optionally only some kinds)."""
    if workflow_execution_id is None and task_execution_id is None:
        raise ValueError("name a workflow_execution_id or a task_execution_id")
    statement = delete(_TABLE)
    if workflow_execution_id is not None:
        statement = statement.where(_C.workflow_execution_id == workflow_execution_id)
    if task_execution_id is not None:
        statement = statement.where(_C.task_execution_id == task_execution_id)
    if kinds is not None:
        statement = statement.where(_C.kind.in_(list(kinds)))
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def next_due_at(session: Session) -> dt.datetime | None:
    """When the earliest timer is due (claimed or not), so a scheduler knows how long to sleep."""
    return session.scalar(select(func.min(_C.due_at)))
