"""Per-host answers: ``levante execution-report`` and ``levante item-history``.

A with-items task stands in for a fleet upgrade: each item is a "host", and
``std.test_dict`` succeeds for the hosts named by a number and fails for
the others (its ``size`` must be a whole number), so each run has hosts that
succeed and hosts that fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli_client.conftest import LevanteCli

FLEET = """\
version: '2.0'
items_fleet:
  input:
    - hosts
  tasks:
    check:
      with-items: size in <% $.hosts %>
      action: std.test_dict size=<% $.size %> val=upgraded
"""


@pytest.fixture(scope="module")
def hosts(levante: LevanteCli, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The workflow, created once; two hosts that upgrade and one that fails."""
    path: Path = tmp_path_factory.mktemp("fleet") / "fleet.yaml"
    path.write_text(FLEET)
    levante("workflow-create", str(path))
    return {"a": "1", "b": "2", "down": "web-down"}


def run(levante: LevanteCli, *hosts: str) -> str:
    """Run the workflow over ``hosts`` until it ends; its id."""
    execution_id = levante.json("execution-create", "items_fleet",
                                json.dumps({"hosts": list(hosts)}))["ID"]
    levante.wait_for(execution_id)
    return str(execution_id)


def test_the_report_names_the_failed_host_first_with_its_error(
    levante: LevanteCli, hosts: dict[str, str]
) -> None:
    execution_id = run(levante, hosts["a"], hosts["down"], hosts["b"])
    body = levante.json("execution-report", execution_id)
    assert body["execution"]["state"] == "ERROR"
    assert body["summary"] == {"tasks": "1 failed", "items": "2 succeeded, 1 failed"}
    (task,) = body["tasks"]
    assert task["name"] == "check" and task["with_items"] is True
    assert task["summary"] == "2 succeeded, 1 failed"
    first, *rest = task["items"]
    assert (first["value"], first["state"], first["index"]) == (hosts["down"], "ERROR", 1)
    assert first["error"] and first["duration"] is not None
    assert [(i["value"], i["state"]) for i in rest] == [
        (hosts["a"], "SUCCESS"), (hosts["b"], "SUCCESS")]
    assert all(i["output_tail"] for i in rest)

    text = levante("execution-report", execution_id).out
    assert "Items: 2 succeeded, 1 failed" in text
    lines = text.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("task check [ERROR]")))
    assert lines[at + 1].split()[:2] == ["ERROR", hosts["down"]] and "error:" in lines[at + 1]
    errors_only = levante.json("execution-report", execution_id, "--errors-only")
    assert [i["value"] for i in errors_only["tasks"][0]["items"]] == [hosts["down"]]


def test_item_history_answers_which_hosts_never_succeeded(
    levante: LevanteCli, hosts: dict[str, str]
) -> None:
    run(levante, hosts["a"], hosts["down"], hosts["b"])
    run(levante, hosts["a"], hosts["down"])
    history = levante.json("item-history", "items_fleet", "check")
    by_value = {entry["value"]: entry for entry in history["items"]}
    assert history["task_runs"] >= 2
    assert by_value[hosts["down"]]["trend"][:2] == ["ERROR", "ERROR"]
    assert by_value[hosts["down"]]["ever_succeeded"] is False
    assert by_value[hosts["a"]]["trend"][:2] == ["SUCCESS", "SUCCESS"]
    assert by_value[hosts["a"]]["last_state"] == "SUCCESS" and by_value[hosts["a"]]["last_at"]
    assert history["items"][0]["value"] == hosts["down"]  # failing ones first

    never = levante.json("item-history", "items_fleet", "check", "--never-succeeded")
    assert [entry["value"] for entry in never["items"]] == [hosts["down"]]
    text = levante("item-history", "items_fleet", "check", "--never-succeeded", "--runs", "2",
                   "--trend", "2").out
    assert "(2 runs read)" in text and "ERROR ERROR" in text and hosts["down"] in text
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 1 and rows[0].startswith(f"| {hosts['down']} ")


def test_item_history_of_unknown_names_says_what_exists(
    levante: LevanteCli, hosts: dict[str, str]
) -> None:
    missing = levante("item-history", "no_such_flow", "check", ok=False)
    assert "Workflow not found" in missing.err
    no_task = levante("item-history", "items_fleet", "nope", ok=False)
    assert "has no task 'nope'; its tasks: check" in no_task.err
    bad = levante("item-history", "items_fleet", "check", "--trend", "0", ok=False)
    assert "trend must be between" in bad.err
