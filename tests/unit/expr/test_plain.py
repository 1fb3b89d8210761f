"""plain(): what evaluation gives a value without expressions, found without a context."""

from __future__ import annotations

from levante.expr import evaluate
from levante.expr.evaluate import HAS_EXPRESSIONS, plain


def test_a_value_without_expressions_comes_back_as_evaluate_gives_it() -> None:
    value = {"host": "a", "ports": [22, {"tls": True}], "none": None}
    copied = plain(value)
    assert copied == evaluate(value, {}) == value
    assert copied is not value and copied["ports"] is not value["ports"]  # a copy, as evaluate
    assert plain("std.noop") == "std.noop" and plain(3) == 3 and plain(None) is None


def test_any_expression_anywhere_needs_a_context() -> None:
    assert plain("<% $.x %>") is HAS_EXPRESSIONS
    assert plain("{{ _.x }}") is HAS_EXPRESSIONS
    assert plain({"a": [1, {"b": "x <% $.y %>"}]}) is HAS_EXPRESSIONS
    assert plain({"<% $.key %>": "plain"}) == {"<% $.key %>": "plain"}  # keys are not evaluated
