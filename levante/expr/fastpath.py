"""Fast paths for the commonest expressions: a plain key path.

``<% $.item %>`` or ``{{ _.task.result }}`` make up most expressions a
with-items task evaluates, and going through yaql's overload resolution
costs ~100 us each. When an expression is only a chain of keys read from
mappings, it is answered directly, with exactly the result the full
evaluator would give; anything else (a key missing, a list in the path, an
attribute that Jinja would read instead of the key, a value yaql would
convert unusually) falls back to the full evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from yaql.language import expressions as yaql_expressions

FALLBACK = object()
"""Returned when the fast path cannot answer; evaluate the normal way."""

_JINJA_PATH = re.compile(r"\s*_((?:\s*\.\s*[A-Za-z][A-Za-z0-9_]*)*)\s*")


def yaql_key_path(statement: yaql_expressions.Statement) -> tuple[str, ...] | None:
    """The keys of a parsed ``$.a.b.c`` (``()`` for ``$``), or None for anything else."""
    keys: list[str] = []
    node = statement.expression
    while isinstance(node, yaql_expressions.BinaryOperator) and node.name == "#operator_.":
        receiver, key = node.args
        if not isinstance(key, yaql_expressions.KeywordConstant):
            return None
        keys.append(key.value)
        node = receiver
    if not isinstance(node, yaql_expressions.GetContextValue):
        return None
    [name] = node.args
    if not (isinstance(name, yaql_expressions.Constant) and name.value == "$"):
        return None
    return tuple(reversed(keys))


def read_yaql(data: Any, keys: tuple[str, ...]) -> Any:
    """``$.keys...`` over ``data`` as yaql returns it (a plain copy), or FALLBACK."""
    value = data
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return FALLBACK
        value = value[key]
    return _plain_copy(value)


def _plain_copy(value: Any) -> Any:
    # What yaql's input + output conversion does to JSON-like data.
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Mapping):
        copied = {}
        for key, item in value.items():
            if not (key is None or isinstance(key, (str, int, float))):
                return FALLBACK
            item = _plain_copy(item)
            if item is FALLBACK:
                return FALLBACK
            copied[key] = item
        return copied
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            item = _plain_copy(item)
            if item is FALLBACK:
                return FALLBACK
            items.append(item)
        return items
    return FALLBACK


def jinja_key_path(body: str) -> tuple[str, ...] | None:
    """The keys of ``_.a.b.c`` inside ``{{ }}``, or None for anything else."""
    match = _JINJA_PATH.fullmatch(body)
    if match is None:
        return None
    return tuple(part.strip() for part in match.group(1).split(".")[1:])


def read_jinja(shown: Any, keys: tuple[str, ...]) -> Any:
    """``_.keys...`` as the sandbox reads it from ``shown`` (``_`` as Jinja sees it), or FALLBACK.

    Jinja reads an attribute before a key (``_.items`` is the dict method),
    so any key that is also an attribute falls back.
    """
    value = shown
    for key in keys:
        if not isinstance(value, Mapping) or hasattr(value, key) or key not in value:
            return FALLBACK
        value = value[key]
    return value
