"""Wake-ups between nodes: NOTIFY after work was committed, LISTEN to hear other nodes.

On PostgreSQL every node LISTENs on one channel. When a commit of this node
left work for other loops (the engine runtime's ``on_work``: queue entries,
timers, notifications), the node sends ``NOTIFY`` with its id and what kinds
of work it left (``node-id|3``); the others wake the loops of those kinds at
once instead of at their next poll. A notification is only a hint: a node
that missed one (its listening connection was down) still finds the work on
its next poll, and after reconnecting it wakes every loop once in case it
missed something.

Both connections are plain psycopg connections of their own (not from the
pool), each on a thread that reconnects with backoff when PostgreSQL goes
away. Notifications of one burst are coalesced: many commits in a row send
one NOTIFY naming every kind they left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

from levante.engine.runtime import NewWork
from levante.store.notify import check_channel, libpq_url

LOG = logging.getLogger(__name__)

#: The channel every node listens on.
WORK_CHANNEL = "levante_work"
#: What a node that cannot tell wakes: every loop.
EVERY_KIND = NewWork.ACTIONS | NewWork.TIMERS | NewWork.NOTIFICATIONS


def payload(node_id: str, kinds: NewWork) -> str:
    """The NOTIFY payload announcing ``kinds`` of work left by ``node_id``."""
    return f"{node_id}|{kinds.value}"


def parse_payload(text: str) -> tuple[str, NewWork]:
    """``(node id, kinds)`` of a payload; one without kinds (an older node) means every kind."""
    node_id, _, kinds = text.partition("|")
    try:
        return node_id, NewWork(int(kinds)) & EVERY_KIND
    except ValueError:
        return node_id, EVERY_KIND


def backoff_delays(first: float = 0.1, longest: float = 5.0) -> Callable[[], float]:
    """A function returning the next pause of a doubling backoff (``first`` .. ``longest``)."""
    state = {"next": first}

    def next_delay() -> float:
        delay = state["next"]
        state["next"] = min(longest, delay * 2)
        return delay

    return next_delay


class ClusterWakeup:
    """Sends and receives the cluster's "there is work" notifications.

    ``announce(kinds)`` (any thread, cheap) schedules one NOTIFY; ``on_wake``
    is called (on the listener thread) with the kinds another node announced,
    and with every kind once after each reconnection.
    """

    def __init__(
        self,
        url: str,
        node_id: str,
        on_wake: Callable[[NewWork], None],
        *,
        channel: str = WORK_CHANNEL,
        poll_seconds: float = 0.5,
        longest_backoff: float = 5.0,
    ) -> None:
        """Wake-ups for ``node_id`` over the PostgreSQL database at ``url``."""
        self._url = libpq_url(url)
        self._node_id = node_id
        self._on_wake = on_wake
        self._channel = check_channel(channel)
        self._poll_seconds = poll_seconds
        self._longest_backoff = longest_backoff
        self._stopping = threading.Event()
        self._pending = threading.Event()
        self._kinds = NewWork.NONE
        self._kinds_lock = threading.Lock()
        self._listening = threading.Event()
        self._threads: list[threading.Thread] = []
        #: Notifications heard from other nodes (for tests and status).
        self.heard = 0
        #: NOTIFY statements sent.
        self.sent = 0

    def start(self, timeout: float = 10.0) -> None:
        """Start both threads; waits (up to ``timeout``) until LISTEN is in effect."""
        for target, name in ((self._listen, "listen"), (self._notify, "notify")):
            thread = threading.Thread(target=target, name=f"levante-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._listening.wait(timeout):
            LOG.warning("not listening for other nodes' work yet; polling meanwhile")

    def stop(self) -> None:
        """Stop both threads and close their connections."""
        self._stopping.set()
        self._pending.set()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def announce(self, kinds: NewWork = EVERY_KIND) -> None:
        """Tell the other nodes there is work of ``kinds`` (sent soon, coalesced with others)."""
        with self._kinds_lock:
            self._kinds |= kinds
        self._pending.set()

    def _take_kinds(self) -> NewWork:
        with self._kinds_lock:
            kinds, self._kinds = self._kinds, NewWork.NONE
        return kinds

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self._url, autocommit=True, connect_timeout=5)

    def _notify(self) -> None:
        connection: psycopg.Connection | None = None
        delay = backoff_delays(longest=self._longest_backoff)
        while True:
            self._pending.wait()
            if self._stopping.is_set():
                break
            self._pending.clear()
            kinds = self._take_kinds()
            try:
                if connection is None or connection.closed:
                    connection = self._connect()
                connection.execute(
                    "SELECT pg_notify(%s, %s)", (self._channel, payload(self._node_id, kinds))
                )
                self.sent += 1
                delay = backoff_delays(longest=self._longest_backoff)
            except psycopg.Error as error:
                # The others find the work on their next poll; try again for the next one.
                pause = delay()
                LOG.warning("cannot notify other nodes (%s); retrying in %.1fs", error, pause)
                connection = _close(connection)
                self.announce(kinds)
                self._stopping.wait(pause)
        _close(connection)

    def _listen(self) -> None:
        delay = backoff_delays(longest=self._longest_backoff)
        reconnected = False
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    self._listening.set()
                    delay = backoff_delays(longest=self._longest_backoff)
                    if reconnected:
                        self._on_wake(EVERY_KIND)  # something may have been announced meanwhile
                    self._receive(connection)
            except psycopg.Error as error:
                pause = delay()
                LOG.warning("lost the notification connection (%s); reconnecting in %.1fs",
                            error, pause)
                reconnected = True
                self._stopping.wait(pause)

    def _receive(self, connection: psycopg.Connection) -> None:
        while not self._stopping.is_set():
            for message in connection.notifies(timeout=self._poll_seconds):
                node_id, kinds = parse_payload(message.payload)
                if node_id != self._node_id:
                    self.heard += 1
                    self._on_wake(kinds)
                if self._stopping.is_set():
                    break


def _close(connection: psycopg.Connection | None) -> None:
    """Close ``connection`` if there is one (errors of a broken one only logged); None."""
    if connection is not None:
        try:
            connection.close()
        except psycopg.Error as error:
            LOG.debug("closing a broken connection: %s", error)
    return None
