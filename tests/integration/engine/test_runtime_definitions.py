"""EngineRuntime and stored definitions: workflow_id, workbook names, skip through the runtime."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from levante.engine import OperationError
from levante.engine.runtime import ActionReport, EngineRuntime
from levante.engine.runtime_rows import TASK, WF
from levante.store import Database
from levante.store.models import WorkflowDefinition
from tests.integration.engine.test_runtime import claim

PARENT = """
version: '2.0'
parent:
  tasks:
    call: {workflow: child}
child:
  tasks:
    t: {action: std.noop}
"""

FAILING = """
version: '2.0'
wf:
  tasks:
    t1: {action: std.fail, on-skip: [t2]}
    t2: {action: std.noop}
"""


def definition_ids(db: Database) -> dict[str, str]:
    with db.read() as session:
        rows = session.execute(select(WorkflowDefinition.name, WorkflowDefinition.id))
        return {name: def_id for name, def_id in rows}


def test_executions_and_tasks_record_the_definition_they_run(db: Database) -> None:
    rt = EngineRuntime(db)
    ex = rt.start_workflow("parent", definition_text=PARENT)
    ids = definition_ids(db)
    assert ex["workflow_id"] == ids["parent"]
    (aid,) = claim(db)
    rt.actions_finished([ActionReport(aid, "SUCCESS")])
    with db.read() as session:
        rows = session.execute(select(WF.c.workflow_name, WF.c.workflow_id, WF.c.state)).all()
        tasks = session.execute(select(TASK.c.name, TASK.c.workflow_id)).all()
    assert sorted(rows) == sorted([("parent", ids["parent"], "SUCCESS"),
                                   ("child", ids["child"], "SUCCESS")])
    assert sorted(tasks) == sorted([("call", ids["parent"]), ("t", ids["child"])])


def test_a_workbook_workflow_starts_by_its_stored_name(db: Database) -> None:
    text = "version: '2.0'\nmain:\n  tasks:\n    t: {action: std.noop}\n"
    with db.transaction() as session:
        session.add(WorkflowDefinition(name="wb.main", namespace="", definition=text,
                                       checksum="c1", workbook_name="wb"))
    rt = EngineRuntime(db)
    ex = rt.start_workflow("wb.main")
    assert (ex["name"], ex["workflow_name"]) == ("wb.main", "wb.main")
    assert ex["workflow_id"] == definition_ids(db)["wb.main"]
    assert ex["state"] == "RUNNING"


def test_skip_task_goes_on_skip_and_refuses_a_task_that_did_not_fail(db: Database) -> None:
    rt = EngineRuntime(db)
    ex = rt.start_workflow("wf", definition_text=FAILING)
    (aid,) = claim(db)
    rt.actions_finished([ActionReport(aid, "ERROR", "boom")])
    assert rt.execution(ex["id"])["state"] == "ERROR"
    with db.read() as session:
        t1 = session.scalar(select(TASK.c.id).where(TASK.c.name == "t1"))
    rt.skip_task(t1)
    (aid,) = claim(db)
    rt.actions_finished([ActionReport(aid, "SUCCESS")])
    assert rt.execution(ex["id"])["state"] == "SUCCESS"
    with pytest.raises(OperationError, match="is SUCCESS; only a failed"):
        rt.skip_task(t1)


CAPPED = """
version: '2.0'
parent:
  input: [{which: child}]
  tasks:
    each:
      with-items: n in [1, 2, 3]
      concurrency: 1
      workflow: <% $.which %>
child:
  tasks:
    t: {action: std.async_noop}
"""


def child_rows(db: Database, parent_id: str) -> list[tuple[str, str | None, bool]]:
    """(state, state_info, has a spec) of every row that is not the parent."""
    with db.read() as session:
        rows = session.execute(select(WF.c.state, WF.c.state_info, WF.c.spec)
                               .where(WF.c.id != parent_id).order_by(WF.c.created_at))
        return [(state, info, spec is not None) for state, info, spec in rows]


def test_children_waiting_for_a_slot_are_marked_placeholders_removed_when_the_task_ends(
        db: Database) -> None:
    rt = EngineRuntime(db)
    ex = rt.start_workflow("parent", definition_text=CAPPED)
    rows = child_rows(db, ex["id"])
    assert rows[0] == ("RUNNING", None, True)
    assert [(s, has_spec) for s, _, has_spec in rows[1:]] == [("IDLE", False)] * 2
    assert all("Levante placeholder" in (info or "") for _, info, _ in rows[1:])
    rt.cancel(ex["id"])
    assert [s for s, _, _ in child_rows(db, ex["id"])] == ["CANCELLED"]


def test_a_child_that_cannot_start_leaves_no_row(db: Database) -> None:
    rt = EngineRuntime(db)
    ex = rt.start_workflow("parent", {"which": "nowhere"}, definition_text=CAPPED)
    assert rt.execution(ex["id"])["state"] == "ERROR"
    assert child_rows(db, ex["id"]) == []
