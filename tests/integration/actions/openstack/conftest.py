"""Fixtures: a stand-in cloud on loopback and a server environment pointing at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from levante.actions.openstack import CLIENTS
from tests.support.openstack_cloud import StandInCloud, default_servers


@pytest.fixture
def cloud() -> Iterator[StandInCloud]:
    """A running stand-in tenant with vm1..vm3 (fixed 10.0.0.N, floating 172.24.4.N)."""
    with StandInCloud(servers=default_servers(3)) as running:
        yield running


@pytest.fixture
def no_os_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No OS_* variables and no clouds.yaml anywhere it is looked for but ``tmp_path``."""
    for key in list(os.environ):
        if key.startswith("OS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    CLIENTS.clear()
    yield tmp_path
    CLIENTS.clear()


@pytest.fixture
def os_env(cloud: StandInCloud, no_os_env: Path, monkeypatch: pytest.MonkeyPatch) -> StandInCloud:
    """The server process's OS_* variables authenticate against ``cloud``."""
    for key, value in cloud.os_environ().items():
        monkeypatch.setenv(key, value)
    return cloud
