"""Notifications: the ``notify`` param turns state changes into ``Notify`` commands."""

from __future__ import annotations

from levante.engine import events as ev
from levante.engine.memory import MemoryHost
from levante.engine.notify import targets_for, task_event, workflow_event
from levante.lang import parse_workflows
from levante.lang.spec import WorkflowSpec

FAILING = """
version: '2.0'
wf:
  tasks:
    first:
      action: std.fail
parent:
  tasks:
    call:
      workflow: wf
"""

HOOK = {"type": "webhook", "url": "http://127.0.0.1:1/hook", "headers": {"X-Token": "t"}}


def parse(text: str) -> dict[str, WorkflowSpec]:
    """The workflows of a document, by name."""
    return dict(parse_workflows(text).workflows)


def run_failing(name: str, notify: list[object]) -> MemoryHost:
    """Start ``name`` with ``notify`` and fail every action it runs."""
    host = MemoryHost(parse(FAILING))
    host.start(name, params={"notify": notify})
    host.drain()
    while host.queue:
        host.handle(ev.ActionFinished(host.queue.popleft(), "ERROR", "boom"))
        host.drain()
    return host


def test_events_follow_mistral_state_arrows() -> None:
    assert workflow_event(None, "RUNNING") == "WORKFLOW_LAUNCHED"
    assert workflow_event("IDLE", "RUNNING") == "WORKFLOW_LAUNCHED"
    assert workflow_event("PAUSED", "RUNNING") == "WORKFLOW_RESUMED"
    assert workflow_event("ERROR", "RUNNING") == "WORKFLOW_RERUN"
    assert workflow_event("RUNNING", "ERROR") == "WORKFLOW_FAILED"
    assert workflow_event(None, "IDLE") is None
    assert task_event(None, "RUNNING") == "TASK_LAUNCHED"
    assert task_event("WAITING", "RUNNING") == "TASK_RESUMED"
    assert task_event("RUNNING", "SKIPPED") == "TASK_SKIPPED"
    assert task_event("RUNNING", "DELAYED") is None
    assert task_event("RUNNING", "RUNNING") is None


def test_event_types_filter_targets_and_no_filter_means_every_event() -> None:
    only_failures = {**HOOK, "event_types": ["WORKFLOW_FAILED"]}
    assert targets_for([HOOK, only_failures, "junk"], "TASK_LAUNCHED") == (HOOK,)
    assert targets_for([HOOK, only_failures], "WORKFLOW_FAILED") == (HOOK, only_failures)
    assert targets_for(None, "WORKFLOW_FAILED") == ()


def test_a_failing_workflow_notifies_launch_task_failure_and_workflow_failure() -> None:
    host = run_failing("wf", [HOOK])
    events = [n.event for n in host.notifications]
    assert events == ["WORKFLOW_LAUNCHED", "TASK_LAUNCHED", "TASK_FAILED", "WORKFLOW_FAILED"]
    failed = host.notifications[-1]
    assert failed.targets == (HOOK,)
    assert failed.payload["event"] == "WORKFLOW_FAILED"
    assert failed.payload["state"] == "ERROR"
    assert failed.payload["workflow_name"] == "wf"
    task_failed = host.notifications[2]
    assert task_failed.payload["name"] == "first"
    assert task_failed.payload["type"] == "ACTION"
    assert task_failed.task_execution_id == task_failed.payload["id"]


def test_without_notify_params_nothing_is_emitted() -> None:
    host = run_failing("wf", [])
    assert host.notifications == []


def test_event_types_narrow_what_is_emitted() -> None:
    host = run_failing("wf", [{**HOOK, "event_types": ["TASK_FAILED", "WORKFLOW_FAILED"]}])
    assert [n.event for n in host.notifications] == ["TASK_FAILED", "WORKFLOW_FAILED"]


def test_sub_workflows_notify_the_root_executions_targets() -> None:
    host = run_failing("parent", [{**HOOK, "event_types": ["WORKFLOW_FAILED"]}])
    failed = [n for n in host.notifications]
    names = [n.payload["workflow_name"] for n in failed]
    assert names == ["wf", "parent"]
    child, parent = failed
    assert child.root_execution_id == parent.workflow_execution_id
    assert child.payload["root_execution_id"] == parent.workflow_execution_id
