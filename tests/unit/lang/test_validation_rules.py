"""What the validator accepts and refuses, field by field (Mistral's rules, our wording)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.lang.helpers import is_valid_workflow, workflow_errors

BAD = "<% * %>"
BAD_JINJA = "{{ * }}"

# (properties of a task 'extra' next to the base tasks, valid?)
TASK_CASES: list[tuple[dict[str, Any], bool]] = [
    # with-items
    ({"with-items": ""}, False),
    ({"with-items": []}, False),
    ({"with-items": [""]}, False),
    ({"with-items": None}, False),
    ({"with-items": 12345}, False),
    ({"with-items": "x in y"}, False),
    ({"with-items": "<% $.y %>"}, False),
    ({"with-items": "x, y in <% $.y %>"}, False),
    ({"with-items": "x in <% $.y %>"}, True),
    ({"with-items": "x in {{ _.y }}"}, True),
    ({"with-items": ["x in [1, 2, 3]"]}, True),
    ({"with-items": ["x in <% $.y %>", "i in [1, 2, 3]"]}, True),
    ({"with-items": ["x in <% $.y %>", "i in {{ _.j }}"]}, True),
    ({"with-items": [f"x in {BAD}"]}, False),
    ({"with-items": ["x in <% $.y %>", f"i in {BAD_JINJA}"]}, False),
    ({"with-items": ["x in <% $.y %>", "x in <% $.z %>"]}, False),
    # policies
    ({"retry": {"count": 3, "delay": 1}}, True),
    ({"retry": {"count": 2, "delay": 2, "break-on": "<% 1 %>", "continue-on": "<% 1 %>"}}, True),
    ({"retry": {"count": "<% 3 %>", "delay": "{{ 1 }}"}}, True),
    ({"retry": {"count": BAD, "delay": 1}}, False),
    ({"retry": {"count": 3, "delay": BAD_JINJA}}, False),
    ({"retry": {"count": -3, "delay": 1}}, False),
    ({"retry": {"count": 3, "delay": -1}}, False),
    ({"retry": {"count": "3", "delay": 1}}, False),
    ({"retry": {"count": 3}}, False),
    ({"retry": {"count": 3, "delay": 1, "break-on": "yes"}}, False),
    ({"retry": "count=3 delay=1 break-on=<% false %>"}, True),
    ({"retry": "count=3 delay=1 break-on={{ false }}"}, True),
    ({"retry": "count=3 delay=1"}, True),
    ({"retry": "coun=3 delay=1"}, False),
    ({"retry": None}, False),
    ({"wait-before": 1}, True),
    ({"wait-before": "<% 1 %>"}, True),
    ({"wait-before": BAD}, False),
    ({"wait-before": -1}, False),
    ({"wait-before": 1.1}, False),
    ({"wait-before": "1"}, False),
    ({"wait-after": "{{ 1 }}"}, True),
    ({"wait-after": BAD_JINJA}, False),
    ({"timeout": 300}, True),
    ({"timeout": 0}, True),
    ({"timeout": -300}, False),
    ({"timeout": 300.1}, False),
    ({"timeout": True}, False),
    ({"pause-before": False}, True),
    ({"pause-before": "<% false %>"}, True),
    ({"pause-before": "False"}, False),
    ({"fail-on": "<% $.x > 1 %>"}, True),
    ({"fail-on": 1}, False),
    ({"concurrency": 10}, True),
    ({"concurrency": -10}, False),
    ({"concurrency": "10"}, False),
    # action / workflow / input
    ({"action": 'std.http url="openstack.org" timeout=10'}, True),
    ({"action": "std.http url=<% $.url %> timeout=<% $.t %>"}, True),
    ({"action": f"std.http url={BAD}"}, False),
    ({"action": "std.http url={{ _.url }} timeout={{ _.t }}"}, True),
    ({"action": "std.http url={{ $ }}"}, False),
    ({"action": "<% $.action_name %>"}, True),
    ({"action": 123}, False),
    ({"action": ""}, False),
    ({"action": None}, False),
    ({"action": 'std.http url="never closed'}, False),
    ({"input": ""}, False),
    ({"input": {}}, False),
    ({"input": None}, False),
    ({"input": {"k1": "<% 1 + 2 %>"}}, True),
    ({"input": {"k1": {"nested": [BAD]}}}, False),
    ({"input": "<% $.params %>"}, True),
    ({"action": "std.echo output=1", "input": "<% $.params %>"}, False),
    # publish
    ({"publish": {"k1": "<% $.v1 %>"}}, True),
    ({"publish": {"k1": "{{ 1 + 2 }}"}}, True),
    ({"publish": {"k1": BAD}}, False),
    ({"publish": ""}, False),
    ({"publish": {}}, False),
    ({"publish-on-error": {"k1": BAD_JINJA}}, False),
    ({"publish-on-skip": {"k1": 1}}, True),
    # other properties
    ({"keep-result": True}, True),
    ({"keep-result": "<% 'a' in $.val %>"}, True),
    ({"keep-result": "asd"}, False),
    ({"keep-result": 12345}, False),
    ({"keep-result": BAD}, False),
    ({"safe-rerun": "<% true %>"}, True),
    ({"safe-rerun": None}, False),
    ({"target": "nova"}, True),
    ({"target": ""}, False),
    ({"tags": ["a"]}, True),
    ({"tags": ["a", "a"]}, False),
    ({"description": "fine"}, True),
    ({"description": ""}, False),
    ({"requires": ["echo"]}, False),
    ({"wait_before": 1}, False),
    # transitions
    ({"on-success": "email"}, True),
    ({"on-success": ["email"]}, True),
    ({"on-success": ["email%"]}, False),
    ({"on-success": [{"email": "<% 1 %>"}, "echo"]}, True),
    ({"on-success": [{"email": "<% 1 %>"}, {"email": "<% 1 %>"}]}, False),
    ({"on-success": [{"email": "<% 1 %>", "echo": "<% 2 %>"}]}, False),
    ({"on-success": [{"email": "{{ _.v1 in _.v2 }}"}]}, True),
    ({"on-success": [{"email": BAD}]}, False),
    ({"on-success": [{"email": "email"}]}, False),
    ({"on-success": 'fail msg="<% task().result %>"'}, True),
    ({"on-success": "fail(msg=<% task() %>)"}, True),
    ({"on-success": [f"fail msg={BAD}"]}, False),
    ({"on-success": None}, False),
    ({"on-success": [""]}, False),
    ({"on-success": []}, False),
    ({"on-success": ["email", "email"]}, False),
    ({"on-success": ["email", 12345]}, False),
    ({"on-error": {"publish": {"var1": 1234}}}, False),
    ({"on-error": {"publish": {"branch": {"var1": 1234}}}}, True),
    (
        {
            "on-complete": {
                "publish": {
                    "branch": {"v": 1},
                    "global": {"g": "val"},
                    "atomic": {"a": "<% my_func() %>"},
                },
                "next": "email",
            }
        },
        True,
    ),
    ({"on-complete": {"publish": {"global": {"g": BAD}}}}, False),
    ({"on-complete": {"next": [{"email": "<% $.v1 %>"}]}}, True),
    ({"on-complete": {"next": [{"email": "email"}]}}, False),
    ({"on-complete": {"next": {"email": "email"}}}, False),
    ({"on-complete": {"next": "email", "after": "echo"}}, False),
    ({"on-skip": ["email"]}, True),
    ({"join": "all"}, False),  # nothing transitions to 'get'
]


@pytest.mark.parametrize(("task", "valid"), TASK_CASES, ids=lambda v: repr(v)[:60])
def test_task_property(task: dict[str, Any], valid: bool) -> None:
    assert is_valid_workflow({"tasks": {"extra": {"action": "test.mock", **task}}}) is valid


# (task-defaults, valid?)
DEFAULTS_CASES: list[tuple[dict[str, Any], bool]] = [
    ({"on-success": ["email"]}, True),
    ({"on-error": [{"email": "<% $.v1 in $.v2 %>"}]}, True),
    ({"on-complete": [{"email": BAD_JINJA}]}, False),
    ({"on-complete": None}, False),
    ({"on-complete": ["nowhere"]}, False),
    ({"requires": "echo"}, True),
    ({"requires": ["echo", "get"]}, True),
    ({"requires": []}, False),
    ({"requires": 12345}, False),
    ({"retry": {"count": 3, "delay": "<% 1 %>"}}, True),
    ({"retry": {"count": -3, "delay": 1}}, False),
    ({"timeout": "300"}, False),
    ({"concurrency": 10.1}, False),
    ({"safe-rerun": "<% false %>"}, True),
    ({"safe-rerun": None}, False),
    ({"keep-result": True}, False),
    ({}, False),
]


@pytest.mark.parametrize(("defaults", "valid"), DEFAULTS_CASES, ids=lambda v: repr(v)[:60])
def test_task_defaults_property(defaults: dict[str, Any], valid: bool) -> None:
    assert is_valid_workflow({"task-defaults": defaults}) is valid


# (workflow properties, valid?)
WORKFLOW_CASES: list[tuple[dict[str, Any], bool]] = [
    ({"type": "direct"}, True),
    ({"type": "reverse"}, True),
    ({"type": "circular"}, False),
    ({"type": None}, False),
    ({"input": ["var1", "var2"]}, True),
    ({"input": ["var1", {"var2": 2}]}, True),
    ({"input": [{"var1": None}]}, True),
    ({"input": ["var1", "var1"]}, False),
    ({"input": [{"var1": 1}, {"var1": 1}]}, False),
    ({"input": [{"var1": 1, "var2": 2}]}, False),
    ({"input": [12345]}, False),
    ({"input": [None]}, False),
    ({"input": [""]}, False),
    ({"input": []}, False),
    ({"input": None}, False),
    ({"output": {"k1": "a", "k2": 1, "k3": True, "k4": None}}, True),
    ({"output": {"k1": "<% $.v1 %>"}}, True),
    ({"output": {"k1": BAD}}, False),
    ({"output": []}, False),
    ({"output": "whatever"}, False),
    ({"output": {}}, False),
    ({"output-on-error": {"k1": BAD_JINJA}}, False),
    ({"vars": {"v1": "{{ _.input_var1 }}"}}, True),
    ({"vars": {"v1": BAD_JINJA}}, False),
    ({"vars": None}, False),
    ({"tags": ["tag"]}, True),
    ({"tags": ["tag", "tag"]}, False),
    ({"tags": [""]}, False),
    ({"tags": []}, False),
    ({"tags": ""}, False),
    ({"description": "A workflow"}, True),
    ({"descripton": "A workflow"}, False),
]


@pytest.mark.parametrize(("workflow", "valid"), WORKFLOW_CASES, ids=lambda v: repr(v)[:60])
def test_workflow_property(workflow: dict[str, Any], valid: bool) -> None:
    assert is_valid_workflow(workflow) is valid


@pytest.mark.parametrize(
    ("tasks", "valid"),
    [
        ({}, False),
        (None, False),
        ({"t1": {"action": "std.noop"}}, True),
        ({"t1": {}}, False),
        ({"t1": None}, False),
    ],
)
def test_tasks_section(tasks: Any, valid: bool) -> None:
    assert is_valid_workflow({"tasks": tasks}, base_tasks=False) is valid


@pytest.mark.parametrize(
    ("join_task", "join", "valid"),
    [
        ("task3", 2, True),
        ("task3", 5, False),
        ("task3", 1, True),
        ("task3", 0, True),
        ("task3", "one", True),
        ("task3", "all", True),
        ("task3", -1, False),
        ("task3", "3", False),
        ("task4", "all", False),
        ("task4", 1, False),
        ("task4", "one", False),
    ],
)
def test_join_needs_enough_inbound_tasks(join_task: str, join: Any, valid: bool) -> None:
    tasks = {
        "task1": {"on-complete": "task3"},
        "task2": {"on-complete": "task3"},
        "task3": {"action": "std.noop"},
        "task4": {"action": "std.noop"},
        join_task: {"join": join},
    }
    assert is_valid_workflow({"tasks": tasks}, base_tasks=False) is valid


def test_task_names_may_hold_punctuation() -> None:
    names = ["task1", "t2-task", "t3.task", "t4,task", "t5+task", "t6$task", "t7%task"]
    tasks = {
        name: {
            "action": "std.noop",
            **({"on-success": [names[i + 1]]} if i + 1 < len(names) else {}),
        }
        for i, name in enumerate(names)
    }
    assert is_valid_workflow({"tasks": tasks}, base_tasks=False)


def test_reverse_workflow_refuses_transitions_and_join() -> None:
    errors = workflow_errors(
        {"type": "reverse", "tasks": {"get": {"on-success": ["email"]}, "email": {"join": "all"}}}
    )
    messages = sorted(e.message for e in errors)
    assert "'join' is for direct workflows; this workflow is reverse" in messages
    assert "'on-success' is for direct workflows; this workflow is reverse" in messages


def test_reverse_workflow_accepts_requires() -> None:
    assert is_valid_workflow({"type": "reverse", "tasks": {"email": {"requires": ["echo", "get"]}}})


@pytest.mark.parametrize("requires", ["", [], [""], None, 12345])
def test_reverse_requires_must_be_names(requires: Any) -> None:
    assert not is_valid_workflow({"type": "reverse", "tasks": {"email": {"requires": requires}}})


def test_direct_workflow_without_start_task_is_refused() -> None:
    (error,) = workflow_errors(
        {"tasks": {"task1": {"on-complete": "task2"}, "task2": {"on-complete": "task1"}}},
        base_tasks=False,
    )
    assert "at least one start task" in error.message
    assert error.path == "test"


@pytest.mark.parametrize("name", ["noop", "fail", "succeed", "pause"])
def test_engine_command_names_are_reserved(name: str) -> None:
    (error,) = workflow_errors({"tasks": {name: {"action": "std.noop"}}}, base_tasks=False)
    assert error.path == f"test.tasks.{name}"
    assert "engine command" in error.message


def test_task_name_length_is_limited() -> None:
    assert is_valid_workflow({"tasks": {"t" * 255: {"action": "std.noop"}}}, base_tasks=False)
    assert not is_valid_workflow({"tasks": {"t" * 256: {"action": "std.noop"}}}, base_tasks=False)


def test_workflow_name_cannot_be_a_uuid() -> None:
    (error,) = workflow_errors({}, name="b98180ba-48a0-4e26-ab2e-50dc224f6fd1")
    assert "UUID" in error.message


def test_action_and_workflow_are_exclusive() -> None:
    (error,) = workflow_errors({"tasks": {"get": {"workflow": "wf2"}}})
    assert error.path == "test.tasks.get.workflow"
    assert "either 'action' or 'workflow'" in error.message
