"""LISTEN/NOTIFY wake-ups: delivered on commit, never on rollback; no-ops on SQLite."""

from __future__ import annotations

import asyncio
import queue as stdlib_queue

import psycopg
import pytest

from levante.store.db import Database
from levante.store.notify import Listener, Notification, check_channel, listen, notify


def test_notify_is_a_no_op_on_sqlite(sqlite_db: Database) -> None:
    with sqlite_db.transaction() as session:
        assert notify(session, "work", "x") is False


@pytest.mark.parametrize("bad", ["Work", "work-queue", "1work", "", "w" * 64, "a;drop"])
def test_channel_names_are_plain_identifiers(bad: str) -> None:
    with pytest.raises(ValueError, match="bad channel name"):
        check_channel(bad)


@pytest.mark.postgres
def test_a_listener_hears_committed_notifications_only(pg_db: Database) -> None:
    received: stdlib_queue.Queue[Notification] = stdlib_queue.Queue()
    listener = Listener(pg_db.url, ["work", "timers"], received.put, poll_seconds=0.05)
    listener.start()
    try:
        with pytest.raises(RuntimeError), pg_db.transaction() as session:
            notify(session, "work", "rolled back")
            raise RuntimeError("abort")
        with pg_db.transaction() as session:
            assert notify(session, "work", "node-1")
        with pg_db.transaction() as session:
            notify(session, "timers")
        first = received.get(timeout=5)
        second = received.get(timeout=5)
    finally:
        listener.stop()
    assert (first, second) == (Notification("work", "node-1"), Notification("timers", ""))
    assert received.empty()


@pytest.mark.postgres
def test_a_listener_on_a_bad_url_fails_at_start() -> None:
    listener = Listener("postgresql://postgres@127.0.0.1:5432/no_such_db_x", ["work"], print)
    with pytest.raises(psycopg.OperationalError, match="no_such_db_x"):
        listener.start()


@pytest.mark.postgres
async def test_async_listen_yields_notifications(pg_db: Database) -> None:
    stream = listen(pg_db.url, ["work"])
    waiting = asyncio.ensure_future(anext(stream))
    # Notifications sent before LISTEN takes effect are lost: send until one arrives.
    for _ in range(100):
        with pg_db.transaction() as session:
            notify(session, "work", "hello")
        done, _pending = await asyncio.wait({waiting}, timeout=0.1)
        if done:
            break
    message = await asyncio.wait_for(waiting, timeout=5)
    await stream.aclose()
    assert message == Notification("work", "hello")
