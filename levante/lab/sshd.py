"""The lab's SSH servers: N hosts and a gateway, pure Python (asyncssh), no root needed.

Each host listens on its own loopback address (``127.0.10.1``, ``127.0.10.2``,
...) on one shared port, which clients set as ``LEVANTE_SSH_PORT``; the
gateway listens on ``127.0.9.1`` on the same port. Where extra loopback
addresses cannot be bound (macOS without aliases), everything listens on
``127.0.0.1`` on distinct ports and the gateway routes each host's address
to its port, so ``std.ssh_proxied`` (the cookbook's way) works the same;
only direct ``std.ssh`` to a host needs the real addresses.

Every server accepts one user name with the lab's user key. Commands are
answered by :mod:`levante.lab.shell` and recorded in ``commands.log``; a host
listed in ``failing-hosts.json`` fails every command. The gateway opens
``direct-tcpip`` channels to lab hosts only.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass

import asyncssh

from levante.lab.commands import CommandLog
from levante.lab.failures import FailureBook, FailureBookError
from levante.lab.keys import LabKeys
from levante.lab.shell import simulate

FIRST_HOST_ADDRESS = "127.0.10.1"
GATEWAY_ADDRESS = "127.0.9.1"
FALLBACK_ADDRESS = "127.0.0.1"
PORT_ATTEMPTS = 5
GATEWAY_NAME = "gateway"


class LabStartError(RuntimeError):
    """The lab's servers could not be started (the message says why)."""


@dataclass(frozen=True, slots=True)
class LabHost:
    """A lab SSH server: the address and port clients use, and where it listens."""

    name: str
    address: str
    port: int
    listen_address: str
    listen_port: int


def host_addresses(count: int, first: str = FIRST_HOST_ADDRESS) -> list[str]:
    """``count`` consecutive loopback addresses from ``first``, skipping .0 and .255."""
    out: list[str] = []
    address = ipaddress.IPv4Address(first)
    while len(out) < count:
        if address.packed[-1] not in (0, 255):
            out.append(str(address))
        address += 1
    if out and not ipaddress.IPv4Address(out[-1]).is_loopback:
        raise LabStartError(f"{count} hosts from {first} leave 127.0.0.0/8; use fewer hosts")
    return out


