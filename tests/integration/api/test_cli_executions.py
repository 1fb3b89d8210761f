"""The real ``mistral`` CLI on executions, tasks and action executions (read side).

The rows of a finished run are written straight into the server's database,
as the engine would leave them, so the read side is checked independently of
the engine; the server is shared, so lists are checked for these rows only.
"""

from __future__ import annotations

import json
import time

import pytest

from levante.store import Database
from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution
from tests.integration.api.server import LevanteServer


@pytest.fixture(scope="module")
def finished_run(server: LevanteServer) -> dict[str, str]:
    """One finished execution of ``hello``: a task ``say`` with one std.echo action."""
    database = Database(server.db_url)
    with database.transaction() as session:
        wf = WorkflowExecution(
            name="hello",
            workflow_name="hello",
            workflow_id="wf-id",
            state="SUCCESS",
            description="first run",
            input={"name": "ops"},
            output={"greeting": "Hi, ops"},
            params={"namespace": "", "env": {}},
            published_global={"audit": True},
            spec={"workflow": "hello", "namespace": "", "checksum": "", "definition": ""},
        )
        session.add(wf)
        session.flush()
        task = TaskExecution(
            name="say",
            workflow_execution_id=wf.id,
            workflow_name="hello",
            state="SUCCESS",
            published={"greeting": "Hi, ops"},
            processed=True,
        )
        session.add(task)
        session.flush()
        action = ActionExecution(
            name="std.echo",
            task_execution_id=task.id,
            workflow_execution_id=wf.id,
            workflow_name="hello",
            state="SUCCESS",
            accepted=True,
            input={"output": "Hi, ops"},
            output={"result": "Hi, ops"},
        )
        session.add(action)
        session.flush()
        ids = {"execution": wf.id, "task": task.id, "action": action.id}
    database.dispose()
    return ids


def test_execution_list_get_input_output(
    server: LevanteServer, finished_run: dict[str, str]
) -> None:
    listed = {e["ID"]: e["State"] for e in server.mistral_json("execution-list")}
    assert listed[finished_run["execution"]] == "SUCCESS"
    shown = server.mistral_json("execution-get", finished_run["execution"])
    assert (shown["Workflow name"], shown["Description"]) == ("hello", "first run")
    output = server.mistral("execution-get-output", finished_run["execution"]).stdout
    assert json.loads(output) == {"greeting": "Hi, ops"}
    given = server.mistral("execution-get-input", finished_run["execution"]).stdout
    assert json.loads(given) == {"name": "ops"}
    published = server.mistral("execution-get-published", finished_run["execution"]).stdout
    assert json.loads(published) == {"audit": True}
    missing = server.mistral("execution-get", "00000000-0000-0000-0000-000000000000", ok=False)
    assert "not found" in missing.stderr


def test_task_list_get_result_published(
    server: LevanteServer, finished_run: dict[str, str]
) -> None:
    tasks = server.mistral_json("task-list", finished_run["execution"])
    assert [(t["ID"], t["Name"]) for t in tasks] == [(finished_run["task"], "say")]
    shown = server.mistral_json("task-get", finished_run["task"])
    assert (shown["Name"], shown["State"]) == ("say", "SUCCESS")
    result = server.mistral("task-get-result", finished_run["task"]).stdout
    assert json.loads(result) == "Hi, ops"
    published = server.mistral("task-get-published", finished_run["task"]).stdout
    assert json.loads(published) == {"greeting": "Hi, ops"}


def test_action_execution_list_get_output(
    server: LevanteServer, finished_run: dict[str, str]
) -> None:
    listed = {a["ID"]: a["Name"] for a in server.mistral_json("action-execution-list")}
    assert listed[finished_run["action"]] == "std.echo"
    of_task = server.mistral_json("action-execution-list", finished_run["task"])
    assert [a["ID"] for a in of_task] == [finished_run["action"]]
    shown = server.mistral_json("action-execution-get", finished_run["action"])
    assert (shown["State"], shown["Accepted"]) == ("SUCCESS", True)
    output = server.mistral("action-execution-get-output", finished_run["action"]).stdout
    assert json.loads(output) == {"result": "Hi, ops"}
    given = server.mistral("action-execution-get-input", finished_run["action"]).stdout
    assert json.loads(given) == {"output": "Hi, ops"}


def test_execution_create_runs_the_workflow_through_the_engine(
    server: LevanteServer, finished_run: dict[str, str]
) -> None:
    path = server.log_path.parent / "engine_wf.yaml"
    path.write_text(
        "version: '2.0'\nengine_wf:\n  input:\n    - who\n  tasks:\n    t:\n"
        "      action: std.echo output=<% $.who %>\n      publish:\n"
        "        said: <% task().result %>\n"
    )
    server.mistral("workflow-create", str(path))
    started = server.mistral_json("execution-create", "engine_wf", '{"who": "ops"}')
    assert started["Workflow name"] == "engine_wf"
    deadline = time.monotonic() + 30
    state = started["State"]
    while state not in ("SUCCESS", "ERROR") and time.monotonic() < deadline:
        time.sleep(0.1)
        state = server.mistral_json("execution-get", started["ID"])["State"]
    assert state == "SUCCESS"
    output = server.mistral("execution-get-output", started["ID"]).stdout
    assert json.loads(output) == {"said": "ops"}
    missing = server.mistral("execution-create", "engine_wf", ok=False)
    assert "who" in missing.stderr
    unknown = server.mistral("execution-create", "no_such_wf", ok=False)
    assert "Workflow not found" in unknown.stderr


def test_execution_delete(server: LevanteServer, finished_run: dict[str, str]) -> None:
    deleted = server.mistral("execution-delete", finished_run["execution"])
    assert "has been accepted" in deleted.stdout
    status, _ = server.request("GET", f"/v2/tasks/{finished_run['task']}")
    assert status == 404
