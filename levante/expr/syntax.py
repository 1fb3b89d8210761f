"""Syntax checking of expressions without evaluating them.

``check_syntax`` reports every broken expression in one string, each with
its language and the offset where it starts, so the YAML layer can point at
a line and column. ``check_value`` does the same over a nested value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from yaql.language import exceptions as yaql_exc

from levante.expr import jinja_lang, yaql_lang
from levante.expr.errors import JINJA, YAQL, ExpressionSyntaxError
from levante.expr.scanner import Located, find_jinja, find_yaql, has_jinja

Path = tuple[str | int, ...]


def check_syntax(text: str) -> list[ExpressionSyntaxError]:
    """Every syntax error of the expressions inside ``text`` (empty when all parse).

    A string mixing Jinja and YAQL is an error too, as in Mistral.
    """
    if not isinstance(text, str) or ("<%" not in text and "{" not in text):
        return []
    yaql_found = find_yaql(text)
    errors: list[ExpressionSyntaxError] = []
    if has_jinja(text):
        errors.extend(_check_jinja(text))
        if yaql_found:
            first = yaql_found[0]
            errors.append(
                ExpressionSyntaxError(
                    first.text,
                    YAQL,
                    "this string already holds a Jinja expression; one string may use "
                    "YAQL (<% %>) or Jinja ({{ }}), not both",
                    first.offset,
                )
            )
    for located in yaql_found:
        error = _check_yaql(located)
        if error is not None:
            errors.append(error)
    return errors


def check_value(value: Any, path: Path = ()) -> list[tuple[Path, ExpressionSyntaxError]]:
    """Syntax-check every string inside a nested value.

    Returns ``(path, error)`` pairs where ``path`` is the tuple of dict keys
    and list indexes leading to the string. Dict keys are not checked
    (Mistral never evaluates them).
    """
    found: list[tuple[Path, ExpressionSyntaxError]] = []
    _walk(value, path, found)
    return found


def _walk(value: Any, path: Path, found: list[tuple[Path, ExpressionSyntaxError]]) -> None:
    if isinstance(value, str):
        found.extend((path, error) for error in check_syntax(value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _walk(item, (*path, key), found)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk(item, (*path, index), found)


def _check_yaql(located: Located) -> ExpressionSyntaxError | None:
    body = located.body
    if not body.strip():
        return ExpressionSyntaxError(located.text, YAQL, "empty expression", located.offset)
    try:
        yaql_lang.parse(body)
    except yaql_lang.SYNTAX_ERRORS as error:
        message, position = _describe_yaql_error(error)
        error_offset = None
        if position is not None:
            error_offset = located.offset + 2 + (len(body) - len(body.lstrip())) + position
        return ExpressionSyntaxError(located.text, YAQL, message, located.offset, error_offset)
    return None


def _describe_yaql_error(error: BaseException) -> tuple[str, int | None]:
    if isinstance(error, yaql_exc.YaqlGrammarException):
        if error.position is None:
            return "the expression ends too early (unexpected end of expression)", None
        return f"unexpected {error.value!r}", error.position
    if isinstance(error, yaql_exc.YaqlLexicalException):
        return f"illegal character {error.value!r}", error.position
    if not str(error).strip():
        return "empty expression", None
    return str(error), None


def _check_jinja(text: str) -> list[ExpressionSyntaxError]:
    """Jinja errors of ``text``: per ``{{ }}`` when one is at fault, else the template's."""
    try:
        jinja_lang.check_template(text)
    except jinja2.TemplateSyntaxError as error:
        template_error = error
    else:
        return []
    located = find_jinja(text)
    errors = []
    for loc in located:
        if not loc.text.startswith("{{"):
            continue
        try:
            jinja_lang.check_expression(loc.body)
        except jinja2.TemplateSyntaxError as error:
            errors.append(
                ExpressionSyntaxError(loc.text, JINJA, error.message or str(error), loc.offset)
            )
    if errors:
        return errors
    culprit = _jinja_culprit(text, located, template_error.lineno)
    return [
        ExpressionSyntaxError(
            culprit.text if culprit else text,
            JINJA,
            template_error.message or str(template_error),
            culprit.offset if culprit else 0,
        )
    ]


def _jinja_culprit(text: str, located: list[Located], lineno: int) -> Located | None:
    """The last ``{{``/``{%`` on the line Jinja blames, else the first one."""
    on_line = [loc for loc in located if text.count("\n", 0, loc.offset) + 1 == lineno]
    if on_line:
        return on_line[-1]
    return located[0] if located else None
