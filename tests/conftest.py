"""Shared database fixtures: ``sqlite_db``, ``pg_db`` and ``db`` (both, parametrised).

PostgreSQL is expected at 127.0.0.1:5432 (trust auth, user ``postgres``; override
with ``LEVANTE_TEST_PG_URL``). When it cannot be reached the PostgreSQL tests are
skipped, except under ``CI=true`` where they fail: CI must run them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from levante.store.db import Database
from levante.store.models import Base

PG_ADMIN_URL = os.environ.get(
    "LEVANTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses ``pg_db`` directly with ``postgres``."""
    for item in items:
        if "pg_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "levante.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    return path


@pytest.fixture
def sqlite_db(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database in a file of its own."""
    path = tmp_path / "levante.db"
    shutil.copyfile(_sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def _unreachable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def _create_pg_database(prefix: str) -> str:
    """Create and migrate a uniquely named PostgreSQL database; its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        _unreachable(f"cannot connect to {PG_ADMIN_URL}: {error}".strip())
        raise  # unreachable: _unreachable always raises
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    try:
        database.migrate()
    finally:
        database.dispose()
    return url


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh, migrated PostgreSQL database for this test session (dropped after).

    Only for tests that use the database directly (through ``pg_db``). A test
    that starts Levante processes must give them their own database
    (``new_pg_url``): a running node claims queue entries and timers, and
    would act on rows other tests write.
    """
    url = _create_pg_database("levante_test")
    yield url
    _drop_pg_database(url)


@pytest.fixture(scope="session")
def new_pg_url() -> Iterator[Callable[[], str]]:
    """A factory of fresh, migrated PostgreSQL databases, all dropped after the session."""
    created: list[str] = []

    def make() -> str:
        url = _create_pg_database("levante_proc")
        created.append(url)
        return url

    yield make
    for url in created:
        _drop_pg_database(url)


@pytest.fixture(scope="session")
def _pg_database(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(_pg_database: Database) -> Database:
    """The session's PostgreSQL database, emptied before the test."""
    # DELETE, not TRUNCATE: on a few rows it is much faster (no new files to sync).
    with _pg_database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return _pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """Each test that uses it runs twice: on SQLite and on PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    database: Database = request.getfixturevalue(fixture)
    return database
