"""The real ``mistral`` CLI steering executions through the engine of ``levante server``.

execution-update (pause, resume, cancel, fail with state_info, env), task-rerun
(with and without reset), an asynchronous action's result reported with
action-execution-update, the execution report and sub-execution lists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.server import LevanteServer

FINISHED = ("SUCCESS", "ERROR", "CANCELLED")


@pytest.fixture(scope="module", autouse=True)
def ops_workflows(server: LevanteServer, examples: Path) -> None:
    """The workflows of ``ops_workflows.yaml``, created once for this module."""
    server.mistral("workflow-create", str(examples / "ops_workflows.yaml"))


def wait_for(probe: Callable[[], Any], accept: Callable[[Any], bool], what: str) -> Any:
    """Poll ``probe`` until ``accept`` says yes (at most 30 s)."""
    deadline = time.monotonic() + 30
    seen = probe()
    while not accept(seen):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last seen: {seen!r}")
        time.sleep(0.1)
        seen = probe()
    return seen


def execution_state(server: LevanteServer, execution_id: str) -> str:
    """The state of an execution, read over HTTP (cheaper than a CLI call per poll)."""
    _, body = server.request("GET", f"/v2/executions/{execution_id}")
    return str(body["state"])


def wait_state(server: LevanteServer, execution_id: str, states: tuple[str, ...]) -> str:
    """Wait until the execution is in one of ``states``."""
    return str(
        wait_for(
            lambda: execution_state(server, execution_id),
            lambda s: s in states,
            f"execution {execution_id} to be {states}",
        )
    )


def running_action_of(server: LevanteServer, execution_id: str) -> dict[str, Any]:
    """The first action execution of the execution's first task, once it exists."""

    def probe() -> list[dict[str, Any]]:
        _, tasks = server.request("GET", f"/v2/executions/{execution_id}/tasks")
        if not tasks["tasks"]:
            return []
        _, actions = server.request("GET", f"/v2/tasks/{tasks['tasks'][0]['id']}/action_executions")
        return list(actions["action_executions"])

    return wait_for(probe, bool, "the first action execution")[0]  # type: ignore[no-any-return]


def test_pause_resume_and_async_result_through_the_cli(server: LevanteServer) -> None:
    started = server.mistral_json("execution-create", "ops_waiting")
    execution_id = started["ID"]
    action = running_action_of(server, execution_id)
    assert (action["name"], action["state"]) == ("std.async_noop", "RUNNING")

    paused = server.mistral_json("execution-update", execution_id, "-s", "PAUSED")
    assert paused["State"] == "PAUSED"
    resumed = server.mistral_json(
        "execution-update", execution_id, "-s", "RUNNING", "--env", '{"region": "north"}'
    )
    assert resumed["State"] == "RUNNING"

    reported = server.mistral_json(
        "action-execution-update", action["id"], "--state", "SUCCESS", "--output", '"ready"'
    )
    assert (reported["State"], reported["Accepted"]) == ("SUCCESS", True)
    assert wait_state(server, execution_id, FINISHED) == "SUCCESS"
    output = server.mistral("action-execution-get-output", action["id"]).stdout
    assert json.loads(output) == {"result": "ready"}
    again = server.mistral("action-execution-update", action["id"], "--state", "SUCCESS", ok=False)
    assert "already accepted" in again.stderr


def test_cancel_and_fail(server: LevanteServer) -> None:
    to_cancel = server.mistral_json("execution-create", "ops_waiting")["ID"]
    running_action_of(server, to_cancel)
    cancelled = server.mistral_json("execution-update", to_cancel, "-s", "CANCELLED")
    assert cancelled["State"] == "CANCELLED"

    # The CLI has no --state-info; the REST API takes it with the new state.
    to_fail = server.mistral_json("execution-create", "ops_waiting")["ID"]
    running_action_of(server, to_fail)
    status, body = server.request(
        "PUT", f"/v2/executions/{to_fail}", {"state": "ERROR", "state_info": "operator said so"}
    )
    assert (status, body["state"], body["state_info"]) == (200, "ERROR", "operator said so")
    shown = server.mistral_json("execution-get", to_fail)
    assert (shown["State"], shown["State info"]) == ("ERROR", "operator said so")
    server.mistral("execution-update", to_fail, "-s", "PAUSED", ok=None)
    assert execution_state(server, to_fail) == "ERROR"
    assert put_state(server, to_fail, {"state": "SUCCESS"}) == (400, "ERROR")


def test_execution_update_description(server: LevanteServer) -> None:
    execution_id = server.mistral_json("execution-create", "ops_child", '{"word": "x"}')["ID"]
    wait_state(server, execution_id, FINISHED)
    updated = server.mistral_json("execution-update", execution_id, "-d", "checked by ops")
    assert updated["Description"] == "checked by ops"


