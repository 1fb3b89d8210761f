"""Workbook attributes and ad-hoc actions (Mistral's rules, our wording)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from levante.lang import ValidationError, parse_actions, parse_workbook
from tests.unit.lang.helpers import merge

BLANK = {"version": "2.0", "name": "test_wb"}


def _valid(changes: dict[str, Any]) -> bool:
    try:
        parse_workbook(yaml.safe_dump(merge(BLANK, changes)))
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("changes", "valid"), [
    ({"name": ""}, False),
    ({"name": None}, False),
    ({"name": 12345}, False),
    ({"name": "foobar"}, True),
    ({"description": ""}, False),
    ({"description": "A workbook"}, True),
    ({"tags": ["foo", "bar"]}, True),
    ({"tags": ["foobar", "foobar"]}, False),
    ({"tags": ""}, False),
    ({"version": "1.0"}, False),
    ({"version": 2}, True),
    ({"triggers": {}}, False),
    ({"actions": []}, False),
    ({"actions": {}}, False),
    ({"actions": {"version": "2.0"}}, True),
    ({"actions": {"version": "1.0"}}, False),
    ({"actions": {"noop": {"base": "std.noop"}}}, True),
    ({"actions": {"version": "2.0", "noop": "std.noop"}}, False),
    ({"actions": {"bad name": {"base": "std.noop"}}}, False),
    ({"workflows": {"version": "2.0", "wf1": "wf1"}}, False),
    ({"workflows": {"wf1": {"tasks": {"noop_task": {"action": "std.noop"}}},
                    "version-workflow": {"tasks": {"t": {"action": "std.noop"}}}}}, True),
])
def test_workbook_attributes(changes: dict[str, Any], valid: bool) -> None:
    assert _valid(changes) is valid


def test_workbook_requires_a_name() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_workbook("version: '2.0'\nworkflows:\n  wf:\n    tasks:\n      t: {action: a}\n")
    assert "needs 'name'" in str(caught.value)


@pytest.mark.parametrize(("action", "valid"), [
    ({}, False),
    ({"base": ""}, False),
    ({"base": None}, False),
    ({"base": 12345}, False),
    ({"base": "std.noop"}, True),
    ({"base": 'std.echo output="<% $.x %>"'}, True),
    ({"base": 'std.echo output="<% * %>"'}, False),
    ({"base": 'std.echo output="{{ * }}"'}, False),
    ({"base": "foobar", "base-input": {}}, False),
    ({"base": "foobar", "base-input": {"k1": "v1", "k2": "{{ _.v2 }}"}}, True),
    ({"base": "foobar", "base-input": {"k2": "<% * %>"}}, False),
    ({"base": "foobar", "input": ["k1", {"k2": 2}]}, True),
    ({"base": "foobar", "input": [{"k1": 1}, {"k1": 1}]}, False),
    ({"base": "foobar", "input": [{"k1": 1, "k2": 2}]}, False),
    ({"base": "foobar", "input": ["k1", 12345]}, False),
    ({"base": "foobar", "input": []}, False),
    ({"base": "foobar", "output": None}, True),
    ({"base": "foobar", "output": 0.12345}, True),
    ({"base": "foobar", "output": ["v1"]}, True),
    ({"base": "foobar", "output": "<% $.x %>"}, True),
    ({"base": "foobar", "output": "<% * %>"}, False),
    ({"base": "foobar", "bass-input": {"a": 1}}, False),
])
def test_adhoc_action(action: dict[str, Any], valid: bool) -> None:
    text = yaml.safe_dump({"version": "2.0", "a1": action})
    try:
        parse_actions(text)
    except ValidationError:
        assert not valid
    else:
        assert valid


def test_base_input_wins_over_inline_base_parameters() -> None:
    doc = parse_actions("version: '2.0'\na1:\n  base: std.echo output=1 other=2\n"
                        "  base-input:\n    output: 3\n")
    action = doc.actions["a1"]
    assert (action.base, dict(action.base_input)) == ("std.echo", {"output": 3, "other": 2})
