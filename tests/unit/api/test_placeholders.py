"""The engine's placeholder rows (sub-workflows waiting for a concurrency slot) are not shown.

A with-items task over sub-workflows with ``concurrency`` parks the children
that have no slot yet as rows without a spec; the REST API answers as if they
did not exist (Mistral has no row for them until they start).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from levante.store import Database
from levante.store.models import TaskExecution, WorkflowExecution

T0 = dt.datetime(2026, 11, 28, 17, 0, 0, tzinfo=dt.UTC)
SPEC = {"name": "child", "tasks": {}}


@pytest.fixture
def tree(sqlite_db: Database) -> Database:
    """parent -> task 'fan' (with-items) -> child 'started' and placeholder 'parked'."""
    with sqlite_db.transaction() as session:
        session.add(WorkflowExecution(
            id="parent", name="fleet", workflow_name="fleet", state="RUNNING", spec=SPEC,
            created_at=T0,
        ))
        session.flush()
        session.add(TaskExecution(
            id="fan", name="fan", workflow_execution_id="parent", type="WORKFLOW",
            state="RUNNING", runtime_context={"with_items": {}}, created_at=T0,
        ))
        session.flush()
        session.add(WorkflowExecution(
            id="started", name="child", workflow_name="child", state="RUNNING", spec=SPEC,
            task_execution_id="fan", root_execution_id="parent", accepted=True,
            created_at=T0 + dt.timedelta(seconds=1),
        ))
        session.add(WorkflowExecution(
            id="parked", name="child", workflow_name="child", state="IDLE", spec=None,
            task_execution_id="fan", root_execution_id="parent",
            created_at=T0 + dt.timedelta(seconds=2),
        ))
    return sqlite_db


def test_lists_leave_placeholders_out(client: TestClient, tree: Database) -> None:
    listed = client.get("/v2/executions").json()["executions"]
    assert [e["id"] for e in listed] == ["parent", "started"]
    by_task = client.get("/v2/executions?task_execution_id=fan").json()["executions"]
    assert [e["id"] for e in by_task] == ["started"]
    idle = client.get("/v2/executions?state=IDLE").json()["executions"]
    assert idle == []


def test_a_placeholder_cannot_be_read_or_changed(client: TestClient, tree: Database) -> None:
    assert client.get("/v2/executions/parked").status_code == 404
    assert client.get("/v2/executions/parked/report").status_code == 404
    assert client.get("/v2/executions/parked/tasks").status_code == 404
    assert client.get("/v2/executions/parked/executions").status_code == 404
    assert client.put("/v2/executions/parked", json={"state": "PAUSED"}).status_code == 404
    assert client.put("/v2/executions/parked", json={"description": "x"}).status_code == 404
    assert client.delete("/v2/executions/parked?force=true").status_code == 404
    assert client.get("/v2/executions/started").status_code == 200


def test_sub_executions_and_report_leave_placeholders_out(
    client: TestClient, tree: Database
) -> None:
    below = client.get("/v2/executions/parent/executions").json()["executions"]
    assert [e["id"] for e in below] == ["parent", "started"]
    of_task = client.get("/v2/tasks/fan/executions").json()["executions"]
    assert [e["id"] for e in of_task] == ["started"]
    report = client.get("/v2/executions/parent/report").json()
    (fan,) = report["root_workflow_execution"]["task_executions"]
    assert [w["id"] for w in fan["workflow_executions"]] == ["started"]
