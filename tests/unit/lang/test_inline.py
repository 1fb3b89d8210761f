"""Inline parameters (``std.http url='x'``) and with-items clauses."""

from __future__ import annotations

from typing import Any

import pytest

from levante.lang.inline import (
    WithItemsClause,
    parse_command,
    parse_params,
    parse_with_items,
)


@pytest.mark.parametrize(
    ("text", "name", "params"),
    [
        ("std.noop", "std.noop", {}),
        ("std.http url='openstack.org'", "std.http", {"url": "openstack.org"}),
        (
            'std.http url="http://x/?q=<% $.q %>" params=""',
            "std.http",
            {"url": "http://x/?q=<% $.q %>", "params": ""},
        ),
        (
            "std.http url=<% $.url %> timeout=<% $.t %>",
            "std.http",
            {"url": "<% $.url %>", "timeout": "<% $.t %>"},
        ),
        ("std.http url={{ _.url }}", "std.http", {"url": "{{ _.url }}"}),
        (
            'wf1 name="John Doe" age=32 param1=null param2=false',
            "wf1",
            {"name": "John Doe", "age": 32, "param1": None, "param2": False},
        ),
        (
            'wf2 is_true=true object_list=[1, null, "str"] is_string="50"',
            "wf2",
            {"is_true": True, "object_list": [1, None, "str"], "is_string": "50"},
        ),
        (
            'wf2 expr_list=["<% $.v %>", "<% $.k %>"] expr=<% $.value %>',
            "wf2",
            {"expr_list": ["<% $.v %>", "<% $.k %>"], "expr": "<% $.value %>"},
        ),
        (
            "send_email to_addrs=['admin@mysite.org'] body='Failed'",
            "send_email",
            {"to_addrs": ["admin@mysite.org"], "body": "Failed"},
        ),
        (
            "std.http method=GET timeout=1.5 retries=-1",
            "std.http",
            {"method": "GET", "timeout": 1.5, "retries": -1},
        ),
        ("std.http url=http://h/<% $.id %>/x", "std.http", {"url": "http://h/<% $.id %>/x"}),
        ('fail msg="<% task().result %>"', "fail", {"msg": "<% task().result %>"}),
        ("fail(msg=<% task() %>)", "fail", {"msg": "<% task() %>"}),
        (
            "local_action str1='Hi' str2=' Mistral!'",
            "local_action",
            {"str1": "Hi", "str2": " Mistral!"},
        ),
        ("<% $.action %>", "<% $.action %>", {}),
        ("{{ _.name }} x=1", "{{ _.name }}", {"x": 1}),
        ('a k="1" k="2"', "a", {"k": "2"}),
    ],
)
def test_parse_command(text: str, name: str, params: dict[str, Any]) -> None:
    command = parse_command(text)
    assert (command.name, command.params, command.problems) == (name, params, ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('std.http url="open', "never closed"),
        ("std.http url=<% $.x", "never closed"),
        ("std.http list=[1, 2", "never closed"),
        ("std.echo output=Hello world", "cannot read 'world'"),
    ],
)
def test_unreadable_parameters_are_reported(text: str, message: str) -> None:
    problems = parse_command(text).problems
    assert problems and message in problems[0].message


def test_value_offsets_point_inside_the_text() -> None:
    command = parse_command("std.echo a='xy' b=<% 1 %>")
    assert command.offsets == {"a": 12, "b": 18}


def test_parse_params_reads_the_one_line_retry() -> None:
    params, problems = parse_params("count=3 delay=1 break-on=<% $.x = 'a b' %>")
    assert params == {"count": 3, "delay": 1, "break-on": "<% $.x = 'a b' %>"}
    assert problems == ()


@pytest.mark.parametrize(
    ("text", "variable", "source"),
    [
        ("x in <% $.xs %>", "x", "<% $.xs %>"),
        ("vm_info in <% $.vms %>", "vm_info", "<% $.vms %>"),
        ("x in {{ _.y }}", "x", "{{ _.y }}"),
        ("x in [1, 2, 3]", "x", [1, 2, 3]),
        ("  item-1   in   <% $.a.where($ > 1) %>  ", "item-1", "<% $.a.where($ > 1) %>"),
    ],
)
def test_with_items_clause(text: str, variable: str, source: Any) -> None:
    parsed = parse_with_items(text)
    assert isinstance(parsed, WithItemsClause)
    assert (parsed.variable, parsed.source) == (variable, source)


@pytest.mark.parametrize(
    "text",
    [
        "x in y",
        "<% $.y %>",
        "x, y in <% $.y %>",
        "x in <% $.y %> and more",
        "x in [1, 2",
        "x in ['a']",
        "in <% $.y %>",
    ],
)
def test_with_items_clause_errors(text: str) -> None:
    assert isinstance(parse_with_items(text), str)
