"""The real ``mistral`` CLI against ``levante server``: cron-trigger-* and event-trigger-*."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer


@pytest.fixture(scope="module")
def cron_wf(server: LevanteServer, examples: Path) -> str:
    """A workflow with one required input (``name``), for triggers to start."""
    server.mistral("workflow-create", str(examples / "nightly.yaml"))
    return "nightly_wf"


def test_cron_trigger_create_get_list_delete(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    inputs = str(examples / "greet_input.json")
    created = server.mistral_json(
        "cron-trigger-create", "weekly", cron_wf, inputs, "--pattern", "0 2 * * mon"
    )
    assert (created["Name"], created["Workflow"], created["Pattern"]) == (
        "weekly",
        cron_wf,
        "0 2 * * mon",
    )
    next_time = dt.datetime.strptime(created["Next execution time"], "%Y-%m-%d %H:%M:%S")
    assert (next_time.weekday(), next_time.hour, next_time.minute) == (0, 2, 0)
    assert next_time > dt.datetime.now(dt.UTC).replace(tzinfo=None)
    shown = server.mistral_json("cron-trigger-get", "weekly")
    assert shown["Params"] == "{}" and shown["Remaining executions"] is None
    assert "weekly" in {t["Name"] for t in server.mistral_json("cron-trigger-list")}
    deleted = server.mistral("cron-trigger-delete", "weekly")
    assert "Request to delete cron trigger weekly has been accepted." in deleted.stdout
    gone = server.mistral("cron-trigger-delete", "weekly", ok=False)
    assert "Cron trigger not found" in gone.stdout


def test_cron_trigger_bad_pattern_is_refused(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    refused = server.mistral(
        "cron-trigger-create",
        "bad",
        cron_wf,
        str(examples / "greet_input.json"),
        "--pattern",
        "not a cron",
        ok=False,
    )
    assert "The specified pattern is not valid: not a cron" in refused.stderr
    assert "bad" not in {t["Name"] for t in server.mistral_json("cron-trigger-list")}


def test_cron_trigger_duplicate_is_a_conflict(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    args = ("dup", cron_wf, str(examples / "greet_input.json"), "--pattern", "*/5 * * * *")
    server.mistral("cron-trigger-create", *args)
    again = server.mistral("cron-trigger-create", *args, ok=False)
    assert "Duplicate entry for cron trigger" in again.stderr
    server.mistral("cron-trigger-delete", "dup")


def test_cron_trigger_needs_a_known_workflow_and_its_input(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    # The cookbook's mistake: the file name instead of the workflow name, and no input.
    unknown = server.mistral(
        "cron-trigger-create", "typo", "nightly", "--pattern", "0 2 * * mon", ok=False
    )
    assert "Workflow not found" in unknown.stderr and "did you mean 'nightly_wf'" in unknown.stderr
    no_input = server.mistral(
        "cron-trigger-create", "no_input", cron_wf, "--pattern", "0 2 * * mon", ok=False
    )
    assert "missing=['name']" in no_input.stderr


def test_cron_trigger_with_first_time_and_count(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    first = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    created = server.mistral_json(
        "cron-trigger-create",
        "once",
        cron_wf,
        str(examples / "greet_input.json"),
        "--first-time",
        first,
    )
    assert created["Next execution time"].startswith(first)
    assert created["Remaining executions"] == 1
    server.mistral("cron-trigger-delete", "once")


def test_a_workflow_with_cron_triggers_cannot_be_deleted(
    server: LevanteServer, examples: Path, cron_wf: str
) -> None:
    server.mistral(
        "cron-trigger-create",
        "keeper",
        cron_wf,
        str(examples / "greet_input.json"),
        "--pattern",
        "0 3 * * *",
    )
    refused = server.mistral("workflow-delete", cron_wf, ok=False)
    assert "cron triggers" in refused.stdout + refused.stderr
    server.mistral("cron-trigger-delete", "keeper")


def test_event_trigger_lifecycle(server: LevanteServer, examples: Path, cron_wf: str) -> None:
    workflow_id = server.mistral_json("workflow-get", cron_wf)["ID"]
    created = server.mistral_json(
        "event-trigger-create",
        "on_boot",
        workflow_id,
        "nova",
        "notifications",
        "compute.instance.create.end",
        '{"name": "new vm"}',
    )
    assert (created["Name"], created["Workflow ID"]) == ("on_boot", workflow_id)
    assert created["Exchange"] == "nova" and created["Event"] == "compute.instance.create.end"
    shown = server.mistral_json("event-trigger-get", created["ID"])
    assert shown["Topic"] == "notifications"
    assert created["ID"] in {t["ID"] for t in server.mistral_json("event-trigger-list")}
    again = server.mistral(
        "event-trigger-create",
        "on_boot2",
        workflow_id,
        "nova",
        "notifications",
        "compute.instance.create.end",
        '{"name": "new vm"}',
        ok=False,
    )
    assert "Duplicate" in again.stderr
    assert "has been accepted" in server.mistral("event-trigger-delete", created["ID"]).stdout
    server.mistral("event-trigger-get", created["ID"], ok=False)
