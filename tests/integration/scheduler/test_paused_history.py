"""Fire times that pass while a trigger is paused appear in its history when it is resumed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from levante.scheduler import RunOutcome
from levante.scheduler.resume import PAUSED_ROWS_KEPT
from levante.store.models.triggers import CronTriggerRun
from tests.integration.scheduler.conftest import Cron, next_time

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def api_on_the_fake_clock(cron: Cron, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's pause and resume read the same fake clock as the scheduler."""
    monkeypatch.setattr("levante.api.cron_triggers.utc_now", cron.clock)


def pause(cron: Cron, name: str, paused: bool) -> dict[str, object]:
    answer = cron.api.put(f"/v2/cron_triggers/{name}", json={"paused": paused})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_resume_records_each_fire_time_that_passed_while_paused(cron: Cron) -> None:
    first = next_time(cron.create("napper"))
    cron.clock.set(first)
    [started] = cron.scheduler.fire_due()
    pause(cron, "napper", True)
    cron.clock.set(first + 10 * MINUTE + dt.timedelta(seconds=30))
    assert cron.scheduler.fire_due() == []
    resumed = pause(cron, "napper", False)
    assert next_time(resumed) == first + 11 * MINUTE
    history = cron.history("napper")
    assert [(h["outcome"], h["fired_by"]) for h in history] == (
        [("started", "schedule")] + [("paused", "schedule")] * 10)
    assert [h["scheduled_at"] for h in history[1:]] == [
        (first + m * MINUTE).strftime("%Y-%m-%d %H:%M:%S") for m in range(1, 11)]
    assert all(h["execution_id"] is None and h["detail"] is None for h in history[1:])
    # Firing carries on from the recomputed time, and nothing paused is started.
    cron.clock.set(first + 11 * MINUTE)
    [record] = cron.scheduler.fire_due()
    assert (record.outcome, record.scheduled_at) == (RunOutcome.STARTED, first + 11 * MINUTE)
    assert started.execution_id != record.execution_id


def test_pausing_and_resuming_before_the_next_fire_time_records_nothing(cron: Cron) -> None:
    first = next_time(cron.create("blink"))
    cron.clock.set(first - dt.timedelta(seconds=5))
    pause(cron, "blink", True)
    pause(cron, "blink", False)
    assert cron.history("blink") == []


def test_other_updates_of_a_paused_trigger_record_nothing(cron: Cron) -> None:
    first = next_time(cron.create("still_paused"))
    pause(cron, "still_paused", True)
    cron.clock.set(first + 3 * MINUTE)
    assert cron.api.put("/v2/cron_triggers/still_paused",
                        json={"jitter_seconds": 5}).status_code == 200
    assert cron.history("still_paused") == []
    assert cron.api.delete("/v2/cron_triggers/still_paused").status_code == 204


def test_a_long_pause_keeps_only_the_newest_and_says_how_many_are_left_out(cron: Cron) -> None:
    first = next_time(cron.create("per_second", pattern="* * * * * *"))
    pause(cron, "per_second", True)
    cron.clock.set(first + dt.timedelta(hours=2))  # 7,201 fire times
    pause(cron, "per_second", False)
    with cron.db.read() as session:
        rows = session.scalars(select(CronTriggerRun).order_by(CronTriggerRun.scheduled_at)).all()
        count = session.scalar(select(func.count()).select_from(CronTriggerRun))
    assert count == PAUSED_ROWS_KEPT
    assert {row.outcome for row in rows} == {"paused"}
    assert rows[-1].scheduled_at.replace(tzinfo=dt.UTC) == first + dt.timedelta(hours=2)
    assert rows[0].detail is not None
    assert rows[0].detail.startswith(f"{7201 - PAUSED_ROWS_KEPT} older fire times while paused")
    assert [row.detail for row in rows[1:]] == [None] * (PAUSED_ROWS_KEPT - 1)
