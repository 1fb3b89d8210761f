"""The work queue: entries that make action executions run, claimed under a lease.

An entry is written in the transaction that creates (or promotes) its action
execution, claimed by one node at a time (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite has a single writer), kept while the action runs with its
lease renewed by the executor's heartbeat, and deleted in the transaction that
accepts the result. A claim whose lease ran out belongs to a dead node and is
taken over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from levante.store.bulk import insert_rows
from levante.store.models import WorkItem
from levante.store.rows import chunked
from levante.store.sql import lock_for_update
from levante.store.types import utc_now

#: How long a claim lasts without a heartbeat, unless told otherwise.
DEFAULT_LEASE_SECONDS = 30.0
RUN_ACTION = "run_action"

_TABLE = WorkItem.__table__
_C = _TABLE.c


@dataclass(frozen=True)
class ClaimedWork:
    """A queue entry as a node holds it."""

    id: int
    kind: str
    action_execution_id: str | None
    target: str | None
    claimed_by: str | None
    lease_until: dt.datetime | None


def enqueue(
    session: Session,
    action_execution_ids: Sequence[str],
    *,
    target: str | None = None,
    available_at: dt.datetime | None = None,
    kind: str = RUN_ACTION,
) -> None:
    """Add one entry per action execution (one ``executemany``), in the caller's transaction.

    Call it in the same transaction that inserts or promotes the action
    executions (outbox). An action execution can have one entry at a time: a
    second ``enqueue`` of the same id raises ``IntegrityError``.
    """
    if not action_execution_ids:
        return
    now = utc_now()
    rows = [
        {
            "kind": kind,
            "action_execution_id": action_id,
            "target": target,
            "available_at": available_at or now,
            "claimed_by": None,
            "lease_until": None,
            "created_at": now,
        }
        for action_id in action_execution_ids
    ]
    insert_rows(session, _TABLE, rows)


def claim(
    session: Session,
    node_id: str,
    limit: int,
    *,
    target: str | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    now: dt.datetime | None = None,
) -> list[ClaimedWork]:
    """Claim up to ``limit`` available entries for ``node_id``, oldest first.

    An executor named ``target`` takes entries aimed at it and untargeted ones;
    without a name, only untargeted ones. Concurrent claimers never get the
    same entry: on PostgreSQL they skip each other's locked rows.
    """
    now = now or utc_now()
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED):
    # PostgreSQL may run such a subquery more than once and claim more than ``limit``.
    candidates = _UNTARGETED if target is None else _TARGETED
    ids = list(session.scalars(candidates, {"now": now, "limit": limit, "target": target}))
    if not ids:
        return []
    claimed = [ClaimedWork(*row) for row in session.execute(
        _CLAIM, {"ids": ids, "node_id": node_id, "lease_until": lease_until})]
    return sorted(claimed, key=lambda item: item.id)


def _candidates(targets: ColumnElement[bool]) -> Select[Any]:
    """The oldest available entries ``targets`` admits, locked (PostgreSQL skips locked ones)."""
    return lock_for_update(
        select(_C.id)
        .where(_C.claimed_by.is_(None), _C.available_at <= bindparam("now"), targets)
        .order_by(_C.available_at, _C.id)
        .limit(bindparam("limit")),
        skip_locked=True,
    )


# Built once: building a statement costs more than running it on SQLite (an executor
# claims after every batch, a chain of tasks once per step).
_UNTARGETED = _candidates(_C.target.is_(None))
_TARGETED = _candidates(or_(_C.target.is_(None), _C.target == bindparam("target")))
_CLAIM = (
    update(_TABLE)
    .where(_C.id.in_(bindparam("ids", expanding=True)), _C.claimed_by.is_(None))
    .values(claimed_by=bindparam("node_id"), lease_until=bindparam("lease_until"))
    .returning(_C.id, _C.kind, _C.action_execution_id, _C.target, _C.claimed_by, _C.lease_until)
)


def renew_leases(
    session: Session,
    node_id: str,
    ids: Sequence[int],
    *,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    now: dt.datetime | None = None,
) -> set[int]:
    """Extend the leases of entries ``node_id`` still holds; returns the ids renewed.

    An id missing from the answer was completed or taken over: its action
    must not report as if it still owned it.
    """
    lease_until = (now or utc_now()) + dt.timedelta(seconds=lease_seconds)
    renewed: set[int] = set()
    for chunk in chunked(sorted(set(ids))):
        statement = (
            update(_TABLE)
            .where(_C.id.in_(chunk), _C.claimed_by == node_id)
            .values(lease_until=lease_until)
            .returning(_C.id)
        )
        renewed.update(session.scalars(statement))
    return renewed


def complete(session: Session, ids: Sequence[int]) -> int:
    """Delete entries by queue id; returns how many were there."""
    return _delete_in(session, _C.id, ids)


def complete_actions(session: Session, action_execution_ids: Sequence[str]) -> int:
    """Delete the entries of these action executions (when their results are accepted)."""
    return _delete_in(session, _C.action_execution_id, action_execution_ids)


def _delete_in(session: Session, column: ColumnElement[Any], values: Sequence[Any]) -> int:
    removed = 0
    for chunk in chunked(list(values)):
        result = session.execute(delete(_TABLE).where(column.in_(chunk)))
        removed += int(result.rowcount)  # type: ignore[attr-defined]
    return removed


def release(
    session: Session, ids: Sequence[int], *, available_at: dt.datetime | None = None
) -> int:
    """Put claimed entries back in the queue (unclaimed), e.g. to re-run a safe-rerun action."""
    released = 0
    for chunk in chunked(list(ids)):
        values: dict[str, object] = {"claimed_by": None, "lease_until": None}
        if available_at is not None:
            values["available_at"] = available_at
        result = session.execute(update(_TABLE).where(_C.id.in_(chunk)).values(**values))
        released += int(result.rowcount)  # type: ignore[attr-defined]
    return released


def expired_claims(
    session: Session, now: dt.datetime | None = None, *, limit: int = 1000
) -> list[ClaimedWork]:
    """Claimed entries whose lease has run out (their node stopped heartbeating)."""
    statement = (
        select(_C.id, _C.kind, _C.action_execution_id, _C.target, _C.claimed_by, _C.lease_until)
        .where(_C.claimed_by.is_not(None), _C.lease_until < (now or utc_now()))
        .order_by(_C.lease_until, _C.id)
        .limit(limit)
    )
    return [ClaimedWork(*row) for row in session.execute(statement)]


def take_over(
    session: Session,
    node_id: str,
    *,
    dead_nodes: Iterable[str] = (),
    limit: int = 1000,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    now: dt.datetime | None = None,
) -> list[ClaimedWork]:
    """Claim, for ``node_id``, entries held by dead nodes or with an expired lease.

    Returns the entries as they were (``claimed_by`` = the previous owner), so
    the caller can decide per action: re-queue it (``release``) when its task
    says safe-rerun, or fail it. Two nodes taking over at once never get the
    same entry.
    """
    now = now or utc_now()
    dead = sorted(set(dead_nodes))
    lost = _C.lease_until < now
    if dead:
        lost = or_(lost, _C.claimed_by.in_(dead))
    statement = lock_for_update(
        select(_C.id, _C.kind, _C.action_execution_id, _C.target, _C.claimed_by, _C.lease_until)
        .where(_C.claimed_by.is_not(None), _C.claimed_by != node_id, lost)
        .order_by(_C.id)
        .limit(limit),
        skip_locked=True,
    )
    taken = [ClaimedWork(*row) for row in session.execute(statement)]
    if taken:
        lease_until = now + dt.timedelta(seconds=lease_seconds)
        session.execute(
            update(_TABLE)
            .where(_C.id.in_([item.id for item in taken]))
            .values(claimed_by=node_id, lease_until=lease_until)
        )
    return taken


def queue_depth(session: Session) -> tuple[int, int]:
    """(waiting, claimed) entry counts, for progress displays and metrics."""
    rows = session.execute(
        select(_C.claimed_by.is_(None), func.count()).group_by(_C.claimed_by.is_(None))
    ).all()
    counts = {bool(waiting): int(count) for waiting, count in rows}
    return counts.get(True, 0), counts.get(False, 0)
