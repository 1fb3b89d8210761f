"""``levante action-*``, ``run-action``, ``cron-trigger-*`` and ``environment-*``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.cli_client.conftest import LevanteCli


def test_action_list_and_get(levante: LevanteCli) -> None:
    names = levante("action-list", "-f", "value", "-c", "Name").out.split()
    assert "std.echo" in names and "std.noop" in names
    shown = levante.json("action-get", "std.echo")
    assert shown["Name"] == "std.echo" and "output" in shown["Input"]
    assert "Returns" in shown["Description"]
    unknown = levante("action-get", "std.nothing", ok=False)
    assert "std.nothing" in unknown.err


def test_run_action_prints_the_output(levante: LevanteCli) -> None:
    done = levante("run-action", "std.echo", '{"output": "hi there"}', ok=None)
    assert done.status == 0, done.err
    assert json.loads(done.out) == {"result": "hi there"}


def test_run_action_of_an_unknown_action_is_refused(levante: LevanteCli) -> None:
    refused = levante("run-action", "std.nothing", ok=False)
    assert "Failed to find action [action_name=std.nothing]" in refused.err


def test_cron_trigger_create_list_get_and_delete(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", str(examples / "nightly.yaml"))
    created = levante.json("cron-trigger-create", "nightly_fail", "nightly_wf",
                           "--pattern", "0 2 * * *", "--count", "3")
    assert (created["Name"], created["Workflow"], created["Pattern"]) == (
        "nightly_fail", "nightly_wf", "0 2 * * *"
    )
    assert created["Remaining executions"] == 3
    assert created["Next execution time"].endswith("02:00:00")
    listed = {t["Name"]: t for t in levante.json("cron-trigger-list")}
    assert listed["nightly_fail"]["Pattern"] == "0 2 * * *"
    assert levante.json("cron-trigger-get", "nightly_fail")["Workflow"] == "nightly_wf"
    duplicate = levante("cron-trigger-create", "nightly_fail", "nightly_wf", "--pattern",
                        "0 3 * * *", ok=False)
    assert "Duplicate" in duplicate.err
    deleted = levante("cron-trigger-delete", "nightly_fail")
    assert "Request to delete cron trigger nightly_fail has been accepted." in deleted.out
    assert "nightly_fail" not in {t["Name"] for t in levante.json("cron-trigger-list")}


def test_cron_trigger_of_an_unknown_workflow_is_refused(levante: LevanteCli) -> None:
    refused = levante("cron-trigger-create", "weekly", "no_such_wf", "--pattern", "0 2 * * mon",
                      ok=False)
    assert "no_such_wf" in refused.err


def test_environment_create_list_get_update_and_delete(
    levante: LevanteCli, examples: Path
) -> None:
    created = levante("environment-create", str(examples / "prod_env.yaml"))
    assert '"region": "us-1"' in created.out and "| Variables " in created.out
    listed = {e["Name"]: e for e in levante.json("environment-list")}
    assert listed["prod"]["Description"] == "The production cloud"
    assert "Variables" not in listed["prod"]
    shown = levante.json("environment-get", "prod")
    assert json.loads(shown["Variables"]) == {"region": "us-1", "retries": 5}
    exported = levante.json("environment-get", "prod", "--export")
    assert json.loads(exported["variables"]) == {"region": "us-1", "retries": 5}
    duplicate = levante("environment-create", str(examples / "prod_env.yaml"), ok=False)
    assert "prod" in duplicate.err
    updated = levante.json("environment-update", str(examples / "prod_env_v2.json"))
    assert updated["Description"] == "Production, moved"
    assert json.loads(updated["Variables"]) == {"region": "us-2"}
    deleted = levante("environment-delete", "prod")
    assert "Request to delete environment prod has been accepted." in deleted.out
    assert "Environment not found" in levante("environment-get", "prod", ok=False).err