def test_task_rerun_with_a_new_env(server: LevanteServer) -> None:
    execution_id = server.mistral_json("execution-create", "ops_needs_env")["ID"]
    assert wait_state(server, execution_id, FINISHED) == "ERROR"
    task = server.mistral_json("task-list", execution_id)[0]
    assert (task["Name"], task["State"]) == ("show", "ERROR")
    shown = server.mistral_json("task-get", task["ID"])
    assert "msg" in shown["State info"]

    rerun = server.mistral_json("task-rerun", task["ID"], "--env", '{"msg": "now it works"}')
    assert rerun["ID"] == task["ID"]
    assert wait_state(server, execution_id, FINISHED) == "SUCCESS"
    published = server.mistral("task-get-published", task["ID"]).stdout
    assert json.loads(published) == {"shown": "now it works"}
    not_failed = server.mistral("task-rerun", task["ID"], ok=False)
    assert "ERROR" in not_failed.stderr or "SUCCESS" in not_failed.stderr


def running_actions(server: LevanteServer, task_id: str, count: int) -> list[dict[str, Any]]:
    """The task's RUNNING action executions by iteration, once there are ``count`` of them."""

    def probe() -> list[dict[str, Any]]:
        _, body = server.request("GET", f"/v2/tasks/{task_id}/action_executions")
        return [a for a in body["action_executions"] if a["state"] == "RUNNING"]

    return wait_for(probe, lambda found: len(found) == count, f"{count} running actions")


def report_result(server: LevanteServer, action_id: str, state: str, output: str) -> None:
    """Report an asynchronous action's result with the CLI."""
    server.mistral("action-execution-update", action_id, "--state", state, "--output", output)


def failed_iteration_run(server: LevanteServer, words: list[str]) -> tuple[str, str]:
    """Start ops_items; report every iteration but the second as SUCCESS, that one ERROR."""
    given = json.dumps({"words": words})
    execution_id = server.mistral_json("execution-create", "ops_items", given)["ID"]
    task_id = wait_for(
        lambda: server.request("GET", f"/v2/executions/{execution_id}/tasks")[1]["tasks"],
        bool,
        "the task",
    )[0]["id"]
    actions = running_actions(server, task_id, len(words))
    for action in actions:
        word = words[_index_of(server, action["id"])]
        if word == words[1]:
            report_result(server, action["id"], "ERROR", '"no luck"')
        else:
            report_result(server, action["id"], "SUCCESS", json.dumps(word.upper()))
    assert wait_state(server, execution_id, FINISHED) == "ERROR"
    return execution_id, task_id


def _index_of(server: LevanteServer, action_id: str) -> int:
    from levante.store import Database
    from levante.store.models import ActionExecution

    database = Database(server.db_url)
    try:
        with database.read() as session:
            row = session.get(ActionExecution, action_id)
            assert row is not None
            return int(row.item_index)
    finally:
        database.dispose()


def test_task_rerun_without_reset_reruns_only_failed_iterations(server: LevanteServer) -> None:
    execution_id, task_id = failed_iteration_run(server, ["a", "b", "c"])
    rerun = server.mistral_json("task-rerun", task_id, "--resume")
    assert rerun["State"] == "RUNNING"
    (again,) = running_actions(server, task_id, 1)
    report_result(server, again["id"], "SUCCESS", '"B"')
    assert wait_state(server, execution_id, FINISHED) == "SUCCESS"
    assert json.loads(server.mistral("task-get-result", task_id).stdout) == ["A", "B", "C"]


def test_task_rerun_with_reset_reruns_every_iteration(server: LevanteServer) -> None:
    execution_id, task_id = failed_iteration_run(server, ["x", "y"])
    server.mistral("task-rerun", task_id)
    for action in running_actions(server, task_id, 2):
        report_result(server, action["id"], "SUCCESS", '"again"')
    assert wait_state(server, execution_id, FINISHED) == "SUCCESS"
    assert json.loads(server.mistral("task-get-result", task_id).stdout) == ["again", "again"]


def test_report_and_sub_executions(server: LevanteServer) -> None:
    parent = server.mistral_json("execution-create", "ops_parent")["ID"]
    assert wait_state(server, parent, FINISHED) == "SUCCESS"
    report = server.mistral("execution-get-report", parent, "--no-errors-only").stdout
    assert "Number of tasks in SUCCESS state: 2" in report
    assert "workflow 'ops_parent' [SUCCESS]" in report
    assert "task 'call' [SUCCESS]" in report
    assert "workflow 'ops_child' [SUCCESS]" in report
    assert "action 'std.echo' [SUCCESS]" in report

    status, body = server.request("GET", f"/v2/executions/{parent}/report?max_depth=0")
    assert status == 200
    call = body["root_workflow_execution"]["task_executions"][0]
    assert "task_executions" not in call["workflow_executions"][0]
    assert body["statistics"]["total_tasks_count"] == 1
    status, body = server.request("GET", f"/v2/executions/{parent}/report?statistics_only=true")
    assert "root_workflow_execution" not in body
    assert body["statistics"]["success_tasks_count"] == 2

    subs = server.mistral_json("execution-get-sub-executions", parent)
    assert [s["Workflow name"] for s in subs] == ["ops_parent", "ops_child"]
    call_id = server.mistral_json("task-list", parent)[0]["ID"]
    of_task = server.mistral_json("task-get-sub-executions", call_id)
    assert [s["Workflow name"] for s in of_task] == ["ops_child"]
    errors = server.mistral_json("execution-get-sub-executions", parent, "--errors-only")
    assert [s["Workflow name"] for s in errors] == ["ops_parent"]


