"""Task policies: ``retry``, ``wait-before``, ``wait-after``, ``timeout``, ``pause-before``,
``concurrency`` and ``fail-on``, as written in a task or in ``task-defaults``."""

from __future__ import annotations

from typing import Any

from levante.lang import kinds
from levante.lang.checker import Checker, Field
from levante.lang.inline import parse_params
from levante.lang.spec import Policies, RetryPolicy

POLICY_KEYS = (
    "retry",
    "wait-before",
    "wait-after",
    "timeout",
    "pause-before",
    "concurrency",
    "fail-on",
)
RETRY_KEYS = ("count", "delay", "break-on", "continue-on")


def parse_policies(ck: Checker, field: Field) -> Policies:
    """The policy keys of a task or task-defaults mapping (other keys are ignored here)."""
    value: dict[str, Any] = field.value
    found: dict[str, Any] = {}
    for key in ("wait-before", "wait-after", "timeout", "concurrency"):
        if key in value:
            found[key] = kinds.count_or_expression(ck, field.child(key))
    for key in ("pause-before", "fail-on"):
        if key in value:
            found[key] = kinds.flag_or_expression(ck, field.child(key))
    retry = parse_retry(ck, field.child("retry")) if "retry" in value else None
    return Policies(
        retry=retry,
        wait_before=found.get("wait-before"),
        wait_after=found.get("wait-after"),
        timeout=found.get("timeout"),
        pause_before=found.get("pause-before"),
        concurrency=found.get("concurrency"),
        fail_on=found.get("fail-on"),
    )


def parse_retry(ck: Checker, field: Field) -> RetryPolicy | None:
    """``retry:`` as a mapping or as one line (``count=3 delay=1 break-on=<% ... %>``)."""
    value = field.value
    if isinstance(value, str) and value.strip():
        params, problems = parse_params(value)
        for problem in problems:
            ck.error(field, f"in the one-line retry: {problem.message}", offset=problem.offset)
        retry_field = Field(params, None, None, field.path, field)
        return _retry_from_mapping(ck, retry_field, params)
    if not isinstance(value, dict):
        ck.expected(field, "a mapping with count and delay, or one line like "
                    "'count=3 delay=10'")
        return None
    return _retry_from_mapping(ck, field, value)


def _retry_from_mapping(ck: Checker, field: Field, value: dict[str, Any]) -> RetryPolicy | None:
    ck.unknown_keys(field, RETRY_KEYS, "retry")
    missing = [key for key in ("count", "delay") if key not in value]
    for key in missing:
        ck.error(field, f"retry needs '{key}'", hint="write both count and delay")
    count = _child(ck, field, "count", kinds.count_or_expression)
    delay = _child(ck, field, "delay", kinds.count_or_expression)
    break_on = _child(ck, field, "break-on", kinds.expression)
    continue_on = _child(ck, field, "continue-on", kinds.expression)
    if missing or count is None or delay is None:
        return None
    return RetryPolicy(count=count, delay=delay, break_on=break_on, continue_on=continue_on)


def _child(ck: Checker, field: Field, key: str, check: Any) -> Any:
    if key not in field.value:
        return None
    return check(ck, field.child(key))
