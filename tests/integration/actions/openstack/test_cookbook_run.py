"""The cloud-cron cookbook's get_hosts task against the stand-in cloud, via ``levante run``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from levante.cli.main import main
from tests.support.openstack_cloud import StandInCloud, default_servers

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"


def cookbook_with_echo_upgrade(tmp_path: Path) -> Path:
    """update_kernel.yaml with only its SSH task swapped for std.echo (nova.* stays)."""
    text = (EXAMPLES / "update_kernel.yaml").read_text()
    text = re.sub(
        r"action: std\.ssh_proxied.*?\n      input:\n(        .*\n)+",
        'action: std.echo\n      input:\n        output: "upgraded <% $.host %>"\n',
        text,
    )
    assert "std.ssh_proxied" not in text and "action: nova.servers_list" in text
    path = tmp_path / "update_kernel.yaml"
    path.write_text(text)
    return path


INPUT = json.dumps({"private_key_filename": "/root/.ssh/id_rsa", "gateway_host": "gw"})


def run_cookbook(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    """``levante run`` the cookbook and return its JSON report."""
    status = main(["run", str(cookbook_with_echo_upgrade(tmp_path)), "--input", INPUT,
                   "-q", "-f", "json", *extra])
    report = json.loads(capsys.readouterr().out)
    report["exit_status"] = status
    return report


def test_get_hosts_publishes_the_fixed_ips_of_the_tenants_servers(
    os_env: StandInCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os_env.servers[:] = default_servers(20)
    report = run_cookbook(tmp_path, capsys)
    assert report["exit_status"] == 0, report
    assert report["output"] == {"hosts": [f"10.0.0.{i}" for i in range(1, 21)]}
    upgraded = sorted(i["input"]["output"] for i in report["items"] if i["task"] == "upgrade")
    assert upgraded == sorted(f"upgraded 10.0.0.{i}" for i in range(1, 21))


def test_credentials_can_be_given_per_execution_through_its_env(
    cloud: StandInCloud, no_os_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The server has no OpenStack configuration; the execution brings its own.
    env = {"__actions": {"nova.servers_list": {"action_cloud": cloud.cloud_entry()}}}
    report = run_cookbook(no_os_env, capsys, "--env", json.dumps(env))
    assert report["exit_status"] == 0, report
    assert report["output"] == {"hosts": ["10.0.0.1", "10.0.0.2", "10.0.0.3"]}


def test_bad_credentials_fail_get_hosts_with_the_reason(
    os_env: StandInCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OS_PASSWORD", "expired")
    report = run_cookbook(tmp_path, capsys)
    assert report["exit_status"] == 1
    assert report["state"] == "ERROR"
    get_hosts = next(t for t in report["tasks"] if t["name"] == "get_hosts")
    assert get_hosts["state"] == "ERROR"
    assert "OpenStack authentication failed for 'admin'" in get_hosts["state_info"]