def test_report_of_a_failed_execution_shows_the_error(server: LevanteServer) -> None:
    execution_id = server.mistral_json("execution-create", "ops_needs_env")["ID"]
    assert wait_state(server, execution_id, FINISHED) == "ERROR"
    report = server.mistral("execution-get-report", execution_id, "--errors-only").stdout
    assert "Number of tasks in ERROR state: 1" in report
    assert "(error info:" in report and "msg" in report
    # The client reads a 404 body as a report and fails on it, as against Mistral.
    server.mistral("execution-get-report", "00000000-0000-0000-0000-000000000000", ok=False)
    status, body = server.request(
        "GET", "/v2/executions/00000000-0000-0000-0000-000000000000/report"
    )
    assert status == 404 and "not found" in body["faultstring"]


def test_skipping_a_failed_task_lets_the_workflow_go_on(server: LevanteServer) -> None:
    # The mistral CLI has no skip command; PUT /v2/tasks/{id} with SKIPPED is how
    # Mistral's API (and so a script using it) skips a failed task.
    execution_id = server.mistral_json("execution-create", "ops_needs_env")["ID"]
    assert wait_state(server, execution_id, FINISHED) == "ERROR"
    task_id = server.request("GET", f"/v2/executions/{execution_id}/tasks")[1]["tasks"][0]["id"]
    status, body = server.request("PUT", f"/v2/tasks/{task_id}", {"state": "PAUSED"})
    assert status == 400 and "RUNNING (rerun) or SKIPPED" in body["faultstring"]
    status, body = server.request("PUT", f"/v2/tasks/{task_id}", {"state": "SKIPPED"})
    assert status == 200, body
    assert body["id"] == task_id
    assert wait_state(server, execution_id, FINISHED) == "SUCCESS"
    assert server.mistral_json("task-get", task_id)["State"] == "SKIPPED"
    status, body = server.request("PUT", f"/v2/tasks/{task_id}", {"state": "SKIPPED"})
    assert status == 400 and "can skip a task" in body["faultstring"]


def put_state(server: LevanteServer, execution_id: str, body: dict[str, Any]) -> tuple[int, str]:
    """``PUT /v2/executions/{id}``; the status and the execution's state afterwards."""
    status, _ = server.request("PUT", f"/v2/executions/{execution_id}", body)
    return status, execution_state(server, execution_id)


def test_state_changes_follow_mistral(server: LevanteServer) -> None:
    # As Mistral 23: SUCCESS only from RUNNING; ERROR/CANCELLED/RUNNING/SKIPPED
    # leave a finished execution (and ERROR a paused one) as it is; PAUSED of a
    # finished one, unknown states, a description or a non-resume env with a
    # state are refused.
    succeeded = server.mistral_json("execution-create", "ops_waiting")["ID"]
    running_action_of(server, succeeded)
    status, body = server.request(
        "PUT", f"/v2/executions/{succeeded}", {"state": "SUCCESS", "state_info": "done by hand"}
    )
    assert (status, body["state"], body["state_info"]) == (200, "SUCCESS", "done by hand")
    for state, expected in (("SUCCESS", 200), ("ERROR", 200), ("CANCELLED", 200),
                            ("RUNNING", 200), ("SKIPPED", 200), ("PAUSED", 400)):
        assert put_state(server, succeeded, {"state": state}) == (expected, "SUCCESS"), state

    paused = server.mistral_json("execution-create", "ops_waiting")["ID"]
    running_action_of(server, paused)
    assert put_state(server, paused, {"state": "PAUSED"}) == (200, "PAUSED")
    assert put_state(server, paused, {"state": "ERROR"}) == (200, "PAUSED")
    assert put_state(server, paused, {"state": "SUCCESS"}) == (400, "PAUSED")
    assert put_state(server, paused, {"state": "BOGUS"}) == (400, "PAUSED")
    assert put_state(server, paused, {"state": "RUNNING", "description": "x"}) == (400, "PAUSED")
    refused = {"state": "CANCELLED", "params": {"env": {"a": 1}}}
    assert put_state(server, paused, refused) == (400, "PAUSED")
    assert put_state(server, paused, {"state": "CANCELLED"}) == (200, "CANCELLED")
    for state, expected in (("SUCCESS", 400), ("PAUSED", 400), ("ERROR", 200), ("RUNNING", 200)):
        assert put_state(server, paused, {"state": state}) == (expected, "CANCELLED"), state
