"""The cloud-cron cookbook's sequence of ``mistral`` commands against ``levante server``.

The cookbook's workflow is used with its Nova and SSH actions replaced by
std.echo (as in ``tests/integration/cli/test_run.py``); everything else, file
names and command lines included, is as the cookbook writes it.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tests.integration.api.server import LevanteServer

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def cookbook_files(folder: Path) -> tuple[Path, Path]:
    """``update_kernel.yaml`` (echo actions) and ``input.json`` in ``folder``."""
    text = (EXAMPLES / "update_kernel.yaml").read_text()
    text = text.replace("    - gateway_host\n", "    - gateway_host\n    - fake_servers\n")
    text = text.replace("action: nova.servers_list", "action: std.echo output=<% $.fake_servers %>")
    text = re.sub(
        r"action: std\.ssh_proxied.*?\n      input:\n(        .*\n)+",
        'action: std.echo\n      input:\n        output: "upgraded <% $.host %>"\n',
        text,
    )
    assert "std.ssh_proxied" not in text and "nova." not in text
    servers = [
        {
            "name": f"vm{i}",
            "addresses": {
                "private": [{"addr": f"10.0.0.{i}", "version": 4, "OS-EXT-IPS:type": "fixed"}]
            },
        }
        for i in (1, 2, 3)
    ]
    given = {
        "private_key_filename": "/root/.ssh/id_rsa",
        "gateway_host": "gw.example.org",
        "fake_servers": servers,
    }
    workflow = folder / "update_kernel.yaml"
    workflow.write_text(text)
    inputs = folder / "input.json"
    inputs.write_text(json.dumps(given))
    return workflow, inputs


def test_cloud_cron_cookbook_sequence(server: LevanteServer, tmp_path: Path) -> None:
    workflow, inputs = cookbook_files(tmp_path)
    created = server.mistral_json("workflow-create", str(workflow))
    assert [w["Name"] for w in created] == ["upgrade_kernel"]
    assert "upgrade_kernel" in {w["Name"] for w in server.mistral_json("workflow-list")}

    started = server.mistral_json("execution-create", "upgrade_kernel", str(inputs))
    deadline = time.monotonic() + 30
    state = started["State"]
    while state not in ("SUCCESS", "ERROR") and time.monotonic() < deadline:
        time.sleep(0.2)
        state = server.mistral_json("execution-get", started["ID"])["State"]
    assert state == "SUCCESS"

    trigger = server.mistral_json(
        "cron-trigger-create",
        "update_kernel_weekly",
        "upgrade_kernel",
        str(inputs),
        "--pattern",
        "0 2 * * mon",
    )
    assert (trigger["Name"], trigger["Pattern"]) == ("update_kernel_weekly", "0 2 * * mon")
    listed = {t["Name"]: t for t in server.mistral_json("cron-trigger-list")}
    assert listed["update_kernel_weekly"]["Workflow"] == "upgrade_kernel"
    deleted = server.mistral("cron-trigger-delete", "update_kernel_weekly")
    assert "has been accepted" in deleted.stdout
    assert "update_kernel_weekly" not in {
        t["Name"] for t in server.mistral_json("cron-trigger-list")
    }


def test_cookbook_literal_cron_trigger_line_is_refused_helpfully(
    server: LevanteServer, tmp_path: Path
) -> None:
    workflow, _ = cookbook_files(tmp_path)
    server.mistral("workflow-create", str(workflow), ok=None)
    refused = server.mistral(
        "cron-trigger-create",
        "update_kernel_weekly",
        "update_kernel",
        "--pattern",
        "0 2 * * mon",
        ok=False,
    )
    message = refused.stderr
    assert "update_kernel" in message
    assert "upgrade_kernel" in message  # did you mean ...?
    assert "private_key_filename" in message and "gateway_host" in message  # missing inputs
