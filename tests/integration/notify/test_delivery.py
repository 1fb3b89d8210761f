"""The notify param end to end: outbox rows in the state change's transaction, webhooks sent."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from levante.engine.notify_outbox import OUTBOX
from levante.engine.runtime import EngineRuntime
from levante.node.notify import DeliveryConfig, NotificationDelivery
from levante.node.process import Node
from levante.store import Database
from levante.store.types import utc_now
from tests.integration.notify.receiver import Receiver

FAILING = """
version: '2.0'
failing:
  tasks:
    boom:
      action: std.fail
"""
WANTED = ["WORKFLOW_LAUNCHED", "TASK_FAILED", "WORKFLOW_FAILED"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver().start()
    yield hook
    hook.stop()


def notify_params(url: str, **extra: Any) -> dict[str, Any]:
    return {"notify": [{"type": "webhook", "url": url, **extra}]}


def outbox(db: Database) -> list[Any]:
    with db.read() as session:
        return list(session.execute(select(OUTBOX).order_by(OUTBOX.c.id)))


def test_a_failing_workflow_sends_the_events_asked_for_with_headers(
        db: Database, receiver: Receiver) -> None:
    async def scenario() -> dict[str, Any]:
        async with Node(db) as node:
            started = node.runtime.start_workflow(
                "failing", definition_text=FAILING,
                params=notify_params(receiver.url, headers={"X-Auth-Token": "s3cret"},
                                     event_types=WANTED))
            await asyncio.to_thread(receiver.wait_for, 3)
            # A row is deleted after its webhook answered: wait for that too.
            deadline = asyncio.get_running_loop().time() + 10
            while outbox(db) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            return started

    started = asyncio.run(scenario())
    assert receiver.events() == WANTED
    first = receiver.received[0]
    assert first.path == "/hook"
    assert first.headers["X-Auth-Token"] == "s3cret"
    wf_failed = receiver.received[2].body
    assert wf_failed["id"] == started["id"]
    assert {"id", "name", "workflow_name", "workflow_namespace", "workflow_id", "state",
            "state_info", "project_id", "task_execution_id", "root_execution_id",
            "created_at", "updated_at", "event"} <= set(wf_failed)
    assert wf_failed["state"] == "ERROR"
    task_failed = receiver.received[1].body
    assert task_failed["name"] == "boom"
    assert task_failed["workflow_execution_id"] == started["id"]
    assert task_failed["state"] == "ERROR"
    assert task_failed["finished_at"] is not None
    assert {"type", "started_at", "workflow_name"} <= set(task_failed)
    assert outbox(db) == []  # delivered rows are deleted


def test_the_outbox_row_commits_or_rolls_back_with_the_state_change(sqlite_db: Database) -> None:
    runtime = EngineRuntime(sqlite_db)
    runtime.start_workflow("failing", definition_text=FAILING)  # registers the definition

    class Refused(Exception):
        pass

    def start_then_fail(_session: Any, start: Any) -> None:
        start("failing", params=notify_params("http://127.0.0.1:9/hook"))
        raise Refused

    with pytest.raises(Refused):
        runtime.in_transaction(start_then_fail)
    assert outbox(sqlite_db) == []
    started = runtime.start_workflow("failing", params=notify_params("http://127.0.0.1:9/x"))
    rows = outbox(sqlite_db)
    assert [r.event for r in rows][:2] == ["WORKFLOW_LAUNCHED", "TASK_LAUNCHED"]
    assert rows[0].workflow_execution_id == started["id"]
    assert rows[0].target == {"type": "webhook", "url": "http://127.0.0.1:9/x"}


class Clock:
    """A settable clock for the delivery loop."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_receiver_that_is_down_gets_the_event_after_a_retry(sqlite_db: Database) -> None:
    hook = Receiver().start()
    hook.stop()  # its port now refuses connections
    runtime = EngineRuntime(sqlite_db)
    runtime.start_workflow("failing", definition_text=FAILING,
                           params=notify_params(hook.url, event_types=["WORKFLOW_LAUNCHED"]))
    clock = Clock()
    delivery = NotificationDelivery(sqlite_db, clock=clock, config=DeliveryConfig(
        first_delay=30.0, connect_timeout=1.0, request_timeout=2.0))
    assert asyncio.run(delivery.deliver_due()) == 1
    [row] = outbox(sqlite_db)
    assert row.attempts == 1 and row.last_error and row.failed_at is None
    assert row.next_attempt_at > clock.now  # backing off: not due again yet
    assert asyncio.run(delivery.deliver_due()) == 0
    hook.start()  # the same port, up again
    try:
        clock.now += dt.timedelta(seconds=31)
        assert asyncio.run(delivery.deliver_due()) == 1
        assert hook.events() == ["WORKFLOW_LAUNCHED"]
        assert outbox(sqlite_db) == []
    finally:
        hook.stop()


