"""Purging cron trigger history: newest N per trigger, nothing older than D days (SQLite, PG)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from levante.scheduler import CronLoop
from levante.scheduler.retention import HistoryRetention, PurgeReport, purge_history
from levante.store import Database
from levante.store.models.triggers import CronTriggerRun
from tests.integration.scheduler.conftest import Cron

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


def add_runs(db: Database, trigger_id: str, times: list[dt.datetime]) -> None:
    """History rows of ``trigger_id`` at ``times`` (as the scheduler writes them)."""
    with db.transaction() as session:
        session.add_all(CronTriggerRun(
            trigger_id=trigger_id, trigger_name=f"t-{trigger_id[:8]}", scheduled_at=moment,
            recorded_at=moment, fired_by="schedule", outcome="started") for moment in times)


def kept(db: Database, trigger_id: str) -> list[dt.datetime]:
    """The fire times left in ``trigger_id``'s history, oldest first."""
    with db.read() as session:
        return [moment.replace(tzinfo=dt.UTC) for moment in session.scalars(
            select(CronTriggerRun.scheduled_at).where(CronTriggerRun.trigger_id == trigger_id)
            .order_by(CronTriggerRun.scheduled_at))]


def total(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(CronTriggerRun)) or 0)


def test_rows_older_than_the_maximum_age_go_for_live_and_deleted_triggers(cron: Cron) -> None:
    now = cron.clock()
    live = cron.create("aging")["id"]
    gone = "00000000-0000-4000-8000-00000000dead"  # a trigger deleted long ago
    for trigger_id in (live, gone):
        add_runs(cron.db, trigger_id, [now - 91 * DAY, now - 90 * DAY - MINUTE, now - 89 * DAY])
    report = purge_history(cron.db, HistoryRetention(), now)
    assert report == PurgeReport(by_age=4, by_count=0, more=False)
    assert kept(cron.db, live) == kept(cron.db, gone) == [now - 89 * DAY]


def test_each_existing_trigger_keeps_its_newest_rows_deleted_ones_go_by_age_only(
    cron: Cron,
) -> None:
    now = cron.clock()
    busy = cron.create("busy")["id"]
    quiet = cron.create("quiet")["id"]
    gone = "00000000-0000-4000-8000-00000000dead"
    busy_times = [now - m * MINUTE for m in range(15, 0, -1)]
    add_runs(cron.db, busy, busy_times)
    add_runs(cron.db, quiet, busy_times[:10])
    add_runs(cron.db, gone, busy_times)
    report = purge_history(cron.db, HistoryRetention(rows_per_trigger=10), now)
    assert report == PurgeReport(by_age=0, by_count=5, more=False)
    assert kept(cron.db, busy) == busy_times[5:]
    assert kept(cron.db, quiet) == busy_times[:10]
    assert kept(cron.db, gone) == busy_times


def test_a_purge_stops_after_its_batches_and_the_next_one_carries_on(cron: Cron) -> None:
    now = cron.clock()
    trigger = cron.create("backlog")["id"]
    add_runs(cron.db, trigger, [now - 100 * DAY - m * MINUTE for m in range(10)]
             + [now - m * MINUTE for m in range(1, 8)])
    small = HistoryRetention(rows_per_trigger=3, batch_size=4, max_batches=1)
    # One transaction of at most 4 rows per rule and purge; the oldest rows go first.
    assert purge_history(cron.db, small, now) == PurgeReport(4, 4, more=True)
    assert purge_history(cron.db, small, now) == PurgeReport(2, 4, more=True)
    assert purge_history(cron.db, small, now) == PurgeReport(0, 0, more=False)
    assert kept(cron.db, trigger) == [now - m * MINUTE for m in (3, 2, 1)]


def test_nodes_purging_at_the_same_time_delete_each_row_once(cron: Cron) -> None:
    now = cron.clock()
    triggers = [cron.create(f"crowd_{i}")["id"] for i in range(3)]
    for trigger in triggers:
        add_runs(cron.db, trigger, [now - 200 * DAY + m * MINUTE for m in range(60)]
                 + [now - m * MINUTE for m in range(1, 41)])
    retention = HistoryRetention(rows_per_trigger=25, batch_size=7, max_batches=1000)
    reports: list[PurgeReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def node() -> None:
        try:
            start.wait()
            reports.append(purge_history(cron.db, retention, now))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=node) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.by_age for r in reports) == 3 * 60
    assert sum(r.by_count for r in reports) == 3 * 15
    for trigger in triggers:
        assert kept(cron.db, trigger) == [now - m * MINUTE for m in range(25, 0, -1)]


def test_the_loop_purges_at_most_once_per_interval(cron: Cron) -> None:
    now = cron.clock()
    trigger = cron.create("periodic")["id"]
    loop = CronLoop(cron.scheduler, HistoryRetention(rows_per_trigger=2,
                                                     interval=dt.timedelta(minutes=5)))
    add_runs(cron.db, trigger, [now - m * MINUTE for m in (3, 2, 1)])
    assert loop.purge_if_due() == PurgeReport(0, 1, more=False)
    add_runs(cron.db, trigger, [now - 30 * dt.timedelta(seconds=1)])
    cron.clock.set(now + 4 * MINUTE)
    assert loop.purge_if_due() is None  # too soon: the extra row stays
    assert len(kept(cron.db, trigger)) == 3
    cron.clock.set(now + 5 * MINUTE)
    assert loop.purge_if_due() == PurgeReport(0, 1, more=False)
    assert len(kept(cron.db, trigger)) == 2


def test_the_loop_comes_back_sooner_when_a_purge_left_rows(cron: Cron) -> None:
    now = cron.clock()
    trigger = cron.create("behind")["id"]
    add_runs(cron.db, trigger, [now - 120 * DAY + m * MINUTE for m in range(5)])
    loop = CronLoop(cron.scheduler, HistoryRetention(batch_size=2, max_batches=1))
    reports = [loop.purge_if_due() for _ in range(4)]
    assert reports == [PurgeReport(2, 0, True), PurgeReport(2, 0, True),
                       PurgeReport(1, 0, False), None]
    assert total(cron.db) == 0


def test_the_running_loop_purges(cron: Cron) -> None:
    now = cron.clock()
    trigger = cron.create("looped")["id"]
    add_runs(cron.db, trigger, [now - 100 * DAY])

    async def scenario() -> int:
        loop = CronLoop(cron.scheduler)
        task = asyncio.create_task(loop.run())
        try:
            async with asyncio.timeout(30):
                while total(cron.db):  # the purge is the loop's own business: watch its effect
                    await asyncio.sleep(0.05)
        finally:
            task.cancel()
        return total(cron.db)

    assert asyncio.run(scenario()) == 0


@pytest.mark.parametrize("bad", [{"rows_per_trigger": 0}, {"max_age": dt.timedelta(0)},
                                 {"batch_size": 0}, {"max_batches": 0}])
def test_retention_values_that_would_purge_everything_are_refused(
    bad: dict[str, object],
) -> None:
    with pytest.raises(ValueError):
        HistoryRetention(**bad)  # type: ignore[arg-type]
