"""Host-key policies: accept-new records first contact and refuses a changed key;
strict reaches only hosts already in the known_hosts file."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from levante.actions import ActionContext, default_registry
from levante.actions.ssh import (
    HostKeyChanged,
    HostKeyPolicy,
    HostKeyUnknown,
    SshSettings,
    close_connections,
    configure,
)
from tests.support.sshd import SshFleet

REGISTRY = default_registry(load_plugins=False)


async def run_on(fleet: SshFleet, host: str, cmd: str = "echo ok") -> object:
    action = REGISTRY.get("std.ssh").instantiate({
        "cmd": cmd, "host": host, "username": fleet.username,
        "private_key_filename": str(fleet.private_key_path),
    })
    return await action.run(ActionContext())


def other_key_line(fleet: SshFleet, host: str) -> str:
    other = asyncssh.generate_private_key("ssh-ed25519")
    return f"[{host}]:{fleet.port} {other.export_public_key('openssh').decode().strip()}\n"


async def test_accept_new_records_an_unknown_host_and_trusts_it_afterwards(
    fleet: SshFleet, ssh_settings: SshSettings, known_hosts: Path
) -> None:
    assert ssh_settings.host_key_policy is HostKeyPolicy.ACCEPT_NEW
    assert not known_hosts.exists()
    assert await run_on(fleet, fleet.addresses[0]) == "ok\n"
    assert known_hosts.read_text() == fleet.known_hosts_line(fleet.addresses[0]) + "\n"
    assert await run_on(fleet, fleet.addresses[0]) == "ok\n"
    assert known_hosts.read_text().count("\n") == 1


async def test_accept_new_refuses_a_changed_key_and_runs_nothing(
    fleet: SshFleet, ssh_settings: SshSettings, known_hosts: Path
) -> None:
    host = fleet.addresses[1]
    known_hosts.write_text(other_key_line(fleet, host))
    before = len(fleet.commands())
    with pytest.raises(HostKeyChanged) as refused:
        await run_on(fleet, host)
    assert "CHANGED" in str(refused.value)
    assert f"ssh-keygen -R '[{host}]:{fleet.port}'" in str(refused.value)
    assert len(fleet.commands()) == before


async def test_strict_refuses_an_unknown_host_and_runs_nothing(
    fleet: SshFleet, known_hosts: Path, ssh_settings: SshSettings
) -> None:
    configure(SshSettings(known_hosts_file=known_hosts, default_port=fleet.port,
                          host_key_policy=HostKeyPolicy.STRICT))
    await close_connections()
    before = len(fleet.commands())
    with pytest.raises(HostKeyUnknown, match="policy is strict"):
        await run_on(fleet, fleet.addresses[2])
    assert len(fleet.commands()) == before
    assert not known_hosts.exists()


async def test_strict_reaches_a_host_in_known_hosts(
    fleet: SshFleet, known_hosts: Path, ssh_settings: SshSettings
) -> None:
    configure(SshSettings(known_hosts_file=known_hosts, default_port=fleet.port,
                          host_key_policy=HostKeyPolicy.STRICT))
    await close_connections()
    known_hosts.write_text(fleet.known_hosts_line(fleet.addresses[3]) + "\n")
    assert await run_on(fleet, fleet.addresses[3]) == "ok\n"
    known_hosts.write_text(other_key_line(fleet, fleet.addresses[3]))
    with pytest.raises(HostKeyChanged):
        await run_on(fleet, fleet.addresses[3])
