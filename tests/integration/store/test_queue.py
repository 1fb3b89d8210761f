"""The work queue: outbox insert, claims under a lease, renewal, completion, takeover."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from levante.store import queue
from levante.store.db import Database
from levante.store.models import ActionExecution, WorkItem
from levante.store.types import utc_now

from .factories import iterations, task, workflow

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)


def _actions(db: Database, count: int) -> list[str]:
    with db.transaction() as session:
        return iterations(session, task(session, workflow(session)), count)


def test_entries_are_claimed_once_oldest_first(db: Database) -> None:
    ids = _actions(db, 5)
    with db.transaction() as session:
        queue.enqueue(session, ids[:3], available_at=NOW)
        queue.enqueue(session, ids[3:], available_at=NOW + dt.timedelta(seconds=1))
    later = NOW + dt.timedelta(seconds=5)
    with db.transaction() as session:
        first = queue.claim(session, "node-a", 2, now=later, lease_seconds=10)
    with db.transaction() as session:
        rest = queue.claim(session, "node-b", 10, now=later)
        assert queue.claim(session, "node-b", 10, now=later) == []
    assert [c.action_execution_id for c in first] == ids[:2]
    assert [c.action_execution_id for c in rest] == ids[2:]
    assert {c.claimed_by for c in first} == {"node-a"}
    assert first[0].lease_until == later + dt.timedelta(seconds=10)


def test_entries_wait_until_they_are_available(db: Database) -> None:
    (action_id,) = _actions(db, 1)
    with db.transaction() as session:
        queue.enqueue(session, [action_id], available_at=NOW + dt.timedelta(minutes=1))
        assert queue.claim(session, "n", 10, now=NOW) == []
        assert len(queue.claim(session, "n", 10, now=NOW + dt.timedelta(minutes=1))) == 1


def test_targeted_entries_go_only_to_their_executor(db: Database) -> None:
    plain, aimed = _actions(db, 2)
    with db.transaction() as session:
        queue.enqueue(session, [plain], available_at=NOW)
        queue.enqueue(session, [aimed], target="gpu", available_at=NOW)
    with db.transaction() as session:
        anonymous = queue.claim(session, "n1", 10, now=NOW)
        named = queue.claim(session, "n2", 10, target="gpu", now=NOW)
    assert [c.action_execution_id for c in anonymous] == [plain]
    assert [(c.action_execution_id, c.target) for c in named] == [(aimed, "gpu")]


def test_an_action_has_at_most_one_entry(db: Database) -> None:
    (action_id,) = _actions(db, 1)
    with pytest.raises(IntegrityError), db.transaction() as session:
        queue.enqueue(session, [action_id])
        queue.enqueue(session, [action_id])


def test_leases_are_renewed_only_by_their_holder(db: Database) -> None:
    ids = _actions(db, 2)
    with db.transaction() as session:
        queue.enqueue(session, ids, available_at=NOW)
        claimed = queue.claim(session, "a", 1, now=NOW, lease_seconds=5)
        queue.claim(session, "b", 1, now=NOW, lease_seconds=5)
    entry_ids = [c.id for c in claimed]
    later = NOW + dt.timedelta(seconds=3)
    with db.transaction() as session:
        assert queue.renew_leases(session, "a", entry_ids, lease_seconds=5, now=later) == set(
            entry_ids
        )
        assert queue.renew_leases(session, "b", entry_ids, now=later) == set()
    with db.read() as session:
        row = session.get(WorkItem, entry_ids[0])
        assert row is not None and row.lease_until == later + dt.timedelta(seconds=5)


def test_completing_deletes_entries_by_id_or_by_action(db: Database) -> None:
    ids = _actions(db, 3)
    with db.transaction() as session:
        queue.enqueue(session, ids)
        claimed = queue.claim(session, "n", 1)
        assert queue.complete(session, [claimed[0].id]) == 1
        assert queue.complete_actions(session, ids[1:]) == 2
        assert queue.complete(session, [claimed[0].id]) == 0
        assert session.scalars(select(WorkItem)).all() == []


def test_deleting_an_action_execution_deletes_its_entry(db: Database) -> None:
    ids = _actions(db, 1)
    with db.transaction() as session:
        queue.enqueue(session, ids)
    with db.transaction() as session:
        session.delete(session.get(ActionExecution, ids[0]))
    with db.read() as session:
        assert queue.queue_depth(session) == (0, 0)


def test_expired_claims_are_taken_over_once(db: Database) -> None:
    ids = _actions(db, 3)
    with db.transaction() as session:
        queue.enqueue(session, ids, available_at=NOW)
        queue.claim(session, "dead", 2, now=NOW, lease_seconds=10)
        queue.claim(session, "alive", 1, now=NOW, lease_seconds=60)
    after = NOW + dt.timedelta(seconds=30)
    with db.read() as session:
        expired = queue.expired_claims(session, after)
    assert [(e.action_execution_id, e.claimed_by) for e in expired] == [
        (ids[0], "dead"),
        (ids[1], "dead"),
    ]
    with db.transaction() as session:
        taken = queue.take_over(session, "rescuer", now=after, lease_seconds=10)
        assert queue.take_over(session, "other", now=after) == []
    assert [(t.action_execution_id, t.claimed_by) for t in taken] == [
        (ids[0], "dead"),
        (ids[1], "dead"),
    ]
    with db.read() as session:
        assert queue.expired_claims(session, after) == []
        owners = dict(
            session.execute(select(WorkItem.action_execution_id, WorkItem.claimed_by)).all()
        )
    assert owners == {ids[0]: "rescuer", ids[1]: "rescuer", ids[2]: "alive"}


def test_claims_of_a_dead_node_are_taken_over_before_their_lease_ends(db: Database) -> None:
    ids = _actions(db, 2)
    with db.transaction() as session:
        queue.enqueue(session, ids, available_at=NOW)
        queue.claim(session, "crashed", 1, now=NOW, lease_seconds=600)
        queue.claim(session, "fine", 1, now=NOW, lease_seconds=600)
    with db.transaction() as session:
        taken = queue.take_over(session, "me", dead_nodes=["crashed"], now=NOW)
    assert [t.action_execution_id for t in taken] == [ids[0]]


def test_released_entries_can_be_claimed_again(db: Database) -> None:
    ids = _actions(db, 1)
    with db.transaction() as session:
        queue.enqueue(session, ids, available_at=NOW)
        claimed = queue.claim(session, "a", 1, now=NOW)
        assert queue.queue_depth(session) == (0, 1)
        assert queue.release(session, [c.id for c in claimed]) == 1
        assert queue.queue_depth(session) == (1, 0)
        again = queue.claim(session, "b", 1, now=NOW)
    assert [c.action_execution_id for c in again] == ids


@pytest.mark.postgres
def test_concurrent_claimers_on_postgresql_never_share_an_entry(pg_db: Database) -> None:
    ids = _actions(pg_db, 300)
    with pg_db.transaction() as session:
        queue.enqueue(session, ids, available_at=utc_now() - dt.timedelta(seconds=1))
    barrier = threading.Barrier(3)
    got: dict[str, list[str]] = {"a": [], "b": [], "c": []}

    def work(node: str) -> None:
        barrier.wait()
        while True:
            with pg_db.transaction() as session:
                claimed = queue.claim(session, node, 7)
            if not claimed:
                return
            got[node].extend(c.action_execution_id or "" for c in claimed)

    threads = [threading.Thread(target=work, args=(node,)) for node in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = got["a"] + got["b"] + got["c"]
    assert sorted(everything) == sorted(ids)  # each entry handed out exactly once
