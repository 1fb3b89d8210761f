"""The SSH state of one event loop: settings, known hosts, caps, gateway pools.

Connections belong to the event loop that opened them, so each running loop
gets its own :class:`SshRuntime`, made on first use from
:func:`~levante.actions.ssh.settings.current_settings`.
:func:`close_connections` closes the current loop's pooled connections (the
executor calls it through the action registry when it stops).
"""

from __future__ import annotations

import asyncio
import weakref

from levante.actions.ssh.connect import Connector, SshStats
from levante.actions.ssh.credentials import Credentials
from levante.actions.ssh.endpoint import Endpoint
from levante.actions.ssh.gateway import GatewayPool
from levante.actions.ssh.known_hosts import KnownHosts
from levante.actions.ssh.settings import SshSettings, current_settings


class SshRuntime:
    """Everything SSH actions running on one event loop share."""

    def __init__(self, settings: SshSettings) -> None:
        """Start empty: no connection is opened before an action needs one."""
        self.settings = settings
        self.stats = SshStats()
        self.known_hosts = KnownHosts(settings.known_hosts_path, settings.host_key_policy)
        self.connector = Connector(settings, self.known_hosts, self.stats)
        self._pools: dict[tuple[object, ...], GatewayPool] = {}

    def gateway_pool(
        self, endpoint: Endpoint, credentials: Credentials, proxy_command: str | None
    ) -> GatewayPool:
        """The pool for this gateway, login and proxy command (made on first use)."""
        key = (endpoint, credentials.pool_key(), proxy_command)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = GatewayPool(
                self.connector, endpoint, credentials, proxy_command
            )
        return pool

    @property
    def pools(self) -> list[GatewayPool]:
        """The gateway pools made so far."""
        return list(self._pools.values())

    async def aclose(self) -> None:
        """Close every pooled connection."""
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            await pool.aclose()


_runtimes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SshRuntime] = (
    weakref.WeakKeyDictionary()
)


def ssh_runtime() -> SshRuntime:
    """The running loop's SSH runtime (made with the current settings on first use)."""
    loop = asyncio.get_running_loop()
    runtime = _runtimes.get(loop)
    if runtime is None:
        runtime = _runtimes[loop] = SshRuntime(current_settings())
    return runtime


async def close_connections() -> None:
    """Close the running loop's pooled SSH connections; the next action starts afresh."""
    runtime = _runtimes.pop(asyncio.get_running_loop(), None)
    if runtime is not None:
        await runtime.aclose()
