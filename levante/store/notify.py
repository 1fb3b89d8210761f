"""Wake-ups between nodes with PostgreSQL LISTEN/NOTIFY (no-ops on SQLite).

``notify`` is called inside the transaction that made work available; the
notification is delivered only if that transaction commits. Listeners run on
a connection of their own (threaded ``Listener``, or ``listen`` for asyncio).
A notification is a hint to look at the database, never the work itself:
a node that missed one still finds the work on its next poll.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from levante.store.sql import dialect_name

_CHANNEL = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Notification:
    """One message received on a channel."""

    channel: str
    payload: str


def check_channel(channel: str) -> str:
    """Return ``channel`` if it is a valid channel name (lower-case identifier), else raise."""
    if not _CHANNEL.match(channel):
        raise ValueError(
            f"bad channel name {channel!r}: use lower-case letters, digits and '_' (max 63)"
        )
    return channel


def notify(session: Session, channel: str, payload: str = "") -> bool:
    """Queue a notification, sent when the session's transaction commits.

    Returns ``False`` (and does nothing) on SQLite, where one process does
    everything and no other node needs waking.
    """
    check_channel(channel)
    if dialect_name(session) != "postgresql":
        return False
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
    )
    return True


def libpq_url(url: str) -> str:
    """The URL a plain psycopg connection takes (without SQLAlchemy's ``+psycopg``)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """Calls ``callback`` for every notification on ``channels``, from a background thread.

    ``start()`` returns once LISTEN is in effect, so nothing sent after it is
    missed; ``stop()`` ends the thread and closes its connection.
    """

    def __init__(
        self,
        url: str,
        channels: Sequence[str],
        callback: Callable[[Notification], None],
        *,
        poll_seconds: float = 0.2,
    ) -> None:
        self._url = libpq_url(url)
        self._channels = [check_channel(c) for c in channels]
        self._callback = callback
        self._poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Connect, LISTEN, and start delivering; raises if the connection fails."""
        self._thread = threading.Thread(target=self._run, name="levante-listener", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the notification listener did not start in time")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Stop delivering and close the connection."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            connection = psycopg.connect(self._url, autocommit=True)
        except psycopg.Error as error:
            self._error = error
            self._ready.set()
            return
        with connection:
            for channel in self._channels:
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._ready.set()
            while not self._stopping.is_set():
                for message in connection.notifies(timeout=self._poll_seconds):
                    self._callback(Notification(message.channel, message.payload))
                    if self._stopping.is_set():
                        break


async def listen(url: str, channels: Sequence[str]) -> AsyncIterator[Notification]:
    """Yield notifications on ``channels`` forever (asyncio); closing the generator stops it."""
    names = [check_channel(c) for c in channels]
    connection = await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)
    async with connection:
        for channel in names:
            await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        async for message in connection.notifies():
            yield Notification(message.channel, message.payload)
