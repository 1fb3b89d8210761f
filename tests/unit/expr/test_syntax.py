"""check_syntax / check_value: every broken expression, located, without evaluating."""

from __future__ import annotations

import pytest

from levante.expr import ExpressionSyntaxError, check_syntax, check_value


@pytest.mark.parametrize(
    "text",
    [
        "There is no expression.",
        "<% abc %>",
        "<% 1 + 2 %>",
        "<% $.a1 * $.a2 %>",
        "<% $.a1 %> is <% $.a2 %>",
        "<% tasks(state => ERROR) %>",
        "<% global(my_var) %>",
        "{{ abc }}",
        "{{ _.a1 * _.a2 }}",
        "The value is {{ _.a1 }}.",
        "{% if _.x %}yes{% endif %}",
        "{{ {'a': {'b': 1}} }}",
        "{{ tasks(state='ERROR') }}",
        "{{ _ | json_dump }}",
    ],
)
def test_valid_expressions_have_no_errors(text: str) -> None:
    assert check_syntax(text) == []


def test_yaql_error_names_expression_language_and_offset() -> None:
    [error] = check_syntax("The value is <% * %>.")
    assert isinstance(error, ExpressionSyntaxError)
    assert error.language == "yaql"
    assert error.expression == "<% * %>"
    assert error.offset == 13
    assert error.error_offset == 16  # the '*'
    assert "'*'" in error.message
    assert "<% * %>" in str(error)


def test_every_broken_yaql_expression_of_a_string_is_reported() -> None:
    errors = check_syntax("<% $.a + %> and <% $.b) %>")
    assert [(e.offset, e.expression) for e in errors] == [(0, "<% $.a + %>"), (16, "<% $.b) %>")]
    assert "end" in errors[0].message


def test_empty_yaql_expression_is_an_error() -> None:
    [error] = check_syntax("x <%  %>")
    assert error.message == "empty expression"
    assert error.offset == 2


def test_yaql_illegal_character() -> None:
    [error] = check_syntax("<% $.a # comment %>")
    assert "'#'" in error.message
    assert error.error_offset == 7


def test_jinja_error_points_at_the_broken_variable() -> None:
    [error] = check_syntax("x {{ _.a }} y {{ _.b + }}")
    assert error.language == "jinja"
    assert error.expression == "{{ _.b + }}"
    assert error.offset == 14


def test_jinja_trailing_garbage_is_an_error() -> None:
    [error] = check_syntax("{{ 1 2 }}")
    assert error.offset == 0


def test_unclosed_jinja_block_is_reported_at_a_block() -> None:
    [error] = check_syntax("a\nb {% for %}")
    assert error.expression == "{% for %}"
    assert error.offset == 4
    [error] = check_syntax("{% if _.x %}yes")
    assert "endif" in error.message


def test_mixing_jinja_and_yaql_in_one_string_is_refused() -> None:
    [error] = check_syntax("{{ _.a }} <% $.b %>")
    assert error.language == "yaql"
    assert error.offset == 10
    assert "not both" in error.message


def test_multiline_delimiters_are_not_expressions() -> None:
    # Mistral's patterns do not cross newlines; neither do ours.
    assert check_syntax("<% $.a\n + %>") == []


def test_non_strings_have_no_errors() -> None:
    assert check_syntax(42) == []  # type: ignore[arg-type]


def test_check_value_walks_values_and_reports_paths() -> None:
    value = {
        "a": ["<% * %>", {"b": "{{ ) }}"}],
        "ok": "<% $.x %>",
        "<% * %>": "keys are not checked",
        "n": 1,
    }
    found = check_value(value)
    assert [(path, error.language) for path, error in found] == [
        (("a", 0), "yaql"),
        (("a", 1, "b"), "jinja"),
    ]


def test_check_value_prefixes_a_given_path() -> None:
    [(path, _)] = check_value(["<% ( %>"], path=("tasks", "t1", "input"))
    assert path == ("tasks", "t1", "input", 0)
