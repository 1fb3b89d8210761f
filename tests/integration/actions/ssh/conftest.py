"""A real OpenSSH fleet (6 hosts) and gateway, shared by the module's tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from levante.actions.ssh import SshSettings, close_connections, configure
from tests.support.ssh_gateway import gateway
from tests.support.sshd import SshFleet, loopback_addresses, running_fleet, sshd_available

__all__ = ["gateway"]  # a fixture, used by name


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshFleet]:
    """Six hosts (127.0.1.1 ... 127.0.1.6) on one sshd with stock limits."""
    if not sshd_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the SSH tests: .ci/run installs openssh-server")
        pytest.skip("openssh-server not installed (apt-get install openssh-server)")
    with running_fleet(tmp_path_factory.mktemp("fleet"), loopback_addresses(6)) as running:
        yield running


@pytest.fixture
def known_hosts(tmp_path: Path) -> Path:
    """A fresh known_hosts file for one test."""
    return tmp_path / "known_hosts"


@pytest.fixture
async def ssh_settings(
    fleet: SshFleet, gateway: SshFleet, known_hosts: Path
) -> AsyncIterator[SshSettings]:
    """Settings pointing at the fleet's port; pooled connections closed afterwards."""
    fleet.clear_failures()
    settings = SshSettings(known_hosts_file=known_hosts, default_port=fleet.port)
    configure(settings)
    yield settings
    await close_connections()
    configure(None)
