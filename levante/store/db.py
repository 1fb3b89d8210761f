"""The database handle: engine, sessions, transactions and migrations.

One ``Database`` per process and URL. SQLite (the default, a file under the
Levante home) runs in WAL mode with foreign keys on; its write transactions
start with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of
deadlocking when a reader upgrades to a writer, and its WAL is checkpointed
on a thread of its own, not inside commits (:mod:`levante.store.checkpoint`).
PostgreSQL runs through psycopg 3 with the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from levante.home import default_url
from levante.store.checkpoint import WalCheckpointer
from levante.store.types import json_text
from levante.store.writer_lock import WriterLock

T = TypeVar("T")

#: How long (ms) an SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: PostgreSQL SQLSTATEs after which a whole transaction may simply be tried again.
_RETRYABLE_PG_CODES = frozenset({"40001", "40P01"})  # serialization failure, deadlock

_READ_ONLY = "levante_read_only"


def normalize_url(url: str | None) -> str:
    """Turn a user-given database URL into the one SQLAlchemy is given.

    ``None`` or ``""`` means the default SQLite file; ``postgresql://`` and
    ``postgres://`` select the psycopg 3 driver; a bare path is an SQLite file.
    """
    if not url:
        return default_url()
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


class Database:
    """A connection pool to one database plus transaction helpers.

    ``transaction()`` yields a Session in a write transaction (committed when
    the block ends normally, rolled back on an exception); ``read()`` yields one
    in a read-only transaction. Objects loaded inside stay readable afterwards
    (sessions do not expire them on commit).
    """

    def __init__(self, url: str | None = None, *, echo: bool = False, pool_size: int = 5) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "json_serializer": json_text}
        self.checkpointer: WalCheckpointer | None = None
        """Checkpoints an SQLite file's WAL after commits (None: PostgreSQL, in-memory)."""
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                self.checkpointer = WalCheckpointer(database,
                                                    timeout_ms=SQLITE_BUSY_TIMEOUT_MS)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, self.checkpointer)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self._read_engine = self.engine.execution_options(
            **{_READ_ONLY: True}, **({"postgresql_readonly": True} if self.is_postgresql else {})
        )
        self._read_sessions = sessionmaker(bind=self._read_engine, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue for it here,
        # first come first served, and are handed it the moment it is free; left to
        # SQLite, a waiting writer sleeps in its busy handler (up to 100 ms a try)
        # however soon the lock frees. Other processes still wait through
        # busy_timeout. Reentrant: a nested write transaction on one thread behaves
        # as before (SQLite's own lock decides), and so does one that waited here
        # longer than busy_timeout: the queue never turns an error into a hang.
        self._writer = WriterLock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        """True when this is an SQLite database."""
        return self.dialect == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        """True when this is a PostgreSQL database."""
        return self.dialect == "postgresql"

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A Session in one write transaction: commit on success, rollback on error."""
        queued = (self._writer.held(SQLITE_BUSY_TIMEOUT_MS / 1000)
                  if self._writer is not None else nullcontext())
        with queued:
            session = self._sessions()
            try:
                with session.begin():
                    yield session
            finally:
                session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A Session in one read-only transaction, always rolled back at the end."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            # close() ends the transaction (rolled back) without expiring loaded objects.
            session.close()

    def run(self, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """Run ``work(session)`` in a write transaction, retrying it on deadlock.

        PostgreSQL may abort one of two transactions that lock the same rows in
        opposite orders (or fail a serializable one); the whole unit of work is
        then simply tried again, up to ``attempts`` times. ``work`` must
        therefore not have side effects outside the database.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except OperationalError as error:
                code = getattr(error.orig, "sqlstate", None)
                if code not in _RETRYABLE_PG_CODES or attempt == attempts:
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (default: the newest) with alembic."""
        from levante.store.migrate import upgrade

        upgrade(self.engine, revision)

    def dispose(self) -> None:
        """Close every pooled connection (call before the process exits or forks).

        On SQLite the WAL is checkpointed once more first. The handle stays
        usable: later work opens new connections.
        """
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def _configure_sqlite(engine: Engine, checkpointer: WalCheckpointer | None) -> None:
    """Pragmas on every new connection, explicit BEGIN / BEGIN IMMEDIATE, checkpoints."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            if checkpointer is not None:
                cursor.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's job
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    if checkpointer is not None:
        @event.listens_for(engine, "commit")
        def _on_commit(connection: Any) -> None:
            if not connection.get_execution_options().get(_READ_ONLY, False):
                checkpointer.committed()
