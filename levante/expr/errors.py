"""Errors raised by the expression layer.

Messages name the expression and the cause, never the data context: a
context may hold secrets (auth tokens, passwords published by tasks).
"""

from __future__ import annotations

YAQL = "yaql"
JINJA = "jinja"

_LANGUAGE_TITLES = {YAQL: "YAQL", JINJA: "Jinja"}


def language_title(language: str) -> str:
    """``'yaql'`` -> ``'YAQL'``, ``'jinja'`` -> ``'Jinja'`` (for messages)."""
    return _LANGUAGE_TITLES.get(language, language)


class ExpressionError(Exception):
    """Base of every error raised by ``levante.expr``."""


class ExpressionSyntaxError(ExpressionError):
    """An expression that cannot be parsed.

    ``expression`` is the expression text with its delimiters (``<% ... %>``
    or ``{{ ... }}``), ``offset`` the character offset inside the checked
    string where that expression starts, and ``error_offset`` the offset of
    the offending character when the parser reports it (else None).
    """

    def __init__(
        self,
        expression: str,
        language: str,
        message: str,
        offset: int = 0,
        error_offset: int | None = None,
    ) -> None:
        self.expression = expression
        self.language = language
        self.message = message
        self.offset = offset
        self.error_offset = error_offset
        super().__init__(
            f"{language_title(language)} syntax error in {expression!r} "
            f"(at offset {offset}): {message}"
        )


class ExpressionEvaluationError(ExpressionError):
    """An expression that parsed but failed when evaluated.

    The message follows Mistral's shape, e.g.
    ``Can not evaluate YAQL expression [expression=$.x.y, error=...]``.
    """

    def __init__(self, expression: str, language: str, cause: str) -> None:
        self.expression = expression
        self.language = language
        self.cause = cause
        super().__init__(
            f"Can not evaluate {language_title(language)} expression "
            f"[expression={expression}, error={cause}]"
        )


class ExpressionLimitError(ExpressionEvaluationError):
    """An expression stopped because it exceeded a time or size limit."""

    def __init__(self, expression: str, language: str, cause: str, limit: str) -> None:
        self.limit = limit
        super().__init__(expression, language, cause)
