"""std.ssh_proxied through a real gateway: pooled tunnels, limits, failures."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from levante.actions import ActionContext, default_registry
from levante.actions.ssh import (
    SshCommandFailed,
    SshConnectError,
    SshSettings,
    close_connections,
    configure,
    ssh_runtime,
)
from tests.support.sshd import SshFleet

REGISTRY = default_registry(load_plugins=False)


def proxied(fleet: SshFleet, gateway: SshFleet, host: str, cmd: str, **extra: object) -> object:
    return REGISTRY.get("std.ssh_proxied").instantiate({
        "cmd": cmd, "host": host, "username": fleet.username,
        "private_key_filename": str(fleet.private_key_path),
        "gateway_host": gateway.addresses[0], **extra,
    })


async def run_all(actions: list[object]) -> list[object]:
    return await asyncio.gather(
        *(a.run(ActionContext()) for a in actions), return_exceptions=True  # type: ignore[attr-defined]
    )


async def test_every_host_runs_its_command_through_pooled_gateway_connections(
    fleet: SshFleet, gateway: SshFleet, known_hosts: Path, ssh_settings: SshSettings
) -> None:
    # Two channels per gateway connection, so six hosts need three connections.
    configure(SshSettings(known_hosts_file=known_hosts, default_port=fleet.port,
                          max_channels_per_connection=2, max_pending_handshakes=3))
    await close_connections()
    before = len(fleet.commands())
    results = await run_all([
        proxied(fleet, gateway, host, "sleep 0.3; echo $SSH_CONNECTION | cut -d' ' -f3")
        for host in fleet.addresses
    ])
    assert results == [f"{host}\n" for host in fleet.addresses]
    ran = fleet.commands()[before:]
    assert sorted(r.host for r in ran) == sorted(fleet.addresses)
    stats = ssh_runtime().stats
    assert stats.gateway_connections_opened == 3
    assert stats.peak_channels_per_connection == 2
    assert stats.tunnels_opened == 6
    limiter = ssh_runtime().connector.handshakes
    assert max(limiter.peak.values()) <= 3
    # The gateway ran no command: it only forwarded.
    assert gateway.commands() == []
    assert fleet.dropped_connections() == gateway.dropped_connections() == 0


async def test_a_burst_shares_a_few_gateway_logins(
    fleet: SshFleet, gateway: SshFleet, ssh_settings: SshSettings
) -> None:
    hosts = fleet.addresses * 4  # 24 commands, at most 10 channels per connection
    results = await run_all([proxied(fleet, gateway, h, "echo hi") for h in hosts])
    assert results == ["hi\n"] * 24
    stats = ssh_runtime().stats
    assert stats.gateway_connections_opened == 3
    assert stats.peak_channels_per_connection <= 10
    # Pooled: a second burst reuses the open connections.
    await run_all([proxied(fleet, gateway, h, "true") for h in fleet.addresses])
    assert ssh_runtime().stats.gateway_connections_opened == 3


async def test_a_host_that_is_down_or_fails_leaves_the_others_alone(
    fleet: SshFleet, gateway: SshFleet, ssh_settings: SshSettings
) -> None:
    fleet.fail_host(fleet.addresses[1], status=7, stderr="apt: lock held")
    hosts = [fleet.addresses[0], fleet.addresses[1], "127.0.3.9", fleet.addresses[2]]
    results = await run_all([proxied(fleet, gateway, h, "echo fine") for h in hosts])
    assert results[0] == results[3] == "fine\n"
    assert isinstance(results[1], SshCommandFailed)
    assert "exited with status 7" in str(results[1]) and "apt: lock held" in str(results[1])
    assert isinstance(results[2], SshConnectError)
    assert f"127.0.3.9:{fleet.port} (via gateway 127.0.0.2)" in str(results[2])
    assert "could not open a connection" in str(results[2])


async def test_a_gateway_that_is_down_fails_with_its_name(
    fleet: SshFleet, gateway: SshFleet, ssh_settings: SshSettings
) -> None:
    action = REGISTRY.get("std.ssh_proxied").instantiate({
        "cmd": "true", "host": fleet.addresses[0], "username": fleet.username,
        "private_key_filename": str(fleet.private_key_path), "gateway_host": "127.0.3.250",
    })
    with pytest.raises(SshConnectError, match=r"gateway 127\.0\.3\.250.*refused"):
        await action.run(ActionContext())


async def test_close_connections_closes_the_pool(
    fleet: SshFleet, gateway: SshFleet, ssh_settings: SshSettings
) -> None:
    await run_all([proxied(fleet, gateway, fleet.addresses[0], "true")])
    runtime = ssh_runtime()
    (pool,) = runtime.pools
    assert pool.size == 1
    connection = pool._members[0].opened.result()
    await close_connections()
    assert connection.is_closed()
    assert ssh_runtime() is not runtime
