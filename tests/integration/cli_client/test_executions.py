"""``levante execution-*``, ``task-*`` and ``action-execution-*`` against a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli_client.conftest import LevanteCli


@pytest.fixture(scope="module")
def hello_execution(levante: LevanteCli, examples: Path) -> dict[str, str]:
    """A finished execution of ``hello_wf`` (namespace ``runs``) with input ``name: Ada``."""
    levante("workflow-create", "--namespace", "runs", str(examples / "hello.yaml"))
    created = levante.json("execution-create", "hello_wf", '{"name": "Ada"}', "--namespace",
                           "runs", "-d", "first run")
    return levante.wait_for(created["ID"])


def test_execution_create_shows_the_new_execution(
    levante: LevanteCli, hello_execution: dict[str, str]
) -> None:
    assert hello_execution["State"] == "SUCCESS"
    assert hello_execution["Workflow name"] == "hello_wf"
    assert hello_execution["Workflow namespace"] == "runs"
    assert hello_execution["Description"] == "first run"
    assert hello_execution["Task Execution ID"] == "<none>"
    table = levante("execution-get", hello_execution["ID"]).out
    assert "| Field " in table and "| State " in table and "| SUCCESS " in table


def test_execution_list_get_input_and_output(
    levante: LevanteCli, hello_execution: dict[str, str]
) -> None:
    ident = hello_execution["ID"]
    listed = {e["ID"]: e for e in levante.json("execution-list")}
    assert listed[ident]["State"] == "SUCCESS" and listed[ident]["Duration"]
    assert ident in levante("execution-list", "--rootsonly", "-f", "value", "-c", "ID").out
    assert json.loads(levante("execution-get-input", ident).out) == {
        "name": "Ada", "greeting": "Hello"
    }
    assert json.loads(levante("execution-get-output", ident).out) == {"text": "Hello, Ada"}
    assert json.loads(levante("execution-get-published", ident).out) == {}


def test_task_list_get_result_and_published(
    levante: LevanteCli, hello_execution: dict[str, str]
) -> None:
    tasks = levante.json("task-list", hello_execution["ID"])
    assert [(t["Name"], t["State"]) for t in tasks] == [("say", "SUCCESS")]
    task = levante.json("task-get", tasks[0]["ID"])
    assert task["Workflow Execution ID"] == hello_execution["ID"]
    assert task["Started at"] != "<none>" and task["Finished at"] != "<none>"
    assert json.loads(levante("task-get-published", task["ID"]).out) == {"text": "Hello, Ada"}
    everywhere = levante("task-list", "-f", "value", "-c", "ID").out.split()
    assert task["ID"] in everywhere


def test_task_get_result_of_a_plain_task_is_its_action_result(
    levante: LevanteCli, hello_execution: dict[str, str]
) -> None:
    task_id = levante.json("task-list", hello_execution["ID"])[0]["ID"]
    assert json.loads(levante("task-get-result", task_id).out) == "Hello, Ada"


def test_action_execution_list_get_and_output(
    levante: LevanteCli, hello_execution: dict[str, str]
) -> None:
    task_id = levante.json("task-list", hello_execution["ID"])[0]["ID"]
    actions = levante.json("action-execution-list", task_id)
    assert [(a["Name"], a["State"], a["Task ID"]) for a in actions] == [
        ("std.echo", "SUCCESS", task_id)
    ]
    assert "State info" not in actions[0]
    shown = levante.json("action-execution-get", actions[0]["ID"])
    assert shown["State info"] is None and shown["Accepted"] is True
    assert json.loads(levante("action-execution-get-output", actions[0]["ID"]).out) == {
        "result": "Hello, Ada"
    }
    assert json.loads(levante("action-execution-get-input", actions[0]["ID"]).out) == {
        "output": "Hello, Ada"
    }
    assert actions[0]["ID"] in levante("action-execution-list", "-f", "value", "-c", "ID").out


def test_execution_update_and_delete(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", "--namespace", "upd_runs", str(examples / "hello.yaml"))
    created = levante.json("execution-create", "hello_wf", '{"name": "Bo"}', "--namespace",
                           "upd_runs")
    levante.wait_for(created["ID"])
    updated = levante.json("execution-update", created["ID"], "-d", "renamed")
    assert updated["Description"] == "renamed"
    nothing = levante("execution-update", created["ID"], ok=False)
    assert "nothing to update" in nothing.err
    deleted = levante("execution-delete", created["ID"])
    assert f"Request to delete execution {created['ID']} has been accepted." in deleted.out
    gone = levante("execution-get", created["ID"], ok=False)
    assert created["ID"] in gone.err or "not found" in gone.err.lower()


def test_execution_update_cancels_a_running_execution(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", str(examples / "slow.yaml"))
    created = levante.json("execution-create", "slow_wf")
    cancelled = levante.json("execution-update", created["ID"], "-s", "CANCELLED")
    assert cancelled["ID"] == created["ID"]
    assert levante.wait_for(created["ID"])["State"] == "CANCELLED"


def test_execution_of_an_unknown_workflow_is_refused(levante: LevanteCli) -> None:
    refused = levante("execution-create", "no_such_wf", ok=False)
    assert refused.status == 1
    assert "Workflow not found" in refused.err and "no_such_wf" in refused.err


def test_invalid_input_json_is_refused_before_sending(levante: LevanteCli) -> None:
    refused = levante("execution-create", "hello_wf", "{name: Ada", ok=False)
    assert "workflow input" in refused.err and "neither an existing file nor valid JSON" in (
        refused.err
    )


def test_task_rerun_runs_a_failed_task_again(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", str(examples / "failing.yaml"))
    created = levante.json("execution-create", "failing_wf")
    assert levante.wait_for(created["ID"])["State"] == "ERROR"
    task = levante.json("task-list", created["ID"])[0]
    assert task["State"] == "ERROR" and "disk full" in task["State info"]
    rerun = levante.json("task-rerun", task["ID"])
    assert rerun["ID"] == task["ID"] and rerun["State"] in ("RUNNING", "ERROR")
    assert levante.wait_for(created["ID"])["State"] == "ERROR"
    attempts = levante.json("action-execution-list", task["ID"])
    assert [a["State"] for a in attempts] == ["ERROR", "ERROR"]


def test_wait_follows_a_with_items_execution_and_names_the_failed_item(
    levante: LevanteCli, examples: Path
) -> None:
    levante("workflow-create", str(examples / "build_dicts.yaml"))
    waited = levante("execution-create", "build_dicts", '{"sizes": [2, "many", 1]}', "--wait",
                     ok=False)
    assert waited.status == 1
    assert "(build_dicts): ERROR" in waited.out
    assert "2/3 ok, 1 failed" in waited.out
    failed = waited.out.split("Failed actions:")[1]
    assert '"size": "many"' in failed
    assert "expected a whole number, got 'many'" in failed
    assert '"size": 2' not in failed
    assert "ERROR     build_dicts: tasks 0 done, 0 running, 1 failed" in waited.err
    assert "items 3/3 done, 1 failed" in waited.err


def test_wait_exits_zero_on_success_and_reports_as_json(
    levante: LevanteCli, examples: Path
) -> None:
    levante("workflow-create", "--namespace", "waits", str(examples / "build_dicts.yaml"))
    waited = levante("execution-create", "build_dicts", '{"sizes": [1, 2]}', "--namespace",
                     "waits", "--wait", "-q", "-f", "json")
    report = waited.json()
    assert report["state"] == "SUCCESS" and report["failed_items"] == []
    assert report["output"] == {"built": [{"k0": ""}, {"k0": "", "k1": ""}]}
    assert [(t["name"], t["items_count"], t["items_succeeded"]) for t in report["tasks"]] == [
        ("build", 2, 2)
    ]
    assert waited.err == ""
    result = levante("task-get-result", report["tasks"][0]["id"]).out
    assert json.loads(result) == [{"k0": ""}, {"k0": "", "k1": ""}]


def test_wait_names_the_failed_sub_workflow_of_a_with_items_task(
    levante: LevanteCli, examples: Path
) -> None:
    levante("workflow-create", str(examples / "probe_hosts.yaml"))
    waited = levante("execution-create", "probe_hosts", '{"hosts": ["db1", "db2", "web1"]}',
                     "--wait", ok=False)
    assert "(probe_hosts): ERROR" in waited.out
    assert "2/3 ok, 1 failed" in waited.out
    failed = waited.out.split("Failed actions:")[1]
    assert '"host": "db2"' in failed and "db2 does not answer" in failed
    assert "db1" not in failed and "web1" not in failed