def can_bind(address: str) -> bool:
    """True when this machine lets us listen on ``address`` (all of 127/8 on Linux)."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((address, 0))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                return False
            raise
    return True


class LabServer(asyncssh.SSHServer):
    """One connection to a lab host or the gateway."""

    def __init__(self, fleet: SshFleet, host: LabHost) -> None:
        """Serve ``host`` of ``fleet``."""
        self.fleet = fleet
        self.host = host
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        """Keep the connection, to forward tunnels on it; count it."""
        self._conn = conn
        self.fleet.connections[self.host.name == GATEWAY_NAME] += 1

    def begin_auth(self, username: str) -> bool:
        """Authentication is always required."""
        return True

    def password_auth_supported(self) -> bool:
        """Keys only."""
        return False

    def public_key_auth_supported(self) -> bool:
        """Keys only."""
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """The lab's user with the lab's key."""
        return (
            username == self.fleet.username
            and key.public_data == self.fleet.keys.user_key.public_data
        )

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> object:
        """The gateway tunnels to lab hosts; hosts tunnel nowhere."""
        target = self.fleet.route(dest_host, dest_port)
        if self.host.name != GATEWAY_NAME or target is None or self._conn is None:
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_CONNECT_FAILED,
                f"lab gateway: no lab host at {dest_host}:{dest_port}",
            )
        self.fleet.tunnels += 1
        return self._conn.forward_connection(target.listen_address, target.listen_port)


class SshFleet:
    """The lab's hosts and gateway, started and stopped together."""

    def __init__(
        self,
        keys: LabKeys,
        username: str,
        failures: FailureBook,
        commands: CommandLog,
        log: Callable[[str], None],
    ) -> None:
        """Accept ``username`` with ``keys.user_key``; record to ``commands``."""
        self.keys = keys
        self.username = username
        self.failures = failures
        self.commands = commands
        self.log = log
        self.hosts: list[LabHost] = []
        self.gateway: LabHost | None = None
        self.port = 0
        self._routes: dict[tuple[str, int], LabHost] = {}
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        #: Connections accepted: [by hosts, by the gateway].
        self.connections = [0, 0]
        #: Tunnels the gateway opened to hosts.
        self.tunnels = 0
        logging.getLogger("asyncssh").setLevel(logging.WARNING)

    def route(self, address: str, port: int) -> LabHost | None:
        """The lab host a tunnel to ``address:port`` reaches, or None."""
        return self._routes.get((address, port))

    async def start(self, count: int, port: int = 0) -> None:
        """Listen as ``count`` hosts and a gateway (``port`` 0: a free port)."""
        addresses = host_addresses(count)
        if can_bind(GATEWAY_ADDRESS) and can_bind(addresses[0]):
            await self._start_on_addresses(addresses, port)
        else:
            self.log(f"cannot listen on {GATEWAY_ADDRESS}: every server listens on "
                     f"{FALLBACK_ADDRESS} on its own port; reach hosts through the gateway")
            await self._start_on_ports(addresses, port)
        self._routes = {(h.address, h.port): h for h in self.hosts}

    async def _start_on_addresses(self, addresses: list[str], port: int) -> None:
        for _attempt in range(PORT_ATTEMPTS if port == 0 else 1):
            try:
                gateway = await self._listen(GATEWAY_NAME, GATEWAY_ADDRESS, port, None)
                self.gateway, self.port = gateway, gateway.listen_port
                for index, address in enumerate(addresses, start=1):
                    self.hosts.append(await self._listen(f"vm{index}", address, self.port, None))
                return
            except OSError as exc:
                await self.close()
                if exc.errno != errno.EADDRINUSE or port != 0:
                    raise LabStartError(f"cannot listen for SSH on port {port}: {exc}") from exc
        raise LabStartError("no port was free on every lab address; try again or give --ssh-port")

    async def _start_on_ports(self, addresses: list[str], port: int) -> None:
        try:
            gateway = await self._listen(GATEWAY_NAME, FALLBACK_ADDRESS, port, None)
            self.gateway, self.port = gateway, gateway.listen_port
            for index, address in enumerate(addresses, start=1):
                host = await self._listen(f"vm{index}", FALLBACK_ADDRESS, 0, (address, self.port))
                self.hosts.append(host)
        except OSError as exc:
            await self.close()
            raise LabStartError(f"cannot listen for SSH on {FALLBACK_ADDRESS}: {exc}") from exc

    async def _listen(
        self, name: str, address: str, port: int, seen_as: tuple[str, int] | None
    ) -> LabHost:
        holder: list[LabHost] = []
        acceptor = await asyncssh.create_server(
            lambda: LabServer(self, holder[0]),
            address,
            port,
            server_host_keys=[self.keys.host_key],
            process_factory=lambda process: self._answer(holder[0], process),
            reuse_address=True,
            backlog=512,
        )
        self._acceptors.append(acceptor)
        listen_port = acceptor.sockets[0].getsockname()[1]
        shown_address, shown_port = seen_as or (address, listen_port)
        holder.append(LabHost(name, shown_address, shown_port, address, listen_port))
        return holder[0]

    async def _answer(self, host: LabHost, process: asyncssh.SSHServerProcess) -> None:
        user = process.get_extra_info("username") or ""
        command = process.command
        if command is None:
            process.stdout.write(f"Levante lab host {host.name} ({host.address}): "
                                 "commands are simulated; nothing runs here.\r\n")
            process.exit(0)
            return
        try:
            failure = self.failures.failure_of(host.address)
        except FailureBookError as exc:
            self.log(f"ignoring failing hosts: {exc}")
            failure = None
        outcome = simulate(command, host.name, failure)
        if outcome.seconds:
            await asyncio.sleep(outcome.seconds)
        process.stdout.write(outcome.stdout)
        process.stderr.write(outcome.stderr)
        self.commands.record(host.address, host.name, user, outcome.exit_status, command)
        process.exit(outcome.exit_status)

    def traffic(self) -> str:
        """Connections and tunnels served so far, for the lab log."""
        hosts, gateway = self.connections
        return (f"gateway accepted {gateway} connections and opened {self.tunnels} tunnels; "
                f"hosts accepted {hosts} connections")

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        acceptors, self._acceptors = self._acceptors, []
        for acceptor in acceptors:
            acceptor.close()
        for acceptor in acceptors:
            await acceptor.wait_closed()
        self.hosts, self.gateway = [], None
