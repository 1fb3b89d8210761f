"""``mistral run-action nova.servers_get`` against a real ``levante server``.

The server's own OpenStack credentials (``OS_*`` in its environment) reach
the stand-in cloud; the real ``mistral`` CLI runs the action directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from levante.lab.cloud import StandInCloud, servers_at
from tests.integration.api.server import LevanteServer


@pytest.fixture
def cloud() -> Iterator[StandInCloud]:
    with StandInCloud(servers=servers_at(["10.0.0.11", "10.0.0.12"])) as running:
        yield running


@pytest.fixture
def server(
    cloud: StandInCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LevanteServer]:
    for name, value in cloud.os_environ().items():
        monkeypatch.setenv(name, value)  # the server process inherits them
    running = LevanteServer(f"sqlite:///{tmp_path / 'levante.db'}", tmp_path / "server.log")
    running.start()
    # The mistral CLI itself must not see OS_* (it would try to authenticate).
    for name in cloud.os_environ():
        monkeypatch.delenv(name)
    yield running
    running.stop()


def test_run_action_nova_servers_get(server: LevanteServer, cloud: StandInCloud) -> None:
    vm = cloud.servers[1]
    done = server.mistral("run-action", "nova.servers_get", json.dumps({"server": vm.id}))
    result = json.loads(done.stdout)["result"]
    assert result["id"] == vm.id
    assert result["name"] == "vm2"
    kinds = {a["OS-EXT-IPS:type"]: a["addr"] for a in result["addresses"]["private"]}
    assert kinds["fixed"] == "10.0.0.12"


def test_run_action_nova_servers_list_in_action_list(server: LevanteServer) -> None:
    listed = server.mistral_json("action-get", "nova.servers_get")
    assert "server" in listed["Input"]
    done = server.mistral("run-action", "nova.servers_list", "{}")
    names = sorted(s["name"] for s in json.loads(done.stdout)["result"])
    assert names == ["vm1", "vm2"]
