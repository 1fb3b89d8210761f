"""evaluate(): Mistral's conventions for strings, nesting and errors."""

from __future__ import annotations

from collections import ChainMap

import pytest

from levante.expr import (
    ExpressionEvaluationError,
    evaluate,
    has_expression,
    is_single_expression,
)

DATA = {
    "server": {"id": "03ea824a", "name": "cloud-fedora", "status": "ACTIVE"},
    "status": "OK",
    "numbers": [1, 2, 3],
    "project_id": "1-2-3-4",
    "vm_count": 28,
}


class TestTypePreservation:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("<% 1 + 1 %>", 2),
            ("{{ 1 + 1 }}", 2),
            ("<% [1, 2] %>", [1, 2]),
            ("{{ [1, 2] }}", [1, 2]),
            ("<% $.server %>", DATA["server"]),
            ("{{ _.server }}", DATA["server"]),
            ("<% $.status = 'OK' %>", True),
            ("{{ _.status == 'OK' }}", True),
            ("<% null %>", None),
            ("{{ None }}", None),
            ("<% 1.5 %>", 1.5),
            ("{{ {'a': {'b': 1}} }}", {"a": {"b": 1}}),
        ],
    )
    def test_a_string_that_is_one_expression_keeps_the_value_type(
        self, text: str, expected: object
    ) -> None:
        result = evaluate(text, DATA)
        assert result == expected
        assert type(result) is type(expected)

    def test_yaql_tuples_come_back_as_lists(self) -> None:
        assert evaluate("<% $.numbers.select($ * 2) %>", DATA) == [2, 4, 6]
        assert isinstance(evaluate("<% $.numbers %>", DATA), list)


class TestTextRendering:
    def test_yaql_values_are_inserted_as_python_str(self) -> None:
        assert evaluate("x <% $.numbers %> <% true %> <% null %>", DATA) == "x [1, 2, 3] True None"

    def test_several_yaql_expressions_render_as_text(self) -> None:
        assert evaluate("<% $.vm_count %><% $.vm_count %>", DATA) == "2828"

    def test_several_jinja_expressions_render_as_text(self) -> None:
        assert evaluate("{{ _.vm_count }}{{ _.vm_count }}", DATA) == "2828"

    def test_surrounding_whitespace_makes_it_text(self) -> None:
        assert evaluate(" <% 1 %>", DATA) == " 1"
        assert evaluate("{{ 1 }} ", DATA) == "1 "

    def test_multiline_template(self) -> None:
        text = 'Tenant "{{ _.project_id }}"\nVMs: {{ _.vm_count }}\n-- Levante'
        assert evaluate(text, DATA) == 'Tenant "1-2-3-4"\nVMs: 28\n-- Levante'

    def test_jinja_blocks_render_with_trimmed_lines(self) -> None:
        text = "A\n{% if _.vm_count %}\nB {{ _.vm_count }}\n{% endif %}\nC"
        assert evaluate(text, DATA) == "A\nB 28\nC"

    def test_a_string_with_only_a_block_renders(self) -> None:
        # Mistral fails on this (its single-expression check indexes an empty
        # list); rendering it is the evident intent.
        assert evaluate("{% if _.status == 'OK' %}up{% else %}down{% endif %}", DATA) == "up"

    def test_jinja_wins_over_yaql_in_one_string(self) -> None:
        assert evaluate("{{ _.status }} <% $.status %>", DATA) == "OK <% $.status %>"


class TestRecursion:
    def test_dicts_and_lists_are_evaluated_item_by_item(self) -> None:
        value = {"a": ["<% $.status %>", 3, {"b": "{{ _.vm_count }}"}], "c": None}
        assert evaluate(value, DATA) == {"a": ["OK", 3, {"b": 28}], "c": None}

    def test_dict_keys_are_not_evaluated(self) -> None:
        assert evaluate({"<% $.status %>": "<% $.status %>"}, DATA) == {"<% $.status %>": "OK"}

    def test_the_input_is_not_modified(self) -> None:
        value = {"a": ["<% $.status %>"]}
        evaluate(value, DATA)
        assert value == {"a": ["<% $.status %>"]}

    @pytest.mark.parametrize("value", [1, 2.5, True, None, b"raw"])
    def test_other_values_pass_through(self, value: object) -> None:
        assert evaluate(value, DATA) is value

    def test_a_string_without_expression_is_returned_as_is(self) -> None:
        text = "plain text with % and { braces }"
        assert evaluate(text, DATA) is text


