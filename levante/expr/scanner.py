"""Finding expressions inside strings, the way Mistral finds them.

Mistral recognises YAQL as ``<% ... %>`` and Jinja as ``{{ ... }}`` or
``{% ... %}``, each on one line (its patterns do not cross newlines). When
a string holds both kinds, Jinja wins (Mistral tries its evaluators in name
order) and the YAQL delimiters stay text; validation refuses such strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from levante.expr.errors import JINJA, YAQL

YAQL_PATTERN = re.compile(r"<%.*?%>")
JINJA_VARIABLE_PATTERN = re.compile(r"{{.*?}}")
JINJA_BLOCK_PATTERN = re.compile(r"{%.*?%}")

_lexing_environment = jinja2.Environment()


@dataclass(frozen=True)
class Located:
    """An expression found in a string: its text, language and offset."""

    text: str
    language: str
    offset: int

    @property
    def body(self) -> str:
        """The expression without its two-character delimiters."""
        return self.text[2:-2]


def has_jinja(text: str) -> bool:
    """Does ``text`` hold a Jinja variable or block on one line."""
    return "{" in text and bool(
        JINJA_VARIABLE_PATTERN.search(text) or JINJA_BLOCK_PATTERN.search(text)
    )


def has_yaql(text: str) -> bool:
    """Does ``text`` hold a ``<% ... %>`` expression on one line."""
    return "<%" in text and YAQL_PATTERN.search(text) is not None


def language_of(text: str) -> str | None:
    """The language a string is evaluated in: 'jinja', 'yaql' or None (literal)."""
    if has_jinja(text):
        return JINJA
    if has_yaql(text):
        return YAQL
    return None


def has_expression(value: Any) -> bool:
    """Does a (possibly nested) value contain any expression.

    Dict values and list items are searched; dict keys are not, since keys
    are never evaluated.
    """
    if isinstance(value, str):
        return language_of(value) is not None
    if isinstance(value, Mapping):
        return any(has_expression(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_expression(v) for v in value)
    return False


def find_yaql(text: str) -> list[Located]:
    """Every ``<% ... %>`` in ``text``, in order."""
    return [Located(m.group(0), YAQL, m.start()) for m in YAQL_PATTERN.finditer(text)]


def find_jinja(text: str) -> list[Located]:
    """Every ``{{ ... }}`` and ``{% ... %}`` in ``text``, in order of offset."""
    found = [
        Located(m.group(0), JINJA, m.start())
        for pattern in (JINJA_VARIABLE_PATTERN, JINJA_BLOCK_PATTERN)
        for m in pattern.finditer(text)
    ]
    found.sort(key=lambda loc: loc.offset)
    return found


def is_single_expression(text: str) -> bool:
    """Is ``text`` exactly one expression (so its value keeps its type).

    ``'<% 1 + 1 %>'`` and ``'{{ [1, 2] }}'`` are; ``'x <% 1 %>'``,
    ``'<% 1 %><% 2 %>'`` and a string with a Jinja block are not.
    """
    language = language_of(text)
    if language == YAQL:
        m = YAQL_PATTERN.search(text)
        return m is not None and m.start() == 0 and m.end() == len(text)
    if language == JINJA:
        m = JINJA_VARIABLE_PATTERN.search(text)
        if m is not None and m.start() == 0 and m.end() == len(text):
            return True
        # Mistral's pattern stops at the first '}}', so '{{ {"a": {"b": 1}} }}'
        # looks like text to it; ask Jinja's lexer instead.
        return text.startswith("{{") and text.endswith("}}") and _lexes_as_one_variable(text)
    return False


def _lexes_as_one_variable(text: str) -> bool:
    try:
        tokens = list(_lexing_environment.lex(text))
    except jinja2.TemplateSyntaxError:
        return False
    kinds = [kind for _, kind, _ in tokens]
    return (
        kinds[0] == "variable_begin"
        and kinds[-1] == "variable_end"
        and kinds.count("variable_begin") == 1
        and "block_begin" not in kinds
        and "data" not in kinds
    )
