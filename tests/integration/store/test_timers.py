"""Durable timers: idempotent setting, claiming due ones once, deleting when applied."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from levante.store import timers
from levante.store.db import Database

from .factories import task, workflow

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)


def test_a_timer_with_a_unique_key_is_set_once(db: Database) -> None:
    with db.transaction() as session:
        tk = task(session, workflow(session))
        assert timers.set_timer(
            session,
            kind="retry",
            due_at=NOW,
            unique_key=f"retry:{tk.id}:1",
            task_execution_id=tk.id,
            payload={"attempt": 1},
        )
        assert not timers.set_timer(
            session, kind="retry", due_at=NOW, unique_key=f"retry:{tk.id}:1"
        )
        assert timers.set_timer(session, kind="resume", due_at=NOW)
        assert timers.set_timer(session, kind="resume", due_at=NOW)
    with db.transaction() as session:
        due = timers.claim_due(session, "n", now=NOW)
    assert sorted(t.kind for t in due) == ["resume", "resume", "retry"]
    retry = next(t for t in due if t.kind == "retry")
    assert (retry.task_execution_id, retry.payload) == (tk.id, {"attempt": 1})


def test_only_due_timers_are_claimed_earliest_first(db: Database) -> None:
    with db.transaction() as session:
        for minutes in (3, 1, 2, 10):
            timers.set_timer(
                session, kind=f"k{minutes}", due_at=NOW + dt.timedelta(minutes=minutes)
            )
        assert timers.next_due_at(session) == NOW + dt.timedelta(minutes=1)
    with db.transaction() as session:
        due = timers.claim_due(session, "n", now=NOW + dt.timedelta(minutes=5), limit=2)
        assert [t.kind for t in due] == ["k1", "k2"]
        more = timers.claim_due(session, "n", now=NOW + dt.timedelta(minutes=5))
        assert [t.kind for t in more] == ["k3"]


def test_a_claimed_timer_is_claimed_again_only_after_its_lease(db: Database) -> None:
    with db.transaction() as session:
        timers.set_timer(session, kind="timeout", due_at=NOW)
        assert len(timers.claim_due(session, "a", now=NOW, lease_seconds=10)) == 1
        assert timers.claim_due(session, "b", now=NOW + dt.timedelta(seconds=5)) == []
        again = timers.claim_due(session, "b", now=NOW + dt.timedelta(seconds=11))
        assert [t.kind for t in again] == ["timeout"]


def test_applied_timers_are_deleted(db: Database) -> None:
    with db.transaction() as session:
        timers.set_timer(session, kind="wait_after", due_at=NOW, unique_key="k")
        (due,) = timers.claim_due(session, "n", now=NOW)
        assert timers.delete_timers(session, [due.id]) == 1
        assert timers.delete_timers(session, [due.id]) == 0
        assert timers.next_due_at(session) is None
        # its unique key is free again once applied
        assert timers.set_timer(session, kind="wait_after", due_at=NOW, unique_key="k")


def test_timers_are_cancelled_by_key_or_by_owner(db: Database) -> None:
    with db.transaction() as session:
        wf = workflow(session)
        tk = task(session, wf)
        timers.set_timer(
            session, kind="timeout", due_at=NOW, unique_key="t1", task_execution_id=tk.id
        )
        timers.set_timer(session, kind="retry", due_at=NOW, task_execution_id=tk.id)
        timers.set_timer(session, kind="resume", due_at=NOW, workflow_execution_id=wf.id)
        assert timers.cancel_timer(session, "t1")
        assert not timers.cancel_timer(session, "t1")
        assert timers.cancel_timers_of(session, task_execution_id=tk.id, kinds=["retry"]) == 1
        assert timers.cancel_timers_of(session, workflow_execution_id=wf.id) == 1
        assert timers.next_due_at(session) is None
        with pytest.raises(ValueError, match="name a"):
            timers.cancel_timers_of(session)


@pytest.mark.postgres
def test_concurrent_schedulers_on_postgresql_fire_each_timer_once(pg_db: Database) -> None:
    with pg_db.transaction() as session:
        for n in range(100):
            timers.set_timer(session, kind="retry", due_at=NOW, unique_key=f"k{n}")
    barrier = threading.Barrier(2)
    fired: dict[str, list[str]] = {"a": [], "b": []}

    def scheduler(node: str) -> None:
        barrier.wait()
        while True:
            with pg_db.transaction() as session:
                due = timers.claim_due(session, node, now=NOW, limit=3)
                timers.delete_timers(session, [t.id for t in due])
            if not due:
                return
            fired[node].extend(t.unique_key or "" for t in due)

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in fired]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(fired["a"] + fired["b"]) == sorted(f"k{n}" for n in range(100))
