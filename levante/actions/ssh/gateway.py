"""A few pooled connections to one gateway, shared by every tunnelled host.

Each host reached through the gateway needs one ``direct-tcpip`` channel on
a gateway connection for as long as its own SSH connection lasts. The pool
puts at most ``max_channels_per_connection`` channels on a connection
(stock ``MaxSessions 10``), opens another connection only when every one is
full (up to ``max_gateway_connections``; beyond that, callers wait for a
channel to free), and closes a connection that stayed unused for
``gateway_idle_seconds``. A connection being opened already counts, so a
burst of 500 callers opens 50 connections, not 500.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncssh

from levante.actions.ssh.connect import Connector
from levante.actions.ssh.credentials import Credentials
from levante.actions.ssh.endpoint import Endpoint


@dataclass(eq=False)
class PooledConnection:
    """One gateway connection: ready when ``opened`` is done, and its channel count."""

    opened: asyncio.Future[asyncssh.SSHClientConnection]
    channels: int = 0
    idle_timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        """False once the connection failed to open or was closed."""
        if not self.opened.done():
            return True
        if self.opened.cancelled() or self.opened.exception() is not None:
            return False
        return not self.opened.result().is_closed()


class GatewayPool:
    """Pooled connections to one gateway for one set of credentials."""

    def __init__(
        self,
        connector: Connector,
        endpoint: Endpoint,
        credentials: Credentials,
        proxy_command: str | None = None,
    ) -> None:
        """Connect to ``endpoint`` as ``credentials`` (through ``proxy_command`` if given)."""
        self.connector = connector
        self.endpoint = endpoint
        self.credentials = credentials
        self.proxy_command = proxy_command
        self._members: list[PooledConnection] = []
        self._freed = asyncio.Condition()
        self._closed = False

    @property
    def size(self) -> int:
        """Connections open or being opened."""
        return len(self._members)

    @contextlib.asynccontextmanager
    async def channel(self) -> AsyncIterator[asyncssh.SSHClientConnection]:
        """A gateway connection with one channel reserved for the caller's tunnel."""
        member = await self._acquire()
        try:
            yield member.opened.result()
        finally:
            await self._release(member)

    async def _acquire(self) -> PooledConnection:
        settings = self.connector.settings
        while True:
            if self._closed:
                raise RuntimeError("SSH gateway pool is closed")
            self._members = [m for m in self._members if m.usable]
            member = self._fullest_with_room(settings.max_channels_per_connection)
            if member is None and len(self._members) < settings.max_gateway_connections:
                member = self._open()
            if member is not None:
                break
            async with self._freed:
                await self._freed.wait()
        member.channels += 1
        if member.idle_timer is not None:
            member.idle_timer.cancel()
            member.idle_timer = None
        stats = self.connector.stats
        stats.peak_channels_per_connection = max(
            stats.peak_channels_per_connection, member.channels
        )
        try:
            await asyncio.shield(member.opened)
        except BaseException:
            await self._release(member)
            raise
        return member

    def _fullest_with_room(self, room: int) -> PooledConnection | None:
        # Pack channels onto as few connections as the limit allows.
        candidates = [m for m in self._members if m.channels < room]
        return max(candidates, key=lambda m: m.channels, default=None)

    def _open(self) -> PooledConnection:
        opening = asyncio.ensure_future(
            self.connector.open(
                self.endpoint,
                self.credentials,
                throttle_key=("gateway", self.endpoint),
                proxy_command=self.proxy_command,
                where=f"gateway {self.endpoint}",
            )
        )
        member = PooledConnection(opening)
        # Nobody may be awaiting it when it fails: mark the error as seen.
        opening.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._members.append(member)
        stats = self.connector.stats
        stats.gateway_connections_opened += 1
        stats.peak_gateway_connections = max(stats.peak_gateway_connections, len(self._members))
        return member

    async def _release(self, member: PooledConnection) -> None:
        member.channels -= 1
        if member.channels == 0 and member.usable and member.opened.done():
            idle = self.connector.settings.gateway_idle_seconds
            loop = asyncio.get_running_loop()
            member.idle_timer = loop.call_later(idle, self._close_idle, member)
        async with self._freed:
            self._freed.notify_all()

    def _close_idle(self, member: PooledConnection) -> None:
        member.idle_timer = None
        if member.channels == 0 and member in self._members:
            self._members.remove(member)
            _close_member(member)

    async def aclose(self) -> None:
        """Close every connection of the pool (callers still holding channels lose them)."""
        self._closed = True
        members, self._members = self._members, []
        for member in members:
            if member.idle_timer is not None:
                member.idle_timer.cancel()
            if not member.opened.done():
                member.opened.cancel()
            _close_member(member)
        for member in members:
            if member.opened.done() and not member.opened.cancelled() and (
                member.opened.exception() is None
            ):
                with contextlib.suppress(OSError, asyncssh.Error):
                    await member.opened.result().wait_closed()
        async with self._freed:
            self._freed.notify_all()


def _close_member(member: PooledConnection) -> None:
    opened = member.opened
    if opened.done() and not opened.cancelled() and opened.exception() is None:
        opened.result().close()
