"""Triggers that differ only in their count or time zone are separate triggers.

Upstream's unique key over the schedule included ``remaining_executions``:
once the count-5 twin fired, it equalled the count-4 twin and the firing
transaction failed on every retry. The key is gone; the API still refuses
true duplicates at creation (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from levante.scheduler import RunOutcome
from levante.store.models import CronTrigger
from tests.integration.scheduler.conftest import Cron, next_time

MINUTE = dt.timedelta(minutes=1)
SAME_INPUT = {"workflow_input": {"name": "twin"}}


def in_two_minutes() -> str:
    """A first execution time the API accepts, as the CLI sends it (whole minutes).

    The API wants it at least a minute ahead; cutting the seconds off now + 3
    minutes leaves two, so a slow machine still creates both twins in time.
    """
    return (dt.datetime.now(dt.UTC) + 3 * MINUTE).strftime("%Y-%m-%d %H:%M")


def test_twins_counting_down_both_fire_to_completion(cron: Cron) -> None:
    # Every field of upstream's key set (a NULL one never collides there).
    twin = {"first_execution_time": in_two_minutes(), **SAME_INPUT}
    first = next_time(cron.create("twin_a", remaining_executions=5, **twin))
    assert next_time(cron.create("twin_b", remaining_executions=4, **twin)) == first
    started: dict[str, int] = {"twin_a": 0, "twin_b": 0}
    for minute in range(6):
        cron.clock.set(first + minute * MINUTE)
        for record in cron.scheduler.fire_due():
            assert record.outcome is RunOutcome.STARTED, record
            started[record.trigger_name] += 1
    assert started == {"twin_a": 5, "twin_b": 4}
    with cron.db.read() as session:
        assert session.scalars(select(CronTrigger.name)).all() == []  # both used up


def schedule(name: str, zone: str | None, first: str) -> dict[str, object]:
    body: dict[str, object] = {
        "name": name, "workflow_name": "nightly", "pattern": "0 2 * * *",
        "first_execution_time": first, "remaining_executions": 3, **SAME_INPUT}
    if zone is not None:
        body["time_zone"] = zone
    return body


def test_triggers_differing_only_in_time_zone_can_both_be_created(cron: Cron) -> None:
    first = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    paris = cron.api.post("/v2/cron_triggers", json=schedule("in_paris", "Europe/Paris", first))
    assert paris.status_code == 201, paris.text
    york = cron.api.post("/v2/cron_triggers",
                         json=schedule("in_new_york", "America/New_York", first))
    assert york.status_code == 201, york.text
    utc = cron.api.post("/v2/cron_triggers", json=schedule("in_utc", None, first))
    assert utc.status_code == 201, utc.text


def test_a_true_duplicate_is_still_refused_at_creation(cron: Cron) -> None:
    first = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    for zone in ("Europe/Paris", None):
        original = cron.api.post("/v2/cron_triggers", json=schedule(f"one_{zone}", zone, first))
        assert original.status_code == 201, original.text
        again = cron.api.post("/v2/cron_triggers", json=schedule(f"two_{zone}", zone, first))
        assert again.status_code == 409, again.text
        message = again.json()["faultstring"]
        assert message.startswith("Duplicate entry for cron trigger ['workflow_input_hash', "
                                  "'workflow_name', 'pattern', 'project_id'"), message
        assert "'time_zone']: " in message and "nightly, 0 2 * * *" in message
        assert cron.api.get(f"/v2/cron_triggers/two_{zone}").status_code == 404


def test_without_a_count_or_first_time_identical_triggers_are_allowed_as_upstream(
    cron: Cron,
) -> None:
    """Upstream's key never matched a NULL field; the check keeps that (Mistral accepts these)."""
    cron.create("plain_one", **SAME_INPUT)
    cron.create("plain_two", **SAME_INPUT)
