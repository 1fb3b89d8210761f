"""The lab's SSH servers, driven by a real SSH client (asyncssh) in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest

from levante.lab import sshd
from levante.lab.commands import CommandLog, read_commands
from levante.lab.failures import FailureBook, HostFailure, set_failure
from levante.lab.keys import LabKeys, lab_keys
from levante.lab.sshd import SshFleet


@pytest.fixture
def keys(tmp_path: Path) -> LabKeys:
    """The lab's keys, made in a temporary directory."""
    return lab_keys(tmp_path / "id", tmp_path / "host", tmp_path / "c.pem", tmp_path / "k.pem")


async def started(tmp_path: Path, keys: LabKeys, hosts: int) -> SshFleet:
    """A fleet of ``hosts`` with its records under ``tmp_path``."""
    fleet = SshFleet(keys, "ubuntu", FailureBook(tmp_path / "failing.json"),
                     CommandLog(tmp_path / "commands.log"), log=lambda _line: None)
    await fleet.start(hosts)
    return fleet


@pytest.fixture
async def fleet(tmp_path: Path, keys: LabKeys) -> AsyncIterator[SshFleet]:
    """Three hosts and a gateway on their own loopback addresses."""
    running = await started(tmp_path, keys, 3)
    yield running
    await running.close()


def options(keys: LabKeys, user: str = "ubuntu") -> dict[str, object]:
    """Client options: the lab's user key, host key checked against the lab's."""
    trusted = ([keys.host_key.convert_to_public()], [], [])
    return {"username": user, "client_keys": [keys.user_key], "known_hosts": trusted,
            "config": None}


async def test_a_host_reached_directly_answers_and_records_the_command(
    fleet: SshFleet, keys: LabKeys, tmp_path: Path
) -> None:
    host = fleet.hosts[1]
    assert (host.address, host.port) == ("127.0.10.2", fleet.port)
    async with asyncssh.connect(host.address, host.port, **options(keys)) as conn:
        result = await conn.run("hostname && uname -r", check=False)
    assert (result.exit_status, result.stdout) == (0, "vm2\n5.15.0-91-generic\n")
    (record,) = read_commands(tmp_path / "commands.log")
    assert (record.address, record.host, record.user) == ("127.0.10.2", "vm2", "ubuntu")


async def test_the_gateway_tunnels_to_lab_hosts_only(fleet: SshFleet, keys: LabKeys) -> None:
    gateway = fleet.gateway
    assert gateway is not None
    async with asyncssh.connect(gateway.address, gateway.port, **options(keys)) as tunnel:
        host = fleet.hosts[2]
        async with asyncssh.connect(
            host.address, host.port, tunnel=tunnel, **options(keys)
        ) as conn:
            assert (await conn.run("hostname")).stdout == "vm3\n"
        with pytest.raises(asyncssh.ChannelOpenError, match=r"no lab host at 10\.0\.0\.1:22"):
            await asyncssh.connect("10.0.0.1", 22, tunnel=tunnel, **options(keys))


async def test_a_failing_host_answers_with_its_status_and_stderr(
    fleet: SshFleet, keys: LabKeys, tmp_path: Path
) -> None:
    host = fleet.hosts[0]
    set_failure(tmp_path / "failing.json", host.address, HostFailure(100, "E: locked"))
    async with asyncssh.connect(host.address, host.port, **options(keys)) as conn:
        result = await conn.run("sudo apt-get update", check=False)
    assert (result.exit_status, result.stderr) == (100, "E: locked\n")


async def test_another_user_or_key_is_refused(fleet: SshFleet, keys: LabKeys) -> None:
    host = fleet.hosts[0]
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(host.address, host.port, **options(keys, user="root"))
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    wrong_key = {**options(keys), "client_keys": [stranger]}
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(host.address, host.port, **wrong_key)


async def test_without_extra_loopback_addresses_hosts_are_reached_through_the_gateway(
    tmp_path: Path, keys: LabKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sshd, "can_bind", lambda _address: False)
    fleet = await started(tmp_path, keys, 2)
    try:
        gateway = fleet.gateway
        assert gateway is not None and gateway.address == "127.0.0.1"
        host = fleet.hosts[1]
        # Clients still see the host at its own address and the shared port...
        assert (host.address, host.port) == ("127.0.10.2", fleet.port)
        # ...which the gateway routes to where it really listens.
        assert (host.listen_address, host.listen_port) != (host.address, host.port)
        async with (
            asyncssh.connect(gateway.address, gateway.port, **options(keys)) as tunnel,
            asyncssh.connect(host.address, host.port, tunnel=tunnel, **options(keys)) as conn,
        ):
            assert (await conn.run("hostname")).stdout == "vm2\n"
    finally:
        await fleet.close()
