"""``levante run``: embedded runs of real workflow files, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from levante.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _nova_server(name: str, fixed_ip: str) -> dict:
    """A server as Nova's API lists it (only the fields the cookbook reads, plus a few)."""
    return {
        "id": f"id-{name}",
        "name": name,
        "status": "ACTIVE",
        "addresses": {
            "private": [
                {"addr": f"172.24.4.{fixed_ip.rsplit('.', 1)[1]}", "version": 4,
                 "OS-EXT-IPS:type": "floating"},
                {"addr": fixed_ip, "version": 4, "OS-EXT-IPS:type": "fixed"},
            ]
        },
    }


def _cookbook_with_echo(tmp_path: Path) -> Path:
    """The cookbook's update_kernel with its Nova and SSH actions swapped for std.echo."""
    text = (EXAMPLES / "update_kernel.yaml").read_text()
    text = text.replace("    - gateway_host\n", "    - gateway_host\n    - fake_servers\n")
    text = text.replace(
        "action: nova.servers_list", "action: std.echo output=<% $.fake_servers %>"
    )
    text = re.sub(
        r"action: std\.ssh_proxied.*?\n      input:\n(        .*\n)+",
        'action: std.echo\n      input:\n        output: "upgraded <% $.host %> as '
        '<% $.username %> via <% $.gateway_host %>"\n',
        text,
    )
    assert "std.ssh_proxied" not in text and "nova." not in text
    path = tmp_path / "update_kernel_echo.yaml"
    path.write_text(text)
    return path


def test_cloud_cron_cookbook_runs_with_echo_actions(tmp_path, capsys) -> None:
    workflow = _cookbook_with_echo(tmp_path)
    servers = [_nova_server(f"vm{i}", f"10.0.0.{i}") for i in range(1, 21)]
    payload = {
        "private_key_filename": "/root/.ssh/id_rsa",
        "gateway_host": "gw.example.org",
        "fake_servers": servers,
    }
    status = main(
        ["run", str(workflow), "--input", json.dumps(payload), "-q", "-f", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == 0, report
    assert report["state"] == "SUCCESS"
    # No output section: the output is what the tasks published.
    assert report["output"] == {"hosts": [f"10.0.0.{i}" for i in range(1, 21)]}
    tasks = {t["name"]: t for t in report["tasks"]}
    assert tasks["upgrade"]["items_count"] == 20
    assert tasks["upgrade"]["items_succeeded"] == 20
    upgraded = [i for i in report["items"] if i["task"] == "upgrade"]
    assert sorted(i["input"]["output"] for i in upgraded) == sorted(
        f"upgraded 10.0.0.{i} as ubuntu via gw.example.org" for i in range(1, 21)
    )


FAILING = """
version: '2.0'
breaks:
  tasks:
    fan:
      with-items: n in [1, 2, 3]
      action: std.fail error_data=<% "item " + str($.n) %>
"""


def test_failed_run_exits_1_and_says_why(tmp_path, capsys) -> None:
    path = tmp_path / "breaks.yaml"
    path.write_text(FAILING)
    status = main(["run", str(path), "-q"])
    out = capsys.readouterr().out
    assert status == 1
    assert "ERROR" in out
    assert "item 2" in out


TWO = """
version: '2.0'
first:
  tasks:
    a:
      action: std.noop
second:
  tasks:
    b:
      action: std.noop
"""


def test_file_with_several_workflows_needs_workflow_option(tmp_path, capsys) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO)
    assert main(["run", str(path), "-q"]) == 2
    assert "choose one with --workflow" in capsys.readouterr().err
    assert main(["run", str(path), "-q", "--workflow", "second"]) == 0
    assert "second" in capsys.readouterr().out


def test_invalid_file_is_refused_with_its_location(tmp_path, capsys) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"
                    "      retry:\n        count: -1\n        delay: 1\n")
    assert main(["run", str(path), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7:" in err
    assert "retry.count" in err


@pytest.mark.parametrize(
    ("argument", "message"),
    [("{not json", "--input: not valid JSON"), ("[1, 2]", "expected a JSON object")],
)
def test_bad_input_argument(tmp_path, capsys, argument: str, message: str) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n")
    assert main(["run", str(path), "--input", argument]) == 2
    assert message in capsys.readouterr().err


def test_missing_workflow_input_is_refused_before_running(tmp_path, capsys) -> None:
    path = tmp_path / "needs.yaml"
    path.write_text(
        "version: '2.0'\nwf:\n  input:\n    - host\n  tasks:\n    t:\n      action: std.noop\n"
    )
    assert main(["run", str(path), "-q"]) == 2
    assert "host" in capsys.readouterr().err
