"""``mistral run-action``: actions run outside any workflow, now or in the background."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.integration.api.server import LevanteServer


def wait_finished(server: LevanteServer, action_id: str) -> dict[str, Any]:
    """The action execution once it left RUNNING (at most 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        _, body = server.request("GET", f"/v2/action_executions/{action_id}")
        if body["state"] != "RUNNING" or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.1)


def test_run_action_synchronously_answers_the_result(server: LevanteServer) -> None:
    ran = server.mistral("run-action", "std.echo", '{"output": "hi"}')
    assert json.loads(ran.stdout) == {"result": "hi"}
    status, body = server.request(
        "POST", "/v2/action_executions", {"name": "std.echo", "input": '{"output": 3}'}
    )
    assert (status, body["id"], body["state"]) == (201, None, "SUCCESS")
    assert json.loads(body["output"]) == {"result": 3}
    failed = server.mistral("run-action", "std.fail", "{}")
    assert "Fail action expected exception" in json.loads(failed.stdout)["result"]


def test_run_action_with_save_result_runs_in_the_background(server: LevanteServer) -> None:
    shown = server.mistral_json("run-action", "std.echo", '{"output": "kept"}', "--save-result")
    assert (shown["State"], shown["Accepted"], shown["Task ID"]) == ("RUNNING", False, None)
    done = wait_finished(server, shown["ID"])
    assert (done["state"], done["accepted"]) == ("SUCCESS", True)
    output = server.mistral("action-execution-get-output", shown["ID"]).stdout
    assert json.loads(output) == {"result": "kept"}
    listed = {a["ID"]: a for a in server.mistral_json("action-execution-list")}
    assert listed[shown["ID"]]["State"] == "SUCCESS"


def test_run_sync_with_save_result_keeps_a_finished_record(server: LevanteServer) -> None:
    ran = server.mistral("run-action", "std.echo", '{"output": 1}', "--save-result", "--run-sync")
    assert json.loads(ran.stdout) == {"result": 1}
    status, body = server.request(
        "POST",
        "/v2/action_executions",
        {
            "name": "std.echo",
            "input": {"output": 2},
            "params": {"save_result": True, "run_sync": True},
        },
    )
    assert (status, body["state"], body["accepted"]) == (201, "SUCCESS", True)
    assert body["id"] is not None


def test_asynchronous_action_reports_through_action_execution_update(
    server: LevanteServer,
) -> None:
    refused = server.mistral("run-action", "std.async_noop", "{}", "--run-sync", ok=False)
    assert "does not support synchronous execution" in refused.stderr
    shown = server.mistral_json("run-action", "std.async_noop", "{}", "--save-result")
    time.sleep(0.3)
    assert server.mistral_json("action-execution-get", shown["ID"])["State"] == "RUNNING"
    updated = server.mistral_json(
        "action-execution-update", shown["ID"], "--state", "SUCCESS", "--output", '{"a": 1}'
    )
    assert (updated["State"], updated["Accepted"]) == ("SUCCESS", True)
    output = server.mistral("action-execution-get-output", shown["ID"]).stdout
    assert json.loads(output) == {"result": {"a": 1}}
    deleted = server.mistral("action-execution-delete", shown["ID"], ok=False)
    assert "Unable to delete" in deleted.stderr


def test_run_action_refuses_bad_requests(server: LevanteServer) -> None:
    missing = server.mistral("run-action", "std.echo", "{}", ok=False)
    assert "missing required input: output" in missing.stderr
    unknown = server.mistral("run-action", "std.nope", "{}", ok=False)
    assert "Failed to find action" in unknown.stderr
    status, body = server.request(
        "POST",
        "/v2/action_executions",
        {"name": "std.echo", "input": {"output": 1}, "params": {"timeout": "soon"}},
    )
    assert status == 400 and "timeout" in body["faultstring"]


def test_run_action_timeout_and_target(server: LevanteServer) -> None:
    status, body = server.request(
        "POST",
        "/v2/action_executions",
        {"name": "std.sleep", "input": {"seconds": 5}, "params": {"timeout": 0.5}},
    )
    assert (status, body["state"]) == (201, "ERROR")
    assert "timed out" in body["state_info"]
    # target names the executor that must run it; this server's executor has no name.
    refused = server.mistral("run-action", "std.echo", '{"output": "t"}', "-t", "any", ok=False)
    assert "no executor named 'any' is alive" in refused.stderr


def test_run_adhoc_action(server: LevanteServer, tmp_path: Path) -> None:
    path = tmp_path / "run_adhoc.yaml"
    path.write_text(
        "version: '2.0'\nshout_it:\n  base: std.echo\n  base-input:\n"
        "    output: <% $.word %>!\n  input:\n    - word\n"
    )
    server.mistral("action-create", str(path))
    ran = server.mistral("run-action", "shout_it", '{"word": "hey"}')
    assert json.loads(ran.stdout) == {"result": "hey!"}
    missing = server.mistral("run-action", "shout_it", "{}", ok=False)
    assert "missing word" in missing.stderr
    saved = server.mistral_json("run-action", "shout_it", '{"word": "bg"}', "--save-result")
    done = wait_finished(server, saved["ID"])
    assert json.loads(done["output"]) == {"result": "bg!"}
