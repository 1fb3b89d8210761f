"""The Database handle: pragmas, transactions, read-only sessions, migrations."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from levante.store.db import Database
from levante.store.migrate import current_revision, schema_differences
from levante.store.models import Environment


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db: Database) -> None:
    with sqlite_db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_default_database_is_created_under_levante_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEVANTE_HOME", str(tmp_path / "home"))
    database = Database()
    database.migrate()
    database.dispose()
    assert (tmp_path / "home" / "levante.db").is_file()


def test_transaction_commits_on_success(db: Database) -> None:
    with db.transaction() as session:
        session.add(Environment(name="prod", variables={"a": 1}))
    with db.read() as session:
        assert session.scalars(select(Environment.name)).all() == ["prod"]


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(Environment(name="prod"))
        session.flush()
        raise RuntimeError("boom")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Environment)) == 0


def test_rows_stay_readable_after_the_transaction(db: Database) -> None:
    with db.transaction() as session:
        env = Environment(name="prod", variables={"k": "v"})
        session.add(env)
    assert env.variables == {"k": "v"}
    assert env.created_at.tzinfo is not None


def test_read_sessions_never_commit(sqlite_db: Database) -> None:
    with sqlite_db.read() as session:
        session.add(Environment(name="ghost"))
        session.flush()
    with sqlite_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Environment)) == 0


@pytest.mark.postgres
def test_read_sessions_are_read_only_on_postgresql(pg_db: Database) -> None:
    with pytest.raises(DBAPIError, match="read-only"), pg_db.read() as session:
        session.add(Environment(name="ghost"))
        session.flush()


def test_sqlite_writers_queue_instead_of_failing(sqlite_db: Database) -> None:
    """Two threads doing read-then-write never hit 'database is locked' (BEGIN IMMEDIATE)."""
    errors: list[BaseException] = []

    def bump(n: int) -> None:
        try:
            for i in range(20):
                with sqlite_db.transaction() as session:
                    count = session.scalar(select(func.count()).select_from(Environment))
                    session.add(Environment(name=f"env-{n}-{i}-{count}"))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=bump, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Environment)) == 40


def test_migrations_produce_exactly_the_models_schema(db: Database) -> None:
    assert schema_differences(db.engine) == []
    assert current_revision(db.engine) is not None


def test_schema_comparison_notices_a_difference(db: Database) -> None:
    """The comparison above could fail: an extra table shows up as a difference."""
    extra = MetaData()
    Table("stray", extra, Column("id", Integer, primary_key=True))
    extra.create_all(db.engine)
    try:
        assert [diff[0] for diff in schema_differences(db.engine)] == ["remove_table"]
    finally:
        extra.drop_all(db.engine)


def test_migrating_twice_is_harmless(db: Database) -> None:
    db.migrate()
    assert schema_differences(db.engine) == []


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_run_retries_a_unit_of_work_that_lost_a_deadlock(sqlite_db: Database) -> None:
    calls: list[int] = []

    def work(session: Session) -> str:
        calls.append(1)
        session.add(Environment(name=f"env-{len(calls)}"))
        if len(calls) == 1:
            raise OperationalError("UPDATE ...", {}, _Deadlock())
        return "done"

    assert sqlite_db.run(work) == "done"
    assert len(calls) == 2
    with sqlite_db.read() as session:
        assert session.scalars(select(Environment.name)).all() == ["env-2"]


def test_run_does_not_retry_other_errors(sqlite_db: Database) -> None:
    calls: list[int] = []

    def work(session: Session) -> None:
        calls.append(1)
        raise OperationalError("SELECT ...", {}, Exception("disk I/O error"))

    with pytest.raises(OperationalError, match="disk"):
        sqlite_db.run(work)
    assert len(calls) == 1
