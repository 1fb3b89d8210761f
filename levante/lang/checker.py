"""The bookkeeping shared by every part of the parser: fields, paths, errors.

A ``Field`` is one value of the loaded document together with its parent and
its dotted path; a ``Checker`` collects ``LangError`` values with locations
taken from the document's ``SourceMap``. Parsing functions report problems
through the checker and carry on, so one run reports everything it can.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from levante.expr import check_syntax
from levante.lang.errors import LangError
from levante.lang.sourcemap import SourceMap
from levante.lang.spec import Location

_EXPRESSION = re.compile(r"^(<%.*?%>|\{\{.*?\}\})\s*$", re.DOTALL)


def is_expression(value: Any) -> bool:
    """True for a string that is one expression as Mistral's schema means it.

    (It starts with ``<%`` or ``{{`` and ends with the matching closer.)
    """
    return isinstance(value, str) and _EXPRESSION.match(value) is not None


def describe(value: Any) -> str:
    """A short, YAML-like rendering of a value for "found ..." in messages."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if not value:
            return "an empty string"
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, dict):
        return "an empty mapping" if not value else "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    return type(value).__name__


def join_path(path: str, key: Any) -> str:
    """``a.b`` + ``c`` -> ``a.b.c``; ``a`` + 0 -> ``a[0]``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


@dataclass(frozen=True, slots=True)
class Field:
    """A value of the document, where it sits (``parent[key]``) and its path."""

    value: Any
    parent: Any
    key: Any
    path: str
    anchor: Field | None = None
    """For values not written as such (read from a one-line form): where to point instead."""

    def child(self, key: Any) -> Field:
        """The field under ``key`` (or list index) of this field's mapping / list."""
        return Field(self.value[key], self.value, key, join_path(self.path, key), self.anchor)

    def derived(self, value: Any, key: Any) -> Field:
        """A value read out of this field's text (e.g. ``count`` of ``retry: count=3``)."""
        holder = {key: value}
        return Field(value, holder, key, join_path(self.path, key), self)

    def items(self) -> Iterable[tuple[Any, Field]]:
        """``(key, field)`` for each entry of a mapping value."""
        value = self.value
        path = self.path
        for key, item in value.items():
            yield key, Field(item, value, key, join_path(path, key), self.anchor)

    def elements(self) -> Iterable[Field]:
        """One field per item of a list value."""
        value = self.value
        path = self.path
        for index, item in enumerate(value):
            yield Field(item, value, index, join_path(path, index), self.anchor)


class Checker:
    """Collects the problems of one document, each with its location and path."""

    def __init__(self, source: SourceMap, path_prefix: str = "") -> None:
        self.source = source
        self.errors: list[LangError] = []
        self.path_prefix = path_prefix

    def root(self, value: Any) -> Field:
        """The field for the whole document."""
        return Field(value, None, None, self.path_prefix)

    def location_of(self, field: Field, offset: int = 0, key: bool = False) -> Location | None:
        """Where ``field`` (or, with ``key``, its key) was written."""
        if field.parent is None:
            mark = self.source.container_mark(field.value)
        elif key:
            mark = self.source.key_mark(field.parent, field.key)
        else:
            mark = self.source.value_mark(field.parent, field.key)
        if mark is None and field.anchor is not None:
            return self.location_of(field.anchor)
        return self.source.location(mark, offset)

    def error(
        self,
        field: Field,
        message: str = "",
        *,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
        at_key: bool = False,
        offset: int = 0,
    ) -> None:
        """Record a problem with ``field``."""
        self.errors.append(
            LangError(
                message,
                self.location_of(field, offset, key=at_key),
                field.path,
                found,
                expected,
                hint,
            )
        )

    def expected(self, field: Field, expected: str, message: str = "") -> None:
        """Record "expected ..., found <the value>" for ``field``."""
        self.error(field, message, expected=expected, found=describe(field.value))

    def unknown_keys(self, field: Field, allowed: Iterable[str], what: str,
                     ignored: Iterable[str] = ()) -> None:
        """Report every key of a mapping that is not in ``allowed`` (nor in ``ignored``)."""
        allowed_list = list(allowed)
        skip = {*allowed_list, *ignored}
        for key, child in field.items():
            if key in skip:
                continue
            hint = None
            if isinstance(key, str):
                close = difflib.get_close_matches(key, allowed_list, n=1, cutoff=0.7)
                if close:
                    hint = f"did you mean {close[0]!r}?"
            self.error(
                child,
                f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(allowed_list))}",
                hint=hint,
                at_key=True,
            )

    def check_expressions(self, field: Field) -> None:
        """Syntax-check every expression in ``field``'s value (nested values included)."""
        value = field.value
        if isinstance(value, str):
            self.check_expression_text(field, value)
        elif isinstance(value, dict):
            for _key, child in field.items():
                self.check_expressions(child)
        elif isinstance(value, list):
            for child in field.elements():
                self.check_expressions(child)

    def check_expression_text(self, field: Field, text: str, base_offset: int = 0) -> None:
        """Syntax-check the expressions of ``text``, found at ``base_offset`` in ``field``."""
        if "<%" not in text and "{" not in text:
            return
        for problem in _syntax_problems(text):
            offset = problem.error_offset if problem.error_offset is not None else (
                problem.offset
            )
            self.error(
                field,
                f"invalid {_language(problem.language)} expression "
                f"{_short(problem.expression)}: {problem.message}",
                offset=base_offset + offset,
            )


@functools.lru_cache(maxsize=8192)
def _syntax_problems(text: str) -> tuple[Any, ...]:
    """``check_syntax`` memoised: the same expressions recur across tasks and workflows."""
    return tuple(check_syntax(text))


def _language(language: str) -> str:
    return {"yaql": "YAQL", "jinja": "Jinja"}.get(language, language)


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
