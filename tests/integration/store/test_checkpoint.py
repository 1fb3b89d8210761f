"""SQLite's WAL is checkpointed by a thread of the Database, not inside commits."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from levante.store import Database
from levante.store.checkpoint import WalCheckpointer
from levante.store.models import Environment


def _write(db: Database, count: int, prefix: str = "env") -> None:
    for i in range(count):
        with db.transaction() as session:
            session.add(Environment(name=f"{prefix}-{i}", variables={"blob": "x" * 4000}))


def _until(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_commits_do_not_checkpoint_the_thread_does(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.migrate()
    assert db.checkpointer is not None
    db.checkpointer.interval = 0.05
    try:
        with db.read() as session:
            assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        before = db.checkpointer.checkpoints
        _write(db, 300)  # well past the 1,000 pages at which a commit would checkpoint
        assert _until(lambda: db.checkpointer.checkpoints > before)  # type: ignore[union-attr]
        _write(db, 1, "last")
        # Caught up: everything committed is in the database file, the WAL can start over.
        assert _until(lambda: _in_database_file(db, "last-0"))
    finally:
        db.dispose()


def _in_database_file(db: Database, name: str) -> bool:
    """Whether the environment ``name`` is in the database file itself (not only the WAL)."""
    source = Path(db.engine.url.database or "")
    copy = source.with_name("copy-" + source.name)
    shutil.copyfile(source, copy)  # without its -wal: what checkpoints wrote, nothing else
    connection = sqlite3.connect(copy)
    try:
        return connection.execute("SELECT count(*) FROM environments WHERE name = ?",
                                  (name,)).fetchone()[0] == 1
    finally:
        connection.close()
        copy.unlink()


def test_the_thread_ends_when_idle_and_comes_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.migrate()
    checkpointer = db.checkpointer
    assert checkpointer is not None
    checkpointer.interval, checkpointer.idle = 0.01, 0.1
    try:
        _write(db, 1)
        assert _until(lambda: not checkpointer.running)
        done = checkpointer.checkpoints
        _write(db, 1, "again")
        assert _until(lambda: checkpointer.checkpoints > done)
    finally:
        db.dispose()
    assert not checkpointer.running


def test_dispose_checkpoints_and_stops_the_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.migrate()
    assert db.checkpointer is not None
    db.checkpointer.interval = 60.0  # never by itself during this test
    _write(db, 20)
    started = time.monotonic()
    db.dispose()
    assert time.monotonic() - started < 10  # not after the interval
    assert not db.checkpointer.running
    assert _in_database_file(db, "env-19")
    _write(db, 1, "after")  # still usable; a commit starts the thread again
    assert db.checkpointer.running
    db.dispose()


def test_no_checkpointer_for_an_in_memory_database() -> None:
    db = Database("sqlite://")
    assert db.checkpointer is None
    db.dispose()


def test_a_stopped_checkpointer_with_nothing_committed_returns_at_once(tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(str(tmp_path / "none.db"))
    checkpointer.stop()
    assert checkpointer.checkpoints == 0