class TestContext:
    def test_any_mapping_is_a_context(self) -> None:
        context = ChainMap({"item": "x"}, DATA)
        assert evaluate("<% $.item %>-<% $.status %>", context) == "x-OK"
        assert evaluate("{{ _.item }}-{{ _.status }}", context) == "x-OK"

    def test_chainmap_attributes_do_not_shadow_keys_in_jinja(self) -> None:
        context = ChainMap({"parents": "p", "maps": "m"}, {})
        assert evaluate("{{ _.parents }}{{ _.maps }}", context) == "pm"

    def test_item_variables_shadow_the_task_context(self) -> None:
        context = ChainMap({"status": "item"}, DATA)
        assert evaluate("<% $.status %>", context) == "item"
        assert evaluate("{{ _.status }}", context) == "item"

    def test_the_whole_context_is_dollar_and_underscore(self) -> None:
        assert evaluate("<% $ %>", {"a": 1}) == {"a": 1}
        assert evaluate("{{ _ }}", {"a": 1}) == {"a": 1}


class TestErrors:
    def test_yaql_message_names_the_expression_and_the_cause(self) -> None:
        with pytest.raises(ExpressionEvaluationError) as caught:
            evaluate("<% $.server.wrong_key %>", DATA)
        message = str(caught.value)
        assert message.startswith("Can not evaluate YAQL expression [expression=$.server.wrong_key")
        assert "wrong_key" in caught.value.cause
        assert caught.value.language == "yaql"

    def test_jinja_message_names_the_expression_and_the_cause(self) -> None:
        with pytest.raises(ExpressionEvaluationError) as caught:
            evaluate("!! {{ _.nonexistent }} !!", DATA)
        assert str(caught.value).startswith(
            "Can not evaluate Jinja expression [expression=!! {{ _.nonexistent }} !!"
        )
        assert "nonexistent" in caught.value.cause

    @pytest.mark.parametrize("text", ["{{ undefined_name }}", "{{ _.wrong_key }}"])
    def test_jinja_undefined_is_an_error(self, text: str) -> None:
        with pytest.raises(ExpressionEvaluationError):
            evaluate(text, DATA)

    @pytest.mark.parametrize("text", ["<% 1 / 0 %>", "{{ 1 / 0 }}", "x {{ 1 / 0 }}"])
    def test_errors_never_include_the_data_context(self, text: str) -> None:
        secret = "SUPER_SECRET_AUTH_TOKEN"
        with pytest.raises(ExpressionEvaluationError) as caught:
            evaluate(text, {"auth_token": secret})
        assert secret not in str(caught.value)
        assert caught.value.__cause__ is None

    def test_a_failing_item_fails_the_whole_value(self) -> None:
        with pytest.raises(ExpressionEvaluationError):
            evaluate({"ok": "<% 1 %>", "bad": ["<% $.missing %>"]}, DATA)

    def test_a_yaql_syntax_error_at_evaluation_is_an_evaluation_error(self) -> None:
        with pytest.raises(ExpressionEvaluationError):
            evaluate("<% * %>", DATA)


class TestScanning:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("no", False),
            ("<% $.x %>", True),
            ("{{ _.x }}", True),
            ("{% if 1 %}{% endif %}", True),
            ("<% $.x\n %>", False),
            ({"a": ["b", {"c": "<% 1 %>"}]}, True),
            ({"<% 1 %>": "key only"}, False),
            ([1, 2, None], False),
            (3, False),
        ],
    )
    def test_has_expression(self, value: object, expected: bool) -> None:
        assert has_expression(value) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("<% 1 %>", True),
            ("{{ 1 }}", True),
            ("{{ {'a': {'b': 1}} }}", True),
            ("<% 1 %><% 2 %>", False),
            ("{{ 1 }}{{ 2 }}", False),
            (" <% 1 %>", False),
            ("{% if 1 %}{{ 1 }}{% endif %}", False),
            ("plain", False),
        ],
    )
    def test_is_single_expression(self, text: str, expected: bool) -> None:
        assert is_single_expression(text) is expected
