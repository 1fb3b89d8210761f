"""The reads behind tasks() and executions(): the reader's answers seen through a decision."""

from __future__ import annotations

import datetime as dt

from levante.engine import events as ev
from levante.engine.decision import Decision
from levante.engine.memory import MemoryHost
from levante.engine.reader import ExecutionQuery
from levante.engine.records import WorkflowExecution
from levante.engine.view import EngineView
from levante.lang import parse_workflows

TEXT = """
version: '2.0'
parent:
  tasks:
    call: {workflow: child}
child:
  tasks:
    work: {action: std.noop}
"""


def _finished_host() -> tuple[MemoryHost, str]:
    host = MemoryHost(dict(parse_workflows(TEXT).workflows))
    exec_id = host.start("parent")
    host.drain()
    while host.queue:
        host.handle(ev.ActionFinished(host.queue.popleft(), "SUCCESS", None))
        host.drain()
    return host, exec_id


def test_children_of_lists_every_child_of_a_workflow_task_whatever_its_state() -> None:
    host, exec_id = _finished_host()
    call = host.latest_task(exec_id, "call")
    assert call is not None
    children = host.children_of(call.id)
    assert [(c.workflow_name, c.state) for c in children] == [("child", "SUCCESS")]
    work = host.latest_task(children[0].id, "work")
    assert work is not None and host.children_of(work.id) == []


def test_memory_workflow_executions_filters_by_root_state_and_creation_time() -> None:
    host, exec_id = _finished_host()
    nested = host.workflow_executions(ExecutionQuery(root_execution_id=exec_id))
    assert [n.execution.workflow_name for n in nested] == ["child"]
    assert host.workflow_executions(ExecutionQuery(state="ERROR")) == []
    created = nested[0].created_at
    assert host.workflow_executions(ExecutionQuery(created_from=created)) == nested
    before = host.workflow_executions(ExecutionQuery(created_before=created))
    assert [b.execution.id for b in before] == [exec_id]


def test_a_decision_sees_its_own_changes_and_new_rows() -> None:
    host, exec_id = _finished_host()
    call = host.latest_task(exec_id, "call")
    assert call is not None
    d = Decision(host)
    d.update_workflow(exec_id, state="ERROR")
    assert d.workflow_executions(ExecutionQuery(id=exec_id, state="SUCCESS")) == []
    extra = WorkflowExecution(id="extra", name="child", workflow_name="child", state="RUNNING",
                              task_execution_id=call.id, root_execution_id=exec_id)
    d.create_workflow(extra)
    assert [c.id for c in d.children_of(call.id)][-1] == "extra"
    soon = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    found = d.workflow_executions(ExecutionQuery(state="RUNNING", created_from=soon))
    assert [f.execution.id for f in found] == ["extra"]


def test_the_view_renders_executions_with_their_creation_time() -> None:
    host, exec_id = _finished_host()
    view = EngineView(Decision(host), exec_id)
    (me,) = view.executions(id=exec_id)
    assert me["workflow_name"] == "parent" and me["state"] == "SUCCESS"
    assert dt.datetime.strptime(me["created_at"], "%Y-%m-%d %H:%M:%S")
    assert view.executions(from_time=dt.datetime(2999, 1, 1)) == []
