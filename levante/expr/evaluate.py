"""Evaluating values that hold expressions, with Mistral's conventions.

* A string that is exactly one expression evaluates to that expression's
  value, whatever its type (``'<% 1 + 1 %>'`` -> ``2``, ``'{{ [1] }}'`` ->
  ``[1]``).
* A string with text around its expressions, or several of them, is
  rendered as text: YAQL values are inserted with ``str()``, Jinja renders
  the string as a template.
* A string holding Jinja is evaluated as Jinja (Mistral tries Jinja first);
  ``<% %>`` in it stays text.
* Dicts and lists are evaluated item by item into new dicts and lists;
  dict keys are kept as they are (Mistral does not evaluate keys). Other
  values pass through.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError
from yaql.language import exceptions as yaql_exc

from levante.expr import jinja_lang, yaql_lang
from levante.expr.errors import (
    JINJA,
    YAQL,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionLimitError,
)
from levante.expr.functions import NoExecutionError, current_view, using_view
from levante.expr.guards import SizeLimitExceeded
from levante.expr.limits import EvaluationTimeout, get_limits, run_with_deadline
from levante.expr.scanner import YAQL_PATTERN, is_single_expression, language_of
from levante.expr.view import ExecutionView

STRING_CACHE_SIZE = 8192


@dataclass(frozen=True)
class _Plan:
    """How to evaluate one string, worked out once per distinct text."""

    language: str | None
    single: bool
    # YAQL text: alternating literal text and expression bodies, literal first.
    pieces: tuple[str, ...] = ()


@functools.lru_cache(maxsize=STRING_CACHE_SIZE)
def _plan(text: str) -> _Plan:
    language = language_of(text)
    if language is None:
        return _Plan(None, False)
    single = is_single_expression(text)
    if language == YAQL and not single:
        pieces: list[str] = []
        position = 0
        for match in YAQL_PATTERN.finditer(text):
            pieces.append(text[position : match.start()])
            pieces.append(match.group(0)[2:-2])
            position = match.end()
        pieces.append(text[position:])
        return _Plan(language, False, tuple(pieces))
    return _Plan(language, single)


class _HasExpressions:
    """What :func:`plain` answers for a value that holds an expression."""

    def __repr__(self) -> str:
        return "HAS_EXPRESSIONS"


HAS_EXPRESSIONS: Any = _HasExpressions()
_NO_CONTEXT: Mapping[str, Any] = {}


def plain(value: Any) -> Any:
    """What :func:`evaluate` returns for ``value`` if it holds no expression, else
    :data:`HAS_EXPRESSIONS` (then only evaluating it in a context can tell).

    Strings and other scalars come back as they are, dicts and lists as
    copies, as ``evaluate`` returns them: a caller can skip building the
    context of a value that needs none.
    """
    if isinstance(value, str):
        return value if _plan(value).language is None else HAS_EXPRESSIONS
    if not isinstance(value, (dict, list, Mapping)):
        return value
    if _has_expression(value):
        return HAS_EXPRESSIONS
    return _evaluate(value, _NO_CONTEXT)


def evaluate(value: Any, context: Mapping[str, Any], view: ExecutionView | None = None) -> Any:
    """Evaluate every expression in ``value`` against ``context``.

    ``context`` is ``$`` in YAQL and ``_`` in Jinja; any Mapping works (a
    ``ChainMap`` of item variables over a task context is read in place,
    not copied). ``view`` is what ``task()``, ``env()``, ``execution()`` and
    the other state functions read; without one (and outside another
    evaluation that has one) they raise an evaluation error.

    Raises ``ExpressionEvaluationError``, or ``ExpressionLimitError`` when a
    time or size limit is hit.
    """
    if isinstance(value, str) and _plan(value).language is None:
        return value
    if not isinstance(value, (str, dict, list, Mapping)):
        return value
    if not _has_expression(value):
        # Nothing to run (an empty input, plain data): a copy, without the watchdog.
        return _evaluate(value, context)
    limits = get_limits()
    try:
        with using_view(view if view is not None else current_view()):
            return run_with_deadline(limits.timeout, lambda: _evaluate(value, context))
    except EvaluationTimeout:
        raise _timeout_error(value if isinstance(value, str) else "<value>", None) from None


def _has_expression(value: Any) -> bool:
    if isinstance(value, str):
        return _plan(value).language is not None
    if isinstance(value, Mapping):
        return any(_has_expression(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_expression(item) for item in value)
    return False


def _evaluate(value: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return _evaluate_string(value, context)
    if isinstance(value, Mapping):
        return {key: _evaluate(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [_evaluate(item, context) for item in value]
    return value


def _evaluate_string(text: str, context: Mapping[str, Any]) -> Any:
    plan = _plan(text)
    if plan.language is None:
        return text
    if plan.language == JINJA:
        return _guarded(text, JINJA, _jinja, plan, text, context)
    if plan.single:
        body = text[2:-2]
        return _guarded(body.strip(), YAQL, yaql_lang.evaluate, body, context)
    parts = []
    pieces = plan.pieces
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            parts.append(piece)
        else:
            parts.append(str(_guarded(piece.strip(), YAQL, yaql_lang.evaluate, piece, context)))
    return "".join(parts)


def _jinja(plan: _Plan, text: str, context: Mapping[str, Any]) -> Any:
    if plan.single:
        return jinja_lang.evaluate_expression(text[2:-2], context)
    return jinja_lang.render(text, context)


_LIMIT_ERRORS = (
    SizeLimitExceeded,
    yaql_exc.MemoryQuotaExceededException,
    yaql_exc.CollectionTooLargeException,
    MemoryError,
    OverflowError,
)


def _guarded(expression: str, language: str, function: Any, *args: Any) -> Any:
    """Call ``function(*args)``, turning any failure into an expression error."""
    try:
        return function(*args)
    except ExpressionError:
        raise
    except EvaluationTimeout:
        raise _timeout_error(expression, language) from None
    except _LIMIT_ERRORS as error:
        raise ExpressionLimitError(expression, language, _describe(error), "size") from None
    except RecursionError:
        raise ExpressionLimitError(
            expression, language, "the expression nests too deeply", "size"
        ) from None
    except Exception as error:
        # Never chain the cause: its traceback frames hold the data context.
        raise ExpressionEvaluationError(expression, language, _describe(error)) from None


def _timeout_error(expression: str, language: str | None) -> ExpressionLimitError:
    seconds = get_limits().timeout
    return ExpressionLimitError(
        expression,
        language or "expression",
        f"evaluation took longer than the time limit of {seconds:g} s and was stopped",
        "time",
    )


def _describe(error: BaseException) -> str:
    """A readable cause; never includes the data context."""
    if isinstance(error, KeyError) and error.args:
        return f"no key {error.args[0]!r} in the data"
    if isinstance(error, jinja2.UndefinedError):
        return error.message or "undefined value"
    if isinstance(error, SecurityError):
        return f"refused by the sandbox: {error}"
    if isinstance(error, yaql_exc.MemoryQuotaExceededException):
        limit = get_limits().max_value_bytes
        return f"the expression built a value over the size limit of {limit} bytes"
    if isinstance(error, yaql_exc.CollectionTooLargeException):
        return f"a collection or iterator went over the limit of {get_limits().max_items} items"
    if isinstance(error, MemoryError):
        return "the expression ran out of memory"
    if isinstance(error, (NoExecutionError, SizeLimitExceeded)):
        return str(error)
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
