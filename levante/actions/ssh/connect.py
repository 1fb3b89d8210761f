"""Opening SSH connections and running one command on them.

:func:`open_connection` applies everything every connection needs: the
host-key policy, the handshake cap, the connection timeout, one retry when
the server drops a handshake, and errors that name the host and the reason.
:func:`run_command` runs a command with the command timeout and returns its
exit status, stdout and stderr.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import asyncssh

from levante.actions.ssh.credentials import Credentials
from levante.actions.ssh.endpoint import Endpoint
from levante.actions.ssh.errors import (
    HostKeyChanged,
    SshAuthError,
    SshCommandTimeout,
    SshConnectError,
)
from levante.actions.ssh.known_hosts import KnownHosts
from levante.actions.ssh.settings import SshSettings
from levante.actions.ssh.throttle import HandshakeLimiter

LOG = logging.getLogger(__name__)

#: asyncssh prefers ChaCha20-Poly1305, which it drives from Python per packet;
#: AES-GCM runs in OpenSSL and cuts the client's CPU per connection by half.
ENCRYPTION_ALGS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)

#: A server at its MaxStartups limit closes new connections before the banner;
#: such a handshake is tried this many times more, after a short pause.
HANDSHAKE_RETRIES = 2
RETRY_PAUSE = 0.3


@dataclass(slots=True)
class SshStats:
    """Counters of one SSH runtime, for benchmarks and tests."""

    connections_opened: int = 0
    gateway_connections_opened: int = 0
    tunnels_opened: int = 0
    handshake_retries: int = 0
    peak_gateway_connections: int = 0
    peak_channels_per_connection: int = 0


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command left behind."""

    exit_status: int
    stdout: str
    stderr: str
    signal: str | None = None


class Connector:
    """Opens connections under the settings, the known_hosts file and the caps."""

    def __init__(self, settings: SshSettings, known_hosts: KnownHosts, stats: SshStats) -> None:
        """Share ``known_hosts`` and ``stats`` with the rest of the runtime."""
        self.settings = settings
        self.known_hosts = known_hosts
        self.stats = stats
        self.handshakes = HandshakeLimiter(settings.max_pending_handshakes)

    async def open(
        self,
        endpoint: Endpoint,
        credentials: Credentials,
        *,
        throttle_key: Hashable,
        tunnel: asyncssh.SSHClientConnection | None = None,
        proxy_command: str | None = None,
        where: str | None = None,
    ) -> asyncssh.SSHClientConnection:
        """A logged-in connection to ``endpoint`` (through ``tunnel`` when given).

        Raises :class:`SshConnectError`, :class:`SshAuthError`,
        :class:`HostKeyUnknown` or :class:`HostKeyChanged`.
        """
        where = where or str(endpoint)
        check = self.known_hosts.check_for(endpoint.host, endpoint.port)
        options: dict[str, Any] = credentials.connect_options()
        options.update(
            known_hosts=check.trusted, config=None, encryption_algs=ENCRYPTION_ALGS
        )
        timeout = self.settings.connect_timeout or None
        if timeout:
            options.update(connect_timeout=timeout, login_timeout=timeout)
        if tunnel is not None:
            options["tunnel"] = tunnel
        if proxy_command:
            options["proxy_command"] = proxy_command
        for attempt in range(HANDSHAKE_RETRIES + 1):
            try:
                async with self.handshakes.slot(throttle_key):
                    async with asyncio.timeout(timeout):
                        conn = await asyncssh.connect(endpoint.host, endpoint.port, **options)
                break
            except asyncssh.HostKeyNotVerifiable as exc:
                raise self.known_hosts.changed(check) from exc
            except asyncssh.PermissionDenied as exc:
                raise SshAuthError(where, credentials.username) from exc
            except (asyncssh.ConnectionLost, ConnectionResetError) as exc:
                if attempt == HANDSHAKE_RETRIES:
                    raise SshConnectError(where, _reason(exc)) from exc
                self.stats.handshake_retries += 1
                LOG.info("Handshake with %s dropped (%s); trying again", where, _reason(exc))
                await asyncio.sleep(RETRY_PAUSE * (attempt + 1))
            except TimeoutError as exc:
                raise SshConnectError(
                    where, f"no answer within {timeout:g} s (LEVANTE_SSH_CONNECT_TIMEOUT)"
                ) from exc
            except (OSError, asyncssh.Error) as exc:
                raise SshConnectError(where, _reason(exc)) from exc
        if tunnel is not None:
            self.stats.tunnels_opened += 1
        else:
            self.stats.connections_opened += 1
        if check.record_after_connect:
            key = conn.get_server_host_key()
            try:
                if key is not None:
                    await self.known_hosts.record(check, endpoint.host, endpoint.port, key)
            except HostKeyChanged:
                conn.close()
                raise
        return conn


async def run_command(
    conn: asyncssh.SSHClientConnection, cmd: str, where: str, timeout: float
) -> CommandResult:
    """Run ``cmd`` with stdin closed; stop it after ``timeout`` s (0: never)."""
    try:
        completed = await conn.run(
            cmd, check=False, stdin=asyncssh.DEVNULL, encoding=None, timeout=timeout or None
        )
    except asyncssh.TimeoutError as exc:
        raise SshCommandTimeout(cmd, where, timeout) from exc
    except (OSError, asyncssh.Error) as exc:
        raise SshConnectError(where, f"lost while running the command: {_reason(exc)}") from exc
    status = completed.exit_status
    return CommandResult(
        exit_status=status if status is not None else -1,
        stdout=_text(completed.stdout),
        stderr=_text(completed.stderr),
        signal=completed.exit_signal[0] if completed.exit_signal else None,
    )


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncssh.ChannelOpenError):
        return f"the gateway could not open a connection to it: {exc.reason}"
    if isinstance(exc, asyncssh.Error):
        return exc.reason or type(exc).__name__
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is sshd running and listening on that port?)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