def test_a_refusing_receiver_is_retried_then_the_row_is_kept_as_failed(
        sqlite_db: Database, receiver: Receiver) -> None:
    receiver.status = 503
    runtime = EngineRuntime(sqlite_db)
    runtime.start_workflow("failing", definition_text=FAILING,
                           params=notify_params(receiver.url, event_types=["WORKFLOW_FAILED"]))
    # the action has not run: nothing failed yet, so nothing is due
    assert outbox(sqlite_db) == []
    with sqlite_db.transaction() as session:
        session.execute(OUTBOX.insert().values(
            event="WORKFLOW_FAILED", workflow_execution_id="x", root_execution_id="x",
            payload={"event": "WORKFLOW_FAILED"}, target={"type": "webhook", "url": receiver.url},
            attempts=0, next_attempt_at=utc_now(), created_at=utc_now()))
    clock = Clock()
    delivery = NotificationDelivery(sqlite_db, clock=clock,
                                    config=DeliveryConfig(max_attempts=3, first_delay=1.0))
    for _ in range(3):
        assert asyncio.run(delivery.deliver_due()) == 1
        clock.now += dt.timedelta(seconds=10)
    [row] = outbox(sqlite_db)
    assert row.attempts == 3
    assert row.failed_at is not None
    assert "503" in row.last_error
    assert asyncio.run(delivery.deliver_due()) == 0
    assert len(receiver.received) == 3


def test_an_unknown_target_type_fails_with_a_reason(sqlite_db: Database) -> None:
    with sqlite_db.transaction() as session:
        session.execute(OUTBOX.insert().values(
            event="WORKFLOW_FAILED", workflow_execution_id="x", root_execution_id="x",
            payload={}, target={"type": "carrier-pigeon"}, attempts=0,
            next_attempt_at=utc_now(), created_at=utc_now()))
    delivery = NotificationDelivery(sqlite_db, config=DeliveryConfig(max_attempts=1))
    asyncio.run(delivery.deliver_due())
    with sqlite_db.read() as session:
        row = session.execute(select(OUTBOX)).one()
        assert row.failed_at is not None
        assert "carrier-pigeon" in row.last_error
        assert session.scalar(select(func.count()).select_from(OUTBOX)) == 1


def test_events_of_one_execution_arrive_in_order_even_across_a_retry(
        sqlite_db: Database, receiver: Receiver) -> None:
    with sqlite_db.transaction() as session:
        for event in ("TASK_FAILED", "WORKFLOW_FAILED"):
            session.execute(OUTBOX.insert().values(
                event=event, workflow_execution_id="x", root_execution_id="x",
                payload={"event": event}, target={"type": "webhook", "url": receiver.url},
                attempts=0, next_attempt_at=utc_now(), created_at=utc_now()))
    receiver.status = 503
    clock = Clock()
    delivery = NotificationDelivery(sqlite_db, clock=clock)
    assert asyncio.run(delivery.deliver_due()) == 2
    assert receiver.events() == ["TASK_FAILED"]  # the second waits for the first
    assert [r.attempts for r in outbox(sqlite_db)] == [1, 0]
    receiver.status = 200
    clock.now += dt.timedelta(seconds=5)
    asyncio.run(delivery.deliver_due())
    assert receiver.events() == ["TASK_FAILED", "TASK_FAILED", "WORKFLOW_FAILED"]
    assert outbox(sqlite_db) == []
