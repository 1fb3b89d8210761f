"""YAQL specifics: Mistral's engine options, and lazy input conversion giving
exactly what yaql's own (eager) conversion gives."""

from __future__ import annotations

from collections import ChainMap

import pytest
import yaql
from yaql.language import factory

from levante.expr import ExpressionEvaluationError, evaluate
from levante.expr.yaql_lang import parse

DATA = {
    "servers": [
        {"name": "centos", "tags": ["a"]},
        {"name": "ubuntu", "tags": []},
        {"name": "centos", "tags": ["a"]},
    ],
    "d": {"k": {"n": 1}, "l": [1, 2, 2]},
    "s": "text",
    "n": 3,
}

_EAGER_ENGINE = factory.YaqlFactory(keyword_operator="=>", allow_delegates=False).create(
    options={
        "yaql.convertInputData": True,
        "yaql.convertOutputData": True,
        "yaql.convertTuplesToLists": True,
        "yaql.convertSetsToLists": False,
        "yaql.iterableDicts": False,
    }
)


@pytest.mark.parametrize(
    "expression",
    [
        "$.servers.where($.name = ubuntu)",
        "$.servers.distinct()",
        "$.servers.select($.tags)",
        "$.servers.groupBy($.name).len()",
        "$.d.l.distinct()",
        "$.d.l.toSet().len()",
        "$.d.k.n + $.n",
        "$.d.keys().len()",
        "$.d.items().len()",
        "$.d.set(z => 1)",
        "$.servers[0] = $.servers[2]",
        "$.servers[0] in $.servers",
        "dict($.d.items())",
        "$.d.containsKey(k)",
        "$.s + str($.n)",
        "len($.servers)",
        "$.servers.select(dict(name => $.name)).distinct()",
        "let(x => $.d) -> $x.k",
        "$.get(missing, 5)",
        "$.d.l + [4]",
    ],
)
def test_lazy_conversion_matches_yaql_eager_conversion(expression: str) -> None:
    expected = _EAGER_ENGINE(expression).evaluate(data=DATA, context=yaql.create_context())
    assert evaluate(f"<% {expression} %>", DATA) == expected


def test_bare_identifiers_are_strings() -> None:
    assert evaluate("<% $.servers.where($.name = ubuntu).len() %>", DATA) == 1


def test_keyword_operator_is_the_arrow() -> None:
    assert evaluate("<% dict(a => 1) %>", {}) == {"a": 1}


def test_missing_key_is_an_error() -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate("<% $.d.missing %>", DATA)
    assert "missing" in caught.value.cause


def test_context_is_not_copied_into_the_result_of_unrelated_reads() -> None:
    big = {"items": list(range(100_000))}
    assert evaluate("<% $.item %>", ChainMap({"item": 7}, big)) == 7


def test_the_data_is_not_modified() -> None:
    data = {"d": {"a": [1]}}
    evaluate("<% $.d.set(b => 2) %>", data)
    assert data == {"d": {"a": [1]}}


def test_parsing_is_cached_by_text() -> None:
    assert parse("$.a + 1") is parse("$.a + 1")
    assert parse(" $.a + 1 ") is parse("$.a + 1")
