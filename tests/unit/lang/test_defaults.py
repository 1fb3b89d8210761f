"""task-defaults applied to tasks, start tasks, on-clause forms and parsed task fields."""

from __future__ import annotations

from levante.lang import parse_workflows
from levante.lang.spec import JoinKind, PublishSpec, Transition, WorkflowSpec, WorkflowType

WF = """\
version: '2.0'
wf:
  task-defaults:
    wait-before: 5
    timeout: 60
    retry: count=2 delay=3
    safe-rerun: true
    on-error:
      - handle
    on-complete:
      - cleanup: <% $.cleanup %>
  tasks:
    first:
      action: std.echo output=1
      wait-before: 0
      timeout: 10
      on-error:
        publish:
          branch:
            failed: true
    second:
      action: std.noop
      safe-rerun: false
      retry:
        count: 5
        delay: 1
      on-success: [third]
    third:
      join: one
      action: std.noop
      on-success:
        - fail msg="<% $.why %>": <% $.bad %>
        - succeed
    handle:
      action: std.noop
    cleanup:
      action: std.noop
"""


def _wf() -> WorkflowSpec:
    return parse_workflows(WF).workflows["wf"]


def test_policies_merge_key_by_key_and_inactive_values_take_the_default() -> None:
    first = _wf().task("first")
    assert first.policies.timeout == 10
    assert first.policies.wait_before == 5  # 0 does not switch the default off (Mistral)
    assert first.policies.retry is not None and first.policies.retry.count == 2
    second = _wf().task("second")
    assert second.policies.retry is not None and second.policies.retry.count == 5


def test_safe_rerun_uses_the_task_then_the_defaults() -> None:
    assert _wf().task("first").safe_rerun is True
    assert _wf().task("second").safe_rerun is False
    assert _wf().tasks["first"].safe_rerun is None


def test_default_clause_applies_when_the_task_has_no_transitions_of_that_kind() -> None:
    first = _wf().task("first")
    assert first.on_error is not None
    assert [t.target for t in first.on_error.next] == ["handle"]
    assert first.on_error.publish == PublishSpec(branch={"failed": True})
    assert [t.target for t in _wf().task("third").on_error.next] == ["handle"]


def test_default_clause_never_makes_a_task_transition_to_itself() -> None:
    handle = _wf().task("handle")
    assert handle.on_error is None
    cleanup = _wf().task("cleanup")
    assert cleanup.on_complete is None


def test_start_tasks_ignore_tasks_reached_through_defaults() -> None:
    assert _wf().start_tasks() == ("first", "second")


def test_transitions_keep_conditions_and_engine_command_parameters() -> None:
    third = _wf().tasks["third"]
    assert third.join is JoinKind.ONE
    fail, succeed = third.on_success.next
    assert (fail.target, fail.condition, dict(fail.params)) == (
        "fail",
        "<% $.bad %>",
        {"msg": "<% $.why %>"},
    )
    assert fail.is_engine_command and succeed.is_engine_command
    assert isinstance(fail, Transition) and fail.location is not None
    assert (fail.location.line, fail.location.column) == (32, 11)


def test_reverse_requires_merge_defaults_without_self() -> None:
    text = (
        "version: '2.0'\nwf:\n  type: reverse\n  task-defaults:\n    requires: [a]\n"
        "  tasks:\n    a:\n      action: std.noop\n    b:\n      requires: c\n"
        "    c:\n      action: std.noop\n"
    )
    wf = parse_workflows(text).workflows["wf"]
    assert wf.type is WorkflowType.REVERSE
    assert wf.task("a").requires == ()
    assert wf.task("b").requires == ("c", "a")


def test_task_fields_as_parsed() -> None:
    text = """\
version: '2.0'
wf:
  input:
    - a
    - b: 1
  tasks:
    t:
      action: std.http url="u" method=GET
      input:
        url: from-input
        body: <% $.a %>
      with-items:
        - x in <% $.xs %>
        - y in [1, 2]
      publish:
        out: <% task().result %>
      publish-on-error:
        err: 1
      keep-result: false
      target: worker-1
      pause-before: true
      concurrency: 2
      fail-on: <% $.x %>
      tags: [x]
    w:
      workflow: sub k=1
"""
    wf = parse_workflows(text).workflows["wf"]
    t = wf.tasks["t"]
    assert t.action == "std.http" and t.workflow is None
    assert t.input == {"url": "from-input", "method": "GET", "body": "<% $.a %>"}
    assert t.with_items is not None
    assert t.with_items.variables == ("x", "y")
    assert t.with_items.sources == ("<% $.xs %>", [1, 2])
    assert t.publish.branch == {"out": "<% task().result %>"}
    assert t.publish_on_error.branch == {"err": 1}
    assert (t.keep_result, t.target, t.tags) == (False, "worker-1", ("x",))
    assert (t.policies.pause_before, t.policies.concurrency, t.policies.fail_on) == (
        True,
        2,
        "<% $.x %>",
    )
    assert t.raw["action"] == 'std.http url="u" method=GET'
    w = wf.tasks["w"]
    assert (w.action, w.workflow, w.input, w.is_workflow_task) == (None, "sub", {"k": 1}, True)
    assert [p.name for p in wf.input] == ["a", "b"]
    assert wf.input[1].has_default and wf.input[1].default == 1
    assert not wf.input[0].has_default


def test_task_without_action_or_workflow_runs_std_noop() -> None:
    wf = parse_workflows("version: '2.0'\nwf:\n  tasks:\n    t:\n      description: x\n")
    assert wf.workflows["wf"].tasks["t"].action == "std.noop"
