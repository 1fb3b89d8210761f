"""Key-path fast paths give exactly what the full evaluators give."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

import pytest
import yaql
from yaql.language import factory

from levante.expr import ExpressionEvaluationError, evaluate
from levante.expr.fastpath import FALLBACK, jinja_key_path
from levante.expr.jinja_lang import compile_expression

DATA: dict[str, Any] = {
    "item": {"name": "vm-1", "tags": ["a", "b"], "meta": {"n": 1}},
    "items": [{"name": "x"}, {"name": "y"}],
    "count": 3,
    "none": None,
    "t": (1, 2),
    "s": {1, 2},
    "keys": "a key named like a dict method",
}

_ENGINE = factory.YaqlFactory(keyword_operator="=>", allow_delegates=False).create(
    options={"yaql.convertInputData": True, "yaql.convertOutputData": True}
)


@pytest.mark.parametrize(
    "expression",
    [
        "$",
        "$.item",
        "$.item.name",
        "$.item.tags",
        "$.item.meta",
        "$.items",
        "$.items.name",
        "$.count",
        "$.none",
        "$.t",
        "$.keys",
    ],
)
def test_yaql_key_paths_match_yaql(expression: str) -> None:
    expected = _ENGINE(expression).evaluate(data=DATA, context=yaql.create_context())
    result = evaluate(f"<% {expression} %>", DATA)
    assert result == expected
    assert type(result) is type(expected)


def test_yaql_key_path_result_is_a_copy() -> None:
    result = evaluate("<% $.item %>", DATA)
    assert result == DATA["item"] and result is not DATA["item"]


def test_yaql_missing_key_is_the_same_error() -> None:
    with pytest.raises(ExpressionEvaluationError, match="no key 'missing'"):
        evaluate("<% $.item.missing %>", DATA)


@pytest.mark.parametrize(
    "body",
    [" _ ", " _.item ", " _.item.name ", "_.item.tags", " _.items ", " _.keys ", " _.item.items "],
)
def test_jinja_key_paths_match_jinja(body: str) -> None:
    expected = compile_expression(body)(_=DATA)
    assert evaluate("{{" + body + "}}", DATA) == expected


def test_jinja_key_path_over_a_chainmap() -> None:
    context = ChainMap({"item": 1}, DATA)
    assert evaluate("{{ _.item }}", context) == 1
    assert evaluate("{{ _ }}", context) == dict(context)
    assert isinstance(evaluate("{{ _ }}", context), dict)


def test_jinja_missing_key_is_an_error() -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate("{{ _.item.missing }}", DATA)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" _.a.b ", ("a", "b")),
        ("_", ()),
        (" _.a[0] ", None),
        (" _.__class__ ", None),
        (" _.a | length ", None),
        (" x.a ", None),
    ],
)
def test_jinja_key_path_recognition(body: str, expected: object) -> None:
    assert jinja_key_path(body) == expected


def test_fallback_marker_is_never_returned() -> None:
    assert evaluate("<% $.s %>", DATA) is not FALLBACK
    assert evaluate("<% $.s %>", DATA) == {1, 2}
