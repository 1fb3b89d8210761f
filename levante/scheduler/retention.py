"""How long cron trigger history is kept, and the purge that enforces it.

``cron_trigger_runs`` gains a row per fire time; a per-minute trigger adds
half a million a year. The purge keeps at most
:attr:`HistoryRetention.rows_per_trigger` rows per existing trigger (its
newest) and drops every row older than :attr:`HistoryRetention.max_age`
(rows of deleted triggers go by age only).

It deletes in transactions of at most ``batch_size`` rows and stops after
``max_batches`` of them per rule, so a node's cron loop is never held up for long; the
loop calls it again sooner when it reports more left. Several nodes may purge
at once: on PostgreSQL each batch takes its rows with ``FOR UPDATE SKIP
LOCKED`` (nodes share the work instead of waiting on each other), on SQLite
writers take turns. Deleting history never makes a fire time run again: a
row is only written once the trigger has moved past its fire time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from levante.scheduler.schedule import as_utc
from levante.store import Database
from levante.store.models import CronTrigger
from levante.store.models.triggers import CronTriggerRun


@dataclass(frozen=True)
class HistoryRetention:
    """How much cron trigger history a node keeps, and how it purges the rest."""

    rows_per_trigger: int = 1000
    """Most history rows kept per existing trigger (its newest fire times)."""
    max_age: dt.timedelta = dt.timedelta(days=90)
    """Rows whose fire time is older than this are dropped (also those of deleted triggers)."""
    interval: dt.timedelta = dt.timedelta(minutes=5)
    """Shortest time between two purges of one node."""
    batch_size: int = 1000
    """Most rows one purge transaction deletes."""
    max_batches: int = 20
    """Most transactions one purge runs for each rule (age, count) before it yields to
    firing (it then reports more)."""

    def __post_init__(self) -> None:
        """Refuse values that would purge everything or never finish."""
        if self.rows_per_trigger < 1:
            raise ValueError(f"rows_per_trigger must be at least 1, got {self.rows_per_trigger}")
        if self.max_age <= dt.timedelta(0):
            raise ValueError(f"max_age must be positive, got {self.max_age}")
        if self.batch_size < 1 or self.max_batches < 1:
            raise ValueError("batch_size and max_batches must be at least 1")


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    by_age: int
    """Rows older than the maximum age."""
    by_count: int
    """Rows beyond a trigger's newest ``rows_per_trigger``."""
    more: bool
    """True when it stopped at ``max_batches`` with rows still to delete."""


def purge_history(db: Database, retention: HistoryRetention, now: dt.datetime) -> PurgeReport:
    """Delete the history rows ``retention`` does not keep, in bounded batches."""
    cutoff = as_utc(now) - retention.max_age
    aged = _Budget(retention.max_batches)
    by_age = _delete_batches(db, retention.batch_size, aged, select(CronTriggerRun.id).where(
        CronTriggerRun.scheduled_at < cutoff))
    budget = _Budget(retention.max_batches)
    by_count = 0
    for trigger_id in _triggers_over(db, retention.rows_per_trigger):
        edge = _oldest_kept(db, trigger_id, retention.rows_per_trigger)
        if edge is not None:  # (None: another node trimmed it meanwhile)
            by_count += _delete_batches(db, retention.batch_size, budget, select(
                CronTriggerRun.id).where(CronTriggerRun.trigger_id == trigger_id,
                                         CronTriggerRun.scheduled_at < edge))
        if budget.exhausted:
            break
    return PurgeReport(by_age, by_count, aged.exhausted or budget.exhausted)


@dataclass
class _Budget:
    """Transactions left in this purge; ``exhausted`` once one ended with rows still to go."""

    left: int
    exhausted: bool = False


def _delete_batches(db: Database, size: int, budget: _Budget, rows: Select[tuple[str]]) -> int:
    """Delete the rows ``rows`` selects, ``size`` per transaction, within ``budget``."""
    deleted = 0
    while budget.left:
        budget.left -= 1
        count = db.run(lambda session: _delete_one_batch(session, db, rows, size))
        deleted += count
        if count < size:
            return deleted
    budget.exhausted = True
    return deleted


def _delete_one_batch(session: Session, db: Database, rows: Select[tuple[str]],
                      size: int) -> int:
    batch = rows.order_by(CronTriggerRun.scheduled_at).limit(size)
    if db.is_postgresql:
        batch = batch.with_for_update(skip_locked=True)
    ids = list(session.scalars(batch))
    if ids:
        session.execute(delete(CronTriggerRun).where(CronTriggerRun.id.in_(ids)))
    return len(ids)


def _triggers_over(db: Database, keep: int) -> list[str]:
    """Existing triggers with more than ``keep`` history rows."""
    with db.read() as session:
        return list(session.scalars(
            select(CronTriggerRun.trigger_id)
            .where(CronTriggerRun.trigger_id.in_(select(CronTrigger.id)))
            .group_by(CronTriggerRun.trigger_id)
            .having(func.count() > keep)
            .order_by(CronTriggerRun.trigger_id)))


def _oldest_kept(db: Database, trigger_id: str, keep: int) -> dt.datetime | None:
    """The fire time of the trigger's ``keep``-th newest row (``None``: it has fewer)."""
    with db.read() as session:
        edge = session.scalar(
            select(CronTriggerRun.scheduled_at)
            .where(CronTriggerRun.trigger_id == trigger_id)
            .order_by(CronTriggerRun.scheduled_at.desc())
            .offset(keep - 1).limit(1))
    return None if edge is None else as_utc(edge)
