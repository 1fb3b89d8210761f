"""Firing cron triggers against the database, with a fake clock (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from levante.scheduler import RunOutcome, SchedulerConfig, execution_id_for
from levante.store.models import CronTrigger, WorkflowExecution
from levante.store.models.triggers import CronTriggerRun
from tests.integration.scheduler.conftest import TEXT, Cron, next_time

MINUTE = dt.timedelta(minutes=1)


def executions_of(cron: Cron, trigger_id: str) -> list[WorkflowExecution]:
    with cron.db.read() as session:
        rows = session.scalars(select(WorkflowExecution)).all()
    return [r for r in rows if r.description and
            json.loads(r.description)["triggered_by"]["id"] == trigger_id]


def test_each_fire_time_starts_one_execution_that_names_its_trigger(cron: Cron) -> None:
    trigger = cron.create("every_minute")
    first = next_time(trigger)
    cron.clock.set(first - dt.timedelta(seconds=1))
    assert cron.scheduler.fire_due() == []
    cron.clock.set(first)
    [record] = cron.scheduler.fire_due()
    assert (record.outcome, record.scheduled_at) == (RunOutcome.STARTED, first)
    assert record.execution_id == execution_id_for(trigger["id"], first)
    assert cron.scheduler.fire_due() == []  # the same fire time never starts twice
    [execution] = executions_of(cron, trigger["id"])
    assert execution.id == record.execution_id and execution.input == {"name": "every_minute"}
    assert json.loads(execution.description)["triggered_by"] == {
        "type": "cron_trigger", "id": trigger["id"]}
    assert next_time(cron.get("every_minute")) == first + MINUTE


def test_the_database_lets_only_one_claim_of_a_fire_time_win(cron: Cron) -> None:
    trigger = cron.create("contested")
    first = next_time(trigger)
    with cron.db.transaction() as session:  # another node's claim, already committed
        session.add(CronTriggerRun(trigger_id=trigger["id"], trigger_name="contested",
                                   scheduled_at=first, recorded_at=first, fired_by="schedule",
                                   outcome="started"))
    cron.clock.set(first)
    with pytest.raises(IntegrityError):
        cron.scheduler.fire_due()
    # Nothing of the losing attempt stayed: no execution, the trigger not advanced.
    assert executions_of(cron, trigger["id"]) == []
    assert next_time(cron.get("contested")) == first


def test_remaining_executions_count_down_and_the_trigger_is_deleted_at_zero(cron: Cron) -> None:
    trigger = cron.create("twice", remaining_executions=2)
    first = next_time(trigger)
    cron.clock.set(first)
    cron.scheduler.fire_due()
    assert cron.get("twice")["remaining_executions"] == 1
    cron.clock.set(first + MINUTE)
    cron.scheduler.fire_due()
    assert cron.api.get("/v2/cron_triggers/twice").status_code == 404
    assert len(executions_of(cron, trigger["id"])) == 2


def test_run_once_after_downtime_starts_the_newest_and_records_the_missed(cron: Cron) -> None:
    first = next_time(cron.create("downtime"))
    cron.clock.set(first + 9 * MINUTE + dt.timedelta(seconds=30))
    records = cron.scheduler.fire_due()
    assert [r.outcome for r in records] == [RunOutcome.MISSED] * 9 + [RunOutcome.STARTED]
    history = cron.history("downtime")
    assert [h["outcome"] for h in history] == ["missed"] * 9 + ["started"]
    assert "missed-run policy run_once" in history[0]["detail"]
    assert "started 30 s late by missed-run policy run_once" in history[-1]["detail"]
    assert next_time(cron.get("downtime")) == first + 10 * MINUTE


def test_skip_and_run_all_missed_run_policies(cron: Cron) -> None:
    skip = next_time(cron.create("skipper", missed_run_policy="skip"))
    run_all = cron.create("runner", missed_run_policy="run_all", missed_run_limit=3)
    assert run_all["missed_run_policy"] == "run_all" and run_all["missed_run_limit"] == 3
    cron.clock.set(skip + 5 * MINUTE + dt.timedelta(seconds=30))
    cron.scheduler.fire_due()
    assert [h["outcome"] for h in cron.history("skipper")] == ["missed"] * 6
    assert [h["outcome"] for h in cron.history("runner")] == ["missed"] * 3 + ["started"] * 3


def test_overlap_forbid_skips_while_the_previous_execution_runs(cron: Cron) -> None:
    first = next_time(cron.create("exclusive", overlap_policy="forbid"))
    cron.clock.set(first)
    cron.scheduler.fire_due()
    cron.clock.set(first + MINUTE)
    [skipped] = cron.scheduler.fire_due()
    assert skipped.outcome is RunOutcome.SKIPPED
    assert "is still RUNNING; overlap policy forbid" in (skipped.detail or "")
    assert cron.history("exclusive")[-1]["outcome"] == "skipped"


def test_overlap_replace_cancels_the_previous_execution(cron: Cron) -> None:
    trigger = cron.create("replacing", overlap_policy="replace")
    first = next_time(trigger)
    cron.clock.set(first)
    [started] = cron.scheduler.fire_due()
    cron.clock.set(first + MINUTE)
    [replacing] = cron.scheduler.fire_due()
    assert replacing.outcome is RunOutcome.STARTED
    states = {e.id: e.state for e in executions_of(cron, trigger["id"])}
    assert states[started.execution_id] == "CANCELLED"
    assert states[replacing.execution_id] == "RUNNING"


def test_allow_is_mistrals_behaviour_and_starts_alongside(cron: Cron) -> None:
    trigger = cron.create("parallel")
    first = next_time(trigger)
    for step in range(3):
        cron.clock.set(first + step * MINUTE)
        cron.scheduler.fire_due()
    assert [e.state for e in executions_of(cron, trigger["id"])] == ["RUNNING"] * 3


def test_a_paused_trigger_does_not_fire_and_resuming_starts_from_now(cron: Cron) -> None:
    first = next_time(cron.create("sleepy"))
    paused = cron.api.put("/v2/cron_triggers/sleepy", json={"paused": True})
    assert paused.status_code == 200 and paused.json()["paused"] is True
    cron.clock.set(first + 5 * MINUTE)
    assert cron.scheduler.fire_due() == []
    resumed = cron.api.put("/v2/cron_triggers/sleepy", json={"paused": False}).json()
    assert "paused" not in resumed  # back to the default: the resource reads as Mistral's
    # Recomputed from the API's (real) clock: the next fire time after now.
    assert dt.datetime.now(dt.UTC) < next_time(resumed) <= dt.datetime.now(dt.UTC) + MINUTE
    assert cron.history("sleepy") == []


def test_a_refused_start_is_recorded_and_does_not_hold_back_other_triggers(cron: Cron) -> None:
    doomed = next_time(cron.create("doomed"))
    cron.create("healthy")
    changed = "version: '2.0'\nnightly:\n  input:\n    - name\n    - region\n  tasks:\n" \
              "    greet:\n      action: std.noop\n"
    assert cron.api.put("/v2/workflows", content=changed, headers=TEXT).status_code == 200
    # "healthy" keeps working once its input is updated in place.
    update = {"workflow_input": {"name": "healthy", "region": "eu"}}
    assert cron.api.put("/v2/cron_triggers/healthy", json=update).status_code == 200
    cron.clock.set(doomed)
    records = {r.trigger_name: r for r in cron.scheduler.fire_due()}
    assert records["doomed"].outcome is RunOutcome.FAILED
    assert "region" in (records["doomed"].detail or "")
    assert records["healthy"].outcome is RunOutcome.STARTED
    assert next_time(cron.get("doomed")) == doomed + MINUTE


def test_fire_now_starts_once_without_moving_the_schedule(cron: Cron) -> None:
    trigger = cron.create("manual", remaining_executions=5)
    fired = cron.api.post("/v2/cron_triggers/manual/fire")
    assert fired.status_code == 201, fired.text
    assert fired.json()["outcome"] == "started"
    after = cron.get("manual")
    assert after["remaining_executions"] == 5
    assert after["next_execution_time"] == trigger["next_execution_time"]
    [execution] = executions_of(cron, trigger["id"])
    assert execution.id == fired.json()["execution_id"]
    assert cron.history("manual")[0]["fired_by"] == "manual"
    assert cron.api.post("/v2/cron_triggers/nope/fire").status_code == 404


def test_jitter_delays_the_start_but_not_the_recorded_fire_time(cron: Cron) -> None:
    trigger = cron.create("jittery", jitter_seconds=30)
    first = next_time(trigger)
    with cron.db.read() as session:
        due = session.scalar(select(CronTrigger.due_at).where(CronTrigger.id == trigger["id"]))
    assert due is not None and first <= due.replace(tzinfo=dt.UTC) < first + 30 * dt.timedelta(
        seconds=1)
    cron.clock.set(due.replace(tzinfo=dt.UTC))
    [record] = cron.scheduler.fire_due()
    assert record.scheduled_at == first


def test_batches_fire_many_triggers_each_exactly_once(cron: Cron) -> None:
    names = [f"many_{i}" for i in range(120)]
    first = max(next_time(cron.create(name)) for name in names)
    cron.clock.set(first)
    records = cron.scheduler.fire_due()
    # (Creating them may straddle a minute: an older fire time is then recorded as missed.)
    started = [r.trigger_name for r in records if r.outcome is RunOutcome.STARTED]
    assert sorted(started) == sorted(names)
    with cron.db.read() as session:
        assert session.scalar(select(func.count()).select_from(CronTriggerRun)) == len(records)


def test_a_burst_starts_with_a_small_batch_and_doubles_up_to_the_largest(cron: Cron) -> None:
    names = [f"burst_{i}" for i in range(30)]
    first = max(next_time(cron.create(name)) for name in names)
    cron.scheduler.config = SchedulerConfig(misfire_grace=dt.timedelta(hours=1),
                                            batch_size=2, largest_batch=8)
    sizes: list[int] = []
    cron.scheduler.on_fired = lambda batch: sizes.append(len({r.trigger_id for r in batch}))
    cron.clock.set(first)
    cron.scheduler.fire_due()
    assert sizes == [2, 4, 8, 8, 8]
