"""Starting a trigger by hand follows its overlap policy, like a scheduled fire time."""

from __future__ import annotations

import json

from sqlalchemy import select

from levante.scheduler import FiredBy, RunOutcome
from levante.store.models import WorkflowExecution
from levante.store.models.triggers import CronTriggerRun
from tests.integration.scheduler.conftest import Cron


def _states(cron: Cron, trigger_id: str) -> dict[str, str]:
    with cron.db.read() as session:
        rows = session.scalars(select(WorkflowExecution)).all()
    return {r.id: str(r.state) for r in rows if r.description
            and json.loads(r.description)["triggered_by"]["id"] == trigger_id}


def _manual_runs(cron: Cron, trigger_id: str) -> list[CronTriggerRun]:
    with cron.db.read() as session:
        return list(session.scalars(select(CronTriggerRun).where(
            CronTriggerRun.trigger_id == trigger_id,
            CronTriggerRun.fired_by == FiredBy.MANUAL.value).order_by(
            CronTriggerRun.recorded_at)))


def test_forbid_records_a_skipped_manual_run_while_the_last_execution_runs(cron: Cron) -> None:
    trigger = cron.create("exclusive", overlap_policy="forbid")
    first = cron.scheduler.fire_now("exclusive")
    assert first.outcome is RunOutcome.STARTED
    cron.clock.set(cron.clock.now.replace(microsecond=500_000))
    second = cron.scheduler.fire_now("exclusive")
    assert second.outcome is RunOutcome.SKIPPED and second.execution_id is None
    assert f"execution {first.execution_id} is still RUNNING" in (second.detail or "")
    assert list(_states(cron, trigger["id"]).values()) == ["RUNNING"]
    assert [r.outcome for r in _manual_runs(cron, trigger["id"])] == ["started", "skipped"]


def test_replace_cancels_the_running_execution_in_the_same_transaction(cron: Cron) -> None:
    trigger = cron.create("replacing", overlap_policy="replace")
    first = cron.scheduler.fire_now("replacing")
    cron.clock.set(cron.clock.now.replace(microsecond=500_000))
    second = cron.scheduler.fire_now("replacing")
    assert second.outcome is RunOutcome.STARTED
    assert f"replaced execution {first.execution_id}" in (second.detail or "")
    assert _states(cron, trigger["id"]) == {first.execution_id: "CANCELLED",
                                            second.execution_id: "RUNNING"}


def test_allow_starts_alongside(cron: Cron) -> None:
    trigger = cron.create("parallel")
    cron.scheduler.fire_now("parallel")
    cron.clock.set(cron.clock.now.replace(microsecond=500_000))
    cron.scheduler.fire_now("parallel")
    assert sorted(_states(cron, trigger["id"]).values()) == ["RUNNING", "RUNNING"]


def test_the_api_answers_409_for_a_skipped_manual_run_and_keeps_it_in_history(cron: Cron) -> None:
    cron.create("exclusive", overlap_policy="forbid")
    assert cron.api.post("/v2/cron_triggers/exclusive/fire").status_code == 201
    cron.clock.set(cron.clock.now.replace(microsecond=500_000))
    refused = cron.api.post("/v2/cron_triggers/exclusive/fire")
    assert refused.status_code == 409, refused.text
    assert "is still RUNNING; overlap policy forbid" in refused.text
    assert [r["outcome"] for r in cron.history("exclusive")] == ["started", "skipped"]
