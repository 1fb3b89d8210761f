"""Mistral's functions, in YAQL and Jinja (as functions and as filters), over a StaticView."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml

from levante.expr import ExpressionEvaluationError, StaticView, evaluate


@pytest.fixture
def view() -> StaticView:
    return StaticView(
        workflow_execution={
            "id": "wf1",
            "name": "main",
            "state": "RUNNING",
            "created_at": "2016-12-01 15:00:00",
        },
        workflow_executions=[
            {
                "id": "wf2",
                "name": "sub",
                "state": "ERROR",
                "root_execution_id": "wf1",
                "task_execution_id": "t2",
                "created_at": "2016-12-01 15:01:00",
            }
        ],
        task_executions=[
            {
                "id": "t1",
                "name": "a",
                "state": "SUCCESS",
                "type": "ACTION",
                "workflow_execution_id": "wf1",
                "result": 5,
                "published": {"p": 1},
            },
            {
                "id": "t2",
                "name": "b",
                "state": "SUCCESS",
                "type": "WORKFLOW",
                "workflow_execution_id": "wf1",
                "result": None,
                "published": {},
            },
            {
                "id": "t3",
                "name": "c",
                "state": "ERROR",
                "type": "ACTION",
                "workflow_execution_id": "wf2",
                "result": "boom",
                "published": {},
            },
            {
                "id": "t4",
                "name": "a",
                "state": "ERROR",
                "type": "ACTION",
                "workflow_execution_id": "wf1",
                "result": 6,
                "published": {},
            },
        ],
        environment={"region": "eu"},
        global_vars={"my_var": 7},
        current_task="b",
    )


def ev(text: str, view: StaticView) -> object:
    return evaluate(text, {"x": 1}, view)


@pytest.mark.parametrize(
    "text",
    ["<% task(a).result %>", "{{ task('a').result }}", "{{ (_ | task('a')).result }}"],
)
def test_task_by_name_is_its_latest_run_in_this_execution(text: str, view: StaticView) -> None:
    assert ev(text, view) == 6


@pytest.mark.parametrize("text", ["<% task().id %>", "{{ task().id }}", "{{ (_ | task).id }}"])
def test_task_without_name_is_the_current_task(text: str, view: StaticView) -> None:
    assert ev(text, view) == "t2"


@pytest.mark.parametrize("text", ["<% task(nope) %>", "{{ task('nope') }}"])
def test_task_that_has_not_run_is_null(text: str, view: StaticView) -> None:
    assert ev(text, view) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<% tasks().id %>", ["t1", "t2", "t3", "t4"]),
        ("{{ tasks() | map(attribute='id') | list }}", ["t1", "t2", "t3", "t4"]),
        ("<% tasks(execution().id).id %>", ["t1", "t2", "t4"]),
        ("<% tasks(null, false, ERROR).id %>", ["t3", "t4"]),
        ("<% tasks(state => ERROR).id %>", ["t3", "t4"]),
        ("{{ tasks(None, false, 'ERROR') | map(attribute='id') | list }}", ["t3", "t4"]),
        ("{{ tasks(state='ERROR') | map(attribute='id') | list }}", ["t3", "t4"]),
        ("<% tasks(wf1, true).id %>", ["t1", "t2", "t4", "t3"]),
        ("<% tasks(wf1, true, ERROR).id %>", ["t4", "t3"]),
        ("<% tasks(workflow_execution_id => wf1, flat => true).id %>", ["t1", "t2", "t4"]),
        ("<% tasks(workflowExecutionId => wf1, flat => true).id %>", ["t1", "t2", "t4"]),
    ],
)
def test_tasks_filters(text: str, expected: list[str], view: StaticView) -> None:
    assert ev(text, view) == expected


def test_tasks_flat_drops_workflow_tasks_in_their_subworkflow_state(view: StaticView) -> None:
    view.task_executions[1]["state"] = "ERROR"
    assert ev("<% tasks(wf1, false, null, true).id %>", view) == ["t1", "t4"]


@pytest.mark.parametrize(
    "text", ["<% execution().name %>", "{{ execution().name }}", "{{ (_ | execution).name }}"]
)
def test_execution(text: str, view: StaticView) -> None:
    assert ev(text, view) == "main"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<% executions().id %>", ["wf1", "wf2"]),
        ("<% executions(wf2).id %>", ["wf2"]),
        ("<% executions(null, null, ERROR).id %>", ["wf2"]),
        ("<% executions(state => ERROR).id %>", ["wf2"]),
        ("<% executions(root_execution_id => wf1).id %>", ["wf2"]),
        ("<% executions(rootExecutionId => wf1).id %>", ["wf2"]),
        (
            "{{ executions(root_execution_id=execution().id) | map(attribute='id') | list }}",
            ["wf2"],
        ),
        ("{{ executions(from_time='2016-12-01 15:01:00') | map(attribute='id') | list }}", ["wf2"]),
        ("{{ executions(to_time='2016-12-01 15:01:00') | map(attribute='id') | list }}", ["wf1"]),
        ("{{ executions(id='wf1', state='ERROR') }}", []),
    ],
)
def test_executions_filters(text: str, expected: list[str], view: StaticView) -> None:
    assert ev(text, view) == expected


@pytest.mark.parametrize(
    "text", ["<% env().region %>", "{{ env().region }}", "{{ (_ | env).region }}"]
)
def test_env(text: str, view: StaticView) -> None:
    assert ev(text, view) == "eu"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<% global(my_var) %>", 7),
        ("<% global('my_var') %>", 7),
        ("{{ global('my_var') }}", 7),
        ("<% global(unknown) %>", None),
        ("{{ global('unknown') }}", None),
    ],
)
def test_global(text: str, expected: object, view: StaticView) -> None:
    assert ev(text, view) == expected


@pytest.mark.parametrize("text", ["<% env() %>", "{{ task('a') }}", "<% tasks() %>"])
def test_state_functions_without_a_view_fail_clearly(text: str) -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(text, {})
    assert "outside of" in str(caught.value)


@pytest.mark.parametrize("text", ["<% uuid() %>", "{{ uuid() }}", "{{ _ | uuid }}"])
def test_uuid_is_a_fresh_uuid4(text: str) -> None:
    first, second = evaluate(text, {"x": 1}), evaluate(text, {"x": 1})
    assert uuid.UUID(first).version == 4
    assert first != second


DATA = {"d": {"a": [1, 2], "b": "x"}}


@pytest.mark.parametrize(
    "text",
    [
        "<% json_dump($.d) %>",
        "<% json_pp($.d) %>",
        "{{ json_dump(_.d) }}",
        "{{ _ | json_dump(_.d) }}",
        "{{ _.d | json_dump }}",
    ],
)
def test_json_dump_indents_by_four(text: str) -> None:
    assert evaluate(text, DATA) == json.dumps(DATA["d"], indent=4)


@pytest.mark.parametrize(
    "text", ["<% yaml_dump($.d) %>", "{{ yaml_dump(_.d) }}", "{{ _.d | yaml_dump }}"]
)
def test_yaml_dump_is_block_style(text: str) -> None:
    result = evaluate(text, DATA)
    assert result == "a:\n- 1\n- 2\nb: x\n"
    assert yaml.safe_load(result) == DATA["d"]


@pytest.mark.parametrize(
    "text",
    ["<% json_parse($.s) %>", "{{ json_parse(_.s) }}", "{{ _.s | json_parse }}"],
)
def test_json_parse(text: str) -> None:
    assert evaluate(text, {"s": '{"a": [1, 2]}'}) == {"a": [1, 2]}


@pytest.mark.parametrize("text", ["<% yaml_parse($.s) %>", "{{ _.s | yaml_parse }}"])
def test_yaml_parse(text: str) -> None:
    assert evaluate(text, {"s": "a:\n  - 1\n"}) == {"a": [1]}


def test_yaml_parse_reads_anchors_and_aliases_as_text() -> None:
    bomb = "a: &a [x, x]\nb: [*a, *a]\n"
    assert evaluate("<% yaml_parse($.s) %>", {"s": bomb}) == {"a": "&a [x, x]", "b": ["*a", "*a"]}


def test_function_results_feed_yaql_queries(view: StaticView) -> None:
    assert ev("<% tasks().where($.state = ERROR).select($.name) %>", view) == ["c", "a"]


def test_a_nested_evaluation_without_a_view_keeps_the_outer_view(view: StaticView) -> None:
    class NestingView(StaticView):
        def env(self) -> dict[str, object]:
            return {"inner": evaluate("<% execution().name %>", {})}

    nesting = NestingView(workflow_execution=view.workflow_execution)
    assert evaluate("<% env().inner %>", {}, nesting) == "main"
