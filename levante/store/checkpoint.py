"""SQLite WAL checkpoints on a thread of their own, so that no commit has to do one.

Left to itself, SQLite checkpoints inside the commit that takes the WAL past
1,000 pages: that commit copies the pages back into the database file and
waits for two fsyncs, some 10-40 ms on this kind of disk, in the middle of
whatever was committing (a burst of cron starts pays it every couple of
batches). Each :class:`~levante.store.Database` on an SQLite file turns that
off (``wal_autocheckpoint=0`` on its connections) and runs a
:class:`WalCheckpointer` instead: after commits, at most every
``interval`` seconds, a daemon thread runs ``PRAGMA wal_checkpoint(PASSIVE)``
on a connection of its own. A passive checkpoint waits for no reader or
writer, and SQLite releases the GIL while it runs, so writers go on
meanwhile. Once a checkpoint has caught up, the next writer starts the WAL
over from its beginning, exactly as with automatic checkpoints.

The thread exits after ``idle`` seconds without commits and holds no
connection between checkpoints; the next commit starts it again. Other
processes on the same file checkpoint too: SQLite runs one checkpoint at a
time and a passive one that finds another running simply does nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckpointResult:
    """What one ``PRAGMA wal_checkpoint(PASSIVE)`` answered."""

    busy: bool
    """Another checkpoint was running (nothing was done)."""
    wal_pages: int
    checkpointed: int
    """Pages of the WAL now in the database file (all of them: the WAL starts over)."""


def checkpoint(path: str, timeout_ms: int) -> CheckpointResult:
    """One passive checkpoint of the SQLite database at ``path``, on a connection of its own."""
    connection = sqlite3.connect(path, timeout=timeout_ms / 1000, isolation_level=None)
    try:
        busy, wal_pages, checkpointed = connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()
    return CheckpointResult(bool(busy), wal_pages, checkpointed)


class WalCheckpointer:
    """Checkpoints one SQLite file's WAL in the background after commits (see the module)."""

    def __init__(self, path: str, *, interval: float = 0.5, idle: float = 30.0,
                 timeout_ms: int = 5_000) -> None:
        """A checkpointer of the database file at ``path``; nothing runs before a commit."""
        self.path = path
        self.interval = interval
        self.idle = idle
        self.timeout_ms = timeout_ms
        self.checkpoints = 0
        """Checkpoints run so far (for tests and status)."""
        self._committed = threading.Event()
        self._stop = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Note a commit (any thread; cheap): a checkpoint follows within ``interval``."""
        self._committed.set()
        with self._lock:  # the thread, ending when idle, decides under this lock too
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="levante-wal-checkpoint")
                self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the thread is alive (it ends when idle or stopped)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def stop(self) -> None:
        """End the thread after one last checkpoint; a later commit starts it again."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._stop.set()
        self._committed.set()
        if thread is not None:
            thread.join()
        with self._lock:
            self._stopping = False
            self._stop.clear()

    def _run(self) -> None:
        try:
            while True:
                if not self._committed.wait(self.idle):
                    with self._lock:
                        if not self._committed.is_set():  # a commit now restarts the thread
                            self._thread = None
                            return
                self._stop.wait(self.interval)  # a burst of commits: one checkpoint
                self._committed.clear()
                self._checkpoint()
                if self._stopping:
                    return
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _checkpoint(self) -> None:
        try:
            checkpoint(self.path, self.timeout_ms)
            self.checkpoints += 1
        except sqlite3.Error as error:
            # The next commit tries again; meanwhile the WAL only grows.
            LOG.warning("checkpointing %s failed: %s", self.path, error)
