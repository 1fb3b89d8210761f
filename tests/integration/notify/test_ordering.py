"""The events of one execution reach a webhook in the order they happened.

Whatever fails and however many nodes deliver: a later event of an execution
is not sent to a target before every earlier one was delivered or given up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text

from levante.engine.notify_outbox import OUTBOX
from levante.node.notify import DeliveryConfig, NotificationDelivery
from levante.store import Database
from levante.store.types import utc_now
from tests.integration.notify.receiver import Receiver


class Clock:
    """A settable clock for the delivery loop (the receiver's thread may advance it)."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver().start()
    yield hook
    hook.stop()


def write(db: Database, root: str, event: str, url: str, now: dt.datetime | None = None,
          seq: int = 0) -> None:
    """One outbox row in a transaction of its own, as the engine writes it."""
    now = now or utc_now()
    with db.transaction() as session:
        session.execute(OUTBOX.insert().values(
            event=event, workflow_execution_id=root, root_execution_id=root,
            payload={"event": event, "root_execution_id": root, "seq": seq},
            target={"type": "webhook", "url": url}, attempts=0, next_attempt_at=now,
            created_at=now))


def outbox(db: Database) -> list[Any]:
    with db.read() as session:
        return list(session.execute(select(OUTBOX).order_by(OUTBOX.c.id)))


def test_an_event_written_after_a_failed_one_waits_for_its_retry(
        sqlite_db: Database, receiver: Receiver) -> None:
    clock = Clock()
    delivery = NotificationDelivery(sqlite_db, clock=clock)
    write(sqlite_db, "x", "TASK_FAILED", receiver.url, clock.now)
    receiver.status = 503
    assert asyncio.run(delivery.deliver_due()) == 1
    # Written after that round (or beyond its batch): due, but behind the failed one.
    write(sqlite_db, "x", "WORKFLOW_FAILED", receiver.url, clock.now)
    receiver.status = 200
    assert asyncio.run(delivery.deliver_due()) == 0
    assert receiver.events() == ["TASK_FAILED"]
    clock.now += dt.timedelta(seconds=2)  # the first retry is due after 1 s
    assert asyncio.run(delivery.deliver_due()) == 2
    assert receiver.events() == ["TASK_FAILED", "TASK_FAILED", "WORKFLOW_FAILED"]
    assert outbox(sqlite_db) == []


def test_a_given_up_event_no_longer_holds_the_later_ones_back(
        sqlite_db: Database, receiver: Receiver) -> None:
    clock = Clock()
    delivery = NotificationDelivery(sqlite_db, clock=clock,
                                    config=DeliveryConfig(max_attempts=1))
    write(sqlite_db, "x", "TASK_FAILED", receiver.url, clock.now)
    receiver.status = 503
    assert asyncio.run(delivery.deliver_due()) == 1
    write(sqlite_db, "x", "WORKFLOW_FAILED", receiver.url, clock.now)
    receiver.status = 200
    assert asyncio.run(delivery.deliver_due()) == 1
    assert receiver.events() == ["TASK_FAILED", "WORKFLOW_FAILED"]
    assert [r.event for r in outbox(sqlite_db)] == ["TASK_FAILED"]  # kept as failed


def test_a_second_node_does_not_send_a_later_event_while_the_first_holds_an_earlier_one(
        db: Database, receiver: Receiver) -> None:
    first = NotificationDelivery(db)
    second = NotificationDelivery(db)
    write(db, "x", "TASK_FAILED", receiver.url)
    [claimed] = first.claim_due()  # the first node is sending it
    write(db, "x", "WORKFLOW_FAILED", receiver.url)
    assert asyncio.run(second.deliver_due()) == 0
    assert receiver.events() == []
    first.settle([(claimed, None)])  # delivered
    assert asyncio.run(second.deliver_due()) == 1
    assert receiver.events() == ["WORKFLOW_FAILED"]


@pytest.mark.postgres
def test_a_claim_in_progress_on_another_node_keeps_the_later_events_back(
        pg_db: Database, receiver: Receiver) -> None:
    write(pg_db, "x", "TASK_FAILED", receiver.url)
    write(pg_db, "x", "WORKFLOW_FAILED", receiver.url)
    with pg_db.engine.connect() as other:
        # Another node's claim has locked the first row and not committed yet:
        # SKIP LOCKED hides it, and the second row looks like the head of its stream.
        other.begin()
        other.execute(text("SELECT id FROM notifications WHERE event = 'TASK_FAILED' "
                           "FOR UPDATE")).all()
        assert asyncio.run(NotificationDelivery(pg_db).deliver_due()) == 0
        other.rollback()
    assert receiver.events() == []
    assert asyncio.run(NotificationDelivery(pg_db).deliver_due()) == 2
    assert receiver.events() == ["TASK_FAILED", "WORKFLOW_FAILED"]


def test_a_dead_webhook_does_not_hold_back_another_targets_events(
        db: Database, receiver: Receiver) -> None:
    dead = "http://127.0.0.1:9/hook"
    for event in ("TASK_FAILED", "WORKFLOW_FAILED"):  # one row per target, as the engine
        write(db, "x", event, dead)
        write(db, "x", event, receiver.url)
    delivery = NotificationDelivery(db, config=DeliveryConfig(connect_timeout=2.0))
    assert asyncio.run(delivery.deliver_due()) == 4
    assert receiver.events() == ["TASK_FAILED", "WORKFLOW_FAILED"]
    assert [(r.event, r.attempts) for r in outbox(db)] == [
        ("TASK_FAILED", 1), ("WORKFLOW_FAILED", 0)]
    # A later event: the dead target's copy waits behind its retry, the other goes.
    write(db, "x", "WORKFLOW_RERUN", dead)
    write(db, "x", "WORKFLOW_RERUN", receiver.url)
    assert asyncio.run(delivery.deliver_due()) == 1
    assert receiver.events() == ["TASK_FAILED", "WORKFLOW_FAILED", "WORKFLOW_RERUN"]


def test_no_send_starts_that_could_end_after_the_claims_lease(
        sqlite_db: Database, receiver: Receiver) -> None:
    clock = Clock()
    config = DeliveryConfig(lease_seconds=60.0, request_timeout=10.0)
    delivery = NotificationDelivery(sqlite_db, clock=clock, config=config)
    for event in ("WORKFLOW_LAUNCHED", "TASK_FAILED", "WORKFLOW_FAILED"):
        write(sqlite_db, "x", event, receiver.url, clock.now)

    def slow(_body: dict[str, Any]) -> int:
        clock.now += dt.timedelta(seconds=30)  # each answer takes 30 s
        return 200

    receiver.answer = slow
    assert asyncio.run(delivery.deliver_due()) == 3
    # The third send would have started at +60 s: another node may own the row by then.
    assert receiver.events() == ["WORKFLOW_LAUNCHED", "TASK_FAILED"]
    [held] = outbox(sqlite_db)
    assert (held.event, held.attempts) == ("WORKFLOW_FAILED", 0)
    assert held.next_attempt_at <= clock.now  # due again at once
    assert asyncio.run(delivery.deliver_due()) == 1
    assert receiver.events()[-1] == "WORKFLOW_FAILED"


def test_a_send_cannot_outlast_its_lease() -> None:
    with pytest.raises(ValueError, match="request_timeout"):
        DeliveryConfig(lease_seconds=5.0, request_timeout=10.0)


EVENTS = ["WORKFLOW_LAUNCHED", "TASK_LAUNCHED", "TASK_SUCCEEDED", "TASK_LAUNCHED",
          "TASK_FAILED", "WORKFLOW_FAILED"]


@pytest.mark.postgres
def test_several_nodes_under_failures_deliver_each_executions_events_in_order(
        pg_db: Database, receiver: Receiver) -> None:
    """Four delivery loops, events written while they run, a webhook refusing a quarter."""
    roots = [f"exec-{i:02d}" for i in range(30)]
    chance = random.Random(7)
    lock = threading.Lock()

    def flaky(_body: dict[str, Any]) -> int:
        with lock:
            return 503 if chance.random() < 0.25 else 200

    receiver.answer = flaky
    config = DeliveryConfig(batch=4, poll_interval=0.02, first_delay=0.01, max_delay=0.05,
                            max_attempts=10_000, connect_timeout=2.0, request_timeout=5.0)

    def writer() -> None:
        # Each execution's events in order, one transaction each, executions interleaved.
        order = [root for root in roots for _ in EVENTS]
        random.Random(3).shuffle(order)
        written = dict.fromkeys(roots, 0)
        for root in order:
            write(pg_db, root, EVENTS[written[root]], receiver.url, seq=written[root])
            written[root] += 1

    async def scenario() -> None:
        loops = [asyncio.create_task(NotificationDelivery(pg_db, config=config).run())
                 for _ in range(4)]
        try:
            await asyncio.to_thread(writer)
            deadline = asyncio.get_running_loop().time() + 120
            while outbox(pg_db):
                assert asyncio.get_running_loop().time() < deadline, "not all delivered"
                await asyncio.sleep(0.05)
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)

    asyncio.run(scenario())
    delivered: dict[str, int] = dict.fromkeys(roots, 0)  # events accepted so far, per root
    for r in list(receiver.received):
        root, seq = r.body["root_execution_id"], r.body["seq"]
        sent = delivered[root]
        # Each arrival is the next undelivered event, or a resend of the last one
        # (at least once: a node may die after sending, before deleting the row).
        assert seq in (sent, sent - 1), (
            f"{root}: event {seq} ({r.body['event']}) arrived after {sent} were delivered")
        if r.status == 200 and seq == sent:
            delivered[root] += 1
    assert delivered == dict.fromkeys(roots, len(EVENTS))
