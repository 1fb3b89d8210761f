"""Jinja specifics: Mistral's environment settings and the sandbox."""

from __future__ import annotations

import pytest

from levante.expr import ExpressionEvaluationError, evaluate

SERVERS = {"servers": [{"name": "centos"}, {"name": "ubuntu"}, {"name": "fedora"}]}


def test_standard_filters_work() -> None:
    assert evaluate(
        "{{ _.servers | selectattr('name', 'equalto', 'ubuntu') | list }}", SERVERS
    ) == [{"name": "ubuntu"}]
    assert evaluate("{{ _.servers | length }}", SERVERS) == 3
    assert evaluate("{{ 3 | string }}", {}) == "3"


def test_jinja_set_and_loops_inside_a_template() -> None:
    text = (
        "{% set names = [] %}{% for s in _.servers %}{% set _x = names.append(s.name) %}"
        "{% endfor %}{{ names | join(',') }}"
    )
    assert evaluate(text, SERVERS) == "centos,ubuntu,fedora"


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ _.servers.__class__ }}",
        "{{ uuid.__globals__ }}",
        "{{ (lipsum).__globals__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ 'x'.format.__self__ }}",
    ],
)
def test_sandbox_refuses_private_and_internal_attributes(text: str) -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate(text, SERVERS)


def test_sandbox_refusal_says_so() -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate("{{ ''.__class__ }}", {})
    assert "unsafe" in caught.value.cause


def test_format_strings_cannot_reach_internals() -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate("{{ '{0.__class__}'.format(1) }}", {})


@pytest.mark.parametrize("text", ["{{ [_.missing] }}", "{{ {'a': _.missing} }}"])
def test_a_missing_value_inside_a_built_list_or_dict_is_an_error(text: str) -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate(text, {})
