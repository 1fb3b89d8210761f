"""Checks for the kinds of values the language uses: names, counts, flags, lists, inputs.

Each function takes the ``Checker`` and a ``Field``, reports what is wrong,
and returns the value to use (or None when the value is unusable).
Expressions are written as Mistral's schema wants them: a string that starts
with ``<%`` / ``{{`` and ends with ``%>`` / ``}}``.
"""

from __future__ import annotations

from typing import Any

from levante.lang.checker import Checker, Field, describe, is_expression
from levante.lang.spec import InputParam

NON_NEGATIVE_OR_EXPRESSION = "a non-negative integer or an expression"
BOOLEAN_OR_EXPRESSION = "true, false or an expression"
EXPRESSION = "an expression (<% ... %> or {{ ... }})"


def string(ck: Checker, field: Field, what: str = "a non-empty string") -> str | None:
    """A non-empty string."""
    value = field.value
    if isinstance(value, str) and value:
        return value
    ck.expected(field, what)
    return None


def mapping(ck: Checker, field: Field, what: str = "a non-empty mapping") -> dict | None:
    """A non-empty mapping."""
    value = field.value
    if isinstance(value, dict) and value:
        return value
    ck.expected(field, what)
    return None


def name_keys(ck: Checker, field: Field, what: str) -> None:
    """Keys of a mapping that name things must be non-empty strings."""
    for key, child in field.items():
        if not isinstance(key, str) or not key:
            ck.error(child, f"{what} names must be non-empty strings", found=describe(key),
                     at_key=True)


def expression(ck: Checker, field: Field) -> str | None:
    """An expression (syntax-checked)."""
    if is_expression(field.value):
        ck.check_expressions(field)
        return field.value
    ck.expected(field, EXPRESSION)
    return None


def count_or_expression(ck: Checker, field: Field) -> Any:
    """A non-negative integer (not a float, not a numeric string) or an expression."""
    value = field.value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if is_expression(value):
        ck.check_expressions(field)
        return value
    ck.expected(field, NON_NEGATIVE_OR_EXPRESSION)
    return None


def flag_or_expression(ck: Checker, field: Field) -> Any:
    """``true`` / ``false`` or an expression."""
    value = field.value
    if isinstance(value, bool):
        return value
    if is_expression(value):
        ck.check_expressions(field)
        return value
    ck.expected(field, BOOLEAN_OR_EXPRESSION)
    return None


def unique_strings(ck: Checker, field: Field, *, single_ok: bool = False,
                   what: str = "a list of unique non-empty strings") -> tuple[str, ...]:
    """A non-empty list of distinct non-empty strings (or, with ``single_ok``, one string)."""
    value = field.value
    if single_ok and isinstance(value, str):
        if value:
            return (value,)
        ck.expected(field, what)
        return ()
    if not isinstance(value, list) or not value:
        ck.expected(field, what)
        return ()
    result: list[str] = []
    for item in field.elements():
        if not isinstance(item.value, str) or not item.value:
            ck.expected(item, "a non-empty string")
        elif item.value in result:
            ck.error(item, f"{item.value!r} is listed twice")
        else:
            result.append(item.value)
    return tuple(result)


def input_params(ck: Checker, field: Field) -> tuple[InputParam, ...]:
    """``input:`` of a workflow or ad-hoc action: ``- name`` or ``- name: default``."""
    value = field.value
    what = "a non-empty list of names or single-key 'name: default' mappings"
    if not isinstance(value, list) or not value:
        ck.expected(field, what)
        return ()
    params: list[InputParam] = []
    seen: set[str] = set()
    for item in field.elements():
        entry = item.value
        if isinstance(entry, str) and entry:
            param = InputParam(entry)
        elif isinstance(entry, dict) and len(entry) == 1:
            (name, default), = entry.items()
            if not isinstance(name, str) or not name:
                ck.error(item, "an input name must be a non-empty string", found=describe(name))
                continue
            param = InputParam(name, True, default)
        elif isinstance(entry, dict):
            ck.expected(item, "a name or a mapping with exactly one 'name: default' entry",
                        "each input with a default needs its own list item")
            continue
        else:
            ck.expected(item, "a name or a 'name: default' mapping")
            continue
        if param.name in seen:
            ck.error(item, f"input {param.name!r} is declared twice")
            continue
        seen.add(param.name)
        params.append(param)
    return tuple(params)


def data_mapping(ck: Checker, field: Field, what: str = "a non-empty mapping") -> dict | None:
    """A non-empty mapping of values that may hold expressions (checked)."""
    value = mapping(ck, field, what)
    if value is None:
        return None
    for key, child in field.items():
        if not isinstance(key, str) or not key:
            ck.error(child, "keys must be non-empty strings", found=describe(key), at_key=True)
    ck.check_expressions(field)
    return value
