"""``levante run`` of a with-items std.ssh_proxied over a real fleet and gateway.

Settings come from the environment, as for a real server (``LEVANTE_SSH_*``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from levante.actions.ssh import configure
from levante.cli.main import main
from tests.support.sshd import SshFleet

WORKFLOW = """
version: '2.0'
upgrade_fleet:
  input:
    - hosts
    - gateway_host
    - username
    - private_key_filename
  tasks:
    upgrade:
      with-items: host in <% $.hosts %>
      action: std.ssh_proxied
      input:
        host: <% $.host %>
        gateway_host: <% $.gateway_host %>
        username: <% $.username %>
        private_key_filename: <% $.private_key_filename %>
        cmd: echo upgraded $(echo $SSH_CONNECTION | cut -d' ' -f3)
      publish:
        outputs: <% task().result %>
"""


@pytest.fixture
def ssh_environment(
    monkeypatch: pytest.MonkeyPatch, fleet: SshFleet, tmp_path: Path
) -> Path:
    fleet.clear_failures()
    configure(None)
    known_hosts = tmp_path / "known_hosts"
    monkeypatch.setenv("LEVANTE_SSH_PORT", str(fleet.port))
    monkeypatch.setenv("LEVANTE_SSH_KNOWN_HOSTS", str(known_hosts))
    return known_hosts


def run(
    tmp_path: Path, fleet: SshFleet, gateway: SshFleet, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:
    path = tmp_path / "fleet.yaml"
    path.write_text(WORKFLOW)
    payload = {
        "hosts": fleet.addresses,
        "gateway_host": gateway.addresses[0],
        "username": fleet.username,
        "private_key_filename": str(fleet.private_key_path),
    }
    status = main(["run", str(path), "--input", json.dumps(payload), "-q", "-f", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_with_items_runs_the_command_once_on_every_host(
    tmp_path: Path, fleet: SshFleet, gateway: SshFleet, ssh_environment: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = len(fleet.commands())
    status, report = run(tmp_path, fleet, gateway, capsys)
    assert status == 0, report
    assert report["output"] == {"outputs": [f"upgraded {h}\n" for h in fleet.addresses]}
    ran = fleet.commands()[before:]
    assert sorted(r.host for r in ran) == sorted(fleet.addresses)
    # Every host's key was recorded on first contact (accept-new), the gateway's too.
    assert ssh_environment.read_text().count("\n") == len(fleet.addresses) + 1


def test_one_failing_host_fails_its_iteration_and_the_task(
    tmp_path: Path, fleet: SshFleet, gateway: SshFleet, ssh_environment: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = fleet.addresses[2]
    fleet.fail_host(bad, status=100, stderr="E: Could not get lock /var/lib/dpkg/lock")
    before = len(fleet.commands())
    status, report = run(tmp_path, fleet, gateway, capsys)
    assert status == 1
    assert report["state"] == "ERROR"
    (task,) = report["tasks"]
    assert task["state"] == "ERROR"
    assert task["items_succeeded"] == len(fleet.addresses) - 1
    assert task["items_failed"] == 1
    (failed,) = [i for i in report["items"] if i["state"] == "ERROR"]
    assert failed["input"]["host"] == bad
    assert "exited with status 100" in failed["error"]
    assert "Could not get lock" in failed["error"]
    ran = fleet.commands()[before:]
    assert sorted(r.host for r in ran) == sorted(fleet.addresses)
