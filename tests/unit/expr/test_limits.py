"""Limits: runaway expressions stop with ExpressionLimitError, never hang."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from levante.expr import (
    ExpressionEvaluationError,
    ExpressionLimitError,
    Limits,
    evaluate,
    get_limits,
    set_limits,
)


@pytest.fixture
def small_limits() -> Iterator[Limits]:
    limits = Limits(timeout=0.3, max_value_bytes=1_000_000, max_items=10_000)
    previous = set_limits(limits)
    try:
        yield limits
    finally:
        set_limits(previous)


@pytest.mark.parametrize(
    "text",
    [
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "<% range(0, 100000000).select($ + 1).where($ < 0).len() %>",
        "<% sequence().where($ < 0).first() %>",
    ],
)
def test_an_endless_expression_is_stopped_by_the_time_limit(
    text: str, small_limits: Limits
) -> None:
    with pytest.raises(ExpressionLimitError) as caught:
        evaluate(text, {})
    assert caught.value.limit == "time"
    assert "time limit of 0.3 s" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'x' * 10000000 }}",
        "{{ [0] * 10000000 }}",
        "{{ 10 ** 10000000 }}",
        "{{ range(100000000) | list }}",
        "{{ 'x'.ljust(100000000) }}",
        "{{ 'x' | center(100000000) }}",
        "{{ '%0100000000d' % 1 }}",
        "{{ '{:>100000000}'.format(1) }}",
        "<% 'x' * 10000000 %>",
        "<% pow(10, 100000000) %>",
        "<% range(0, 100000).toList() %>",
    ],
)
def test_a_huge_value_is_refused(text: str, small_limits: Limits) -> None:
    with pytest.raises(ExpressionLimitError) as caught:
        evaluate(text, {})
    assert caught.value.limit == "size"


def test_a_limit_error_is_an_evaluation_error(small_limits: Limits) -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate("{{ 'x' * 10000000 }}", {})


def test_values_within_the_limits_are_fine(small_limits: Limits) -> None:
    assert evaluate("{{ 'x' * 1000 }}", {}) == "x" * 1000
    assert evaluate("<% range(0, 1000).sum() %>", {}) == sum(range(1000))
    assert evaluate("{{ 2 ** 100 }}", {}) == 2**100


def test_after_a_timeout_the_thread_keeps_working(small_limits: Limits) -> None:
    with pytest.raises(ExpressionLimitError):
        evaluate("<% sequence().where($ < 0).first() %>", {})
    for _ in range(200):
        assert evaluate("<% 1 + 1 %>", {}) == 2


def test_timeouts_hit_only_the_slow_thread(small_limits: Limits) -> None:
    results: dict[str, object] = {}

    def slow() -> None:
        try:
            evaluate("<% sequence().where($ < 0).first() %>", {})
        except ExpressionLimitError as error:
            results["slow"] = error.limit

    def fast() -> None:
        results["fast"] = [evaluate("<% $.x %>", {"x": i}) for i in range(2000)]

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results["slow"] == "time"
    assert results["fast"] == list(range(2000))


def test_set_limits_returns_the_previous_limits() -> None:
    original = get_limits()
    previous = set_limits(Limits(timeout=1))
    try:
        assert previous == original
        assert get_limits().timeout == 1
    finally:
        set_limits(original)


@pytest.mark.parametrize("kwargs", [{"timeout": -1}, {"max_value_bytes": 0}, {"max_items": 0}])
def test_limits_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Limits(**kwargs)
